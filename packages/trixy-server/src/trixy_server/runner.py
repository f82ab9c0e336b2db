"""Entry point for `trixy server` / `python3 main.py server`: headless with logging (the TUI comes later)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Build the server application from the CLI arguments and run it until SIGINT/SIGTERM."""
    import trixy_server.config  # registers the `network` config section before the file is loaded
    import trixy_server.pipeline.config  # noqa: F401 - registers the `pipeline` config section
    from trixy_core.application import application_from_args
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
        return asyncio.run(_main(application))
    except TrixyError as exc:
        sys.stderr.write(f"trixy server: {exc}\n")
        return 1


async def _main(application) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, application.request_stop)
        except (NotImplementedError, RuntimeError):
            pass
    await application.run_until_stopped()
    return 0
