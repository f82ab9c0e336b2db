"""Entry point for `trixy standalone` / `python3 main.py standalone`: the whole assistant in one process.

`--demo` runs the built-in demo conversation (`trixy_standalone.demo.run_demo`); otherwise the standalone runs
with the TUI (normal mode) or headless with printed output (`--debug`) until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import sys

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Run the demo or the real standalone; exit status 2 for configuration problems."""
    if getattr(args, "demo", False):
        from trixy_standalone.demo import run_demo

        return run_demo(args)
    from trixy_core.application import run_application
    from trixy_core.errors import TrixyError
    from trixy_satellite.errors import SatelliteError
    from trixy_server.errors import TrixyServerError
    from trixy_standalone.compose import build_standalone

    try:
        application = build_standalone(getattr(args, "root", ".") or ".", getattr(args, "config", None),
                                       list(getattr(args, "overrides", []) or []), debug=bool(args.debug),
                                       input_wav=getattr(args, "input_wav", None))
    except (TrixyError, TrixyServerError, SatelliteError, ValueError) as exc:
        sys.stderr.write(f"trixy standalone: {exc}\n")
        return 2
    try:
        return run_application(application, debug=bool(args.debug))  # the TUI, when trixy-tui is installed
    except TrixyError as exc:
        sys.stderr.write(f"trixy standalone: {exc}\n")
        return 1
