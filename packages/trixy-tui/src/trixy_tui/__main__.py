"""`python -m trixy_tui server|client|standalone [--root DIR] [--config FILE] [--set KEY=VALUE]`.

Opens the TUI on a core-only application (config, plugins, scheduler, logs) without the network parts: for looking at
and editing a Trixy installation while the service is stopped, and for the tmux test before the mode runners call
`run_tui`. The real program is `python3 main.py <mode>`, whose runners call `trixy_tui.run_tui(application, mode)`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from trixy_core.application import create_application
from trixy_core.errors import TrixyError
from trixy_tui.app import run_tui


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, build the core application and run the TUI; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m trixy_tui", description="Trixy TUI on a core-only application")
    parser.add_argument("mode", choices=("server", "client", "standalone"))
    parser.add_argument("--root", default=".", help="Trixy's root folder")
    parser.add_argument("--config", help="configuration file (default: config/<mode>_config.json)")
    parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    try:
        application = create_application(args.mode, root=args.root, config_path=args.config, overrides=args.overrides)
    except TrixyError as exc:
        sys.stderr.write(f"trixy-tui: {exc}\n")
        return 2
    return run_tui(application, args.mode)


if __name__ == "__main__":
    sys.exit(main())
