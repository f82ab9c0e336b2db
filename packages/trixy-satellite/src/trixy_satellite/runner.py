"""Entry point for `trixy client` / `python3 main.py client`: a satellite; the TUI in normal mode, prints with --debug."""

from __future__ import annotations

import argparse
import logging
import sys

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Build the client application from the CLI arguments and run it until SIGINT/SIGTERM."""
    import trixy_satellite.config  # noqa: F401 - registers the client's config sections before loading the file
    from trixy_core.application import application_from_args, run_application
    from trixy_core.errors import TrixyError
    from trixy_satellite.app import SatelliteApp
    from trixy_satellite.audio.sources import open_source
    from trixy_satellite.errors import SatelliteError
    from trixy_satellite.updates import install_update_handlers  # registers the `updates` config section

    try:
        application = application_from_args(args)
        source = None
        if getattr(args, "input_wav", None):
            source = open_source(args.input_wav, chunk_ms=application.config.get("audio.chunk_ms"))
        satellite = SatelliteApp(application.config, source=source, root=application.root)
        install_update_handlers(satellite, application.config, application.root)  # server-pushed updates
    except (TrixyError, SatelliteError, ValueError) as exc:
        sys.stderr.write(f"trixy client: {exc}\n")
        return 2
    application.register("satellite", satellite)
    # Raw PCM on stdin and the TUI cannot share the terminal: a piped microphone runs headless.
    headless = bool(args.debug) or (source is None and application.config.get("audio.input") in ("-", "stdin"))
    try:
        return run_application(application, debug=headless)  # the TUI, when trixy-tui is installed
    except TrixyError as exc:
        sys.stderr.write(f"trixy client: {exc}\n")
        return 1

