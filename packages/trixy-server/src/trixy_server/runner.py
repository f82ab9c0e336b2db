"""Entry point for `trixy server` / `python3 main.py server`: the TUI in normal mode, printed output with --debug."""

from __future__ import annotations

import argparse
import logging
import sys

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Build the server application from the CLI arguments and run it until SIGINT/SIGTERM."""
    import trixy_server.config  # registers the `network` config section before the file is loaded
    import trixy_server.pipeline.config  # noqa: F401 - registers the `pipeline` config section
    from trixy_core.application import application_from_args, run_application
    from trixy_core.errors import TrixyError
    from trixy_server.component import SatelliteNetwork
    from trixy_server.errors import TrixyServerError
    from trixy_server.sync import SyncService  # registers the `sync_server` config section
    from trixy_server.updates import UpdatePusher

    try:
        application = application_from_args(args)
        SatelliteNetwork.from_application(application)
        UpdatePusher.from_application(application)  # satellite.push_model()/reboot()... (TUI F5 Updates)
        SyncService.from_application(application)  # standalones sync models, assets and plugin data
        from trixy_server.pipeline import VoicePipeline

        VoicePipeline.from_application(application)
    except (TrixyError, TrixyServerError) as exc:
        sys.stderr.write(f"trixy server: {exc}\n")
        return 2
    try:
        return run_application(application, debug=bool(args.debug))  # the TUI, when trixy-tui is installed
    except TrixyError as exc:
        sys.stderr.write(f"trixy server: {exc}\n")
        return 1

