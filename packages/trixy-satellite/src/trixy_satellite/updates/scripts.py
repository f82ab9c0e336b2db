"""What a scripts update replaces, what it must contain, and how the running satellite picks it up.

The satellite's "scripts" are its own Python package, `trixy_satellite`. By default (`updates.scripts_folder` empty)
the update replaces the folder that package was imported from: `site-packages/trixy_satellite` in a pip install,
`packages/trixy-satellite/src/trixy_satellite` in a checkout (never the checkout's `scripts/`, which holds
`trixy-tmux.sh`). The swap is atomic and keeps the previous version (`.trixy_satellite.previous`) for rollback.
The running process keeps the code it imported until it restarts: with `updates.restart_after_scripts` it stops
itself a moment after answering, and its service manager (systemd `Restart=always`, docs/install.md) starts the
new code.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from trixy_satellite.updates.errors import UpdateError

logger = logging.getLogger(__name__)

REQUIRED_FILES = ("__init__.py", "runner.py", "app.py")
"""A folder without these is not a satellite package: refused before anything is swapped."""


def running_package_folder() -> Path:
    """The folder the running `trixy_satellite` package was imported from."""
    import trixy_satellite

    return Path(trixy_satellite.__file__).resolve().parent


def scripts_target(root: Path, spec: str) -> Path:
    """The folder a scripts update replaces: `spec` under `root`, or the running package when `spec` is empty."""
    if not spec:
        return running_package_folder()
    path = Path(spec)
    return path if path.is_absolute() else Path(root) / path


def validate_scripts(folder: Path) -> None:
    """Refuse a scripts update that is not a complete `trixy_satellite` package or has a file that does not compile."""
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise UpdateError(f"not a trixy_satellite package (missing {', '.join(missing)}); push the package folder "
                          "itself (update_push.scripts_source)")
    for path in sorted(folder.rglob("*.py")):
        try:
            compile(path.read_bytes(), str(path.relative_to(folder)), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            raise UpdateError(f"{path.relative_to(folder)} does not compile: {exc}") from exc


def restart_soon(delay_s: float = 1.0) -> None:
    """Stop this process gracefully (SIGTERM to itself) after `delay_s`, so the UpdateResult reaches the server."""
    import asyncio

    def stop() -> None:
        logger.warning("scripts updated: stopping so the service manager restarts the satellite with the new code")
        os.kill(os.getpid(), signal.SIGTERM)

    asyncio.get_running_loop().call_later(delay_s, stop)
