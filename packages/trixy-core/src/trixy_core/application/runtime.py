"""Running a built application until it is asked to stop: inside the TUI, or headless (debug mode / no TUI)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from trixy_core.application.extensions import find_ui

if TYPE_CHECKING:
    from trixy_core.application_protocol import RunnableApplication

logger = logging.getLogger(__name__)


async def run_headless(application: RunnableApplication) -> int:
    """Start the application, stop it cleanly on SIGINT/SIGTERM or `application.request_stop()`."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, application.request_stop)
        except (NotImplementedError, RuntimeError):  # not the main thread, or a platform without signals
            pass
    await application.run_until_stopped()
    return 0


def run_application(application: RunnableApplication, *, debug: bool) -> int:
    """The runners' last step: the TUI in normal mode when one is installed, else headless with logging."""
    if not debug:
        ui = find_ui()
        if ui is not None:
            return int(ui(application, application.mode) or 0)
        logger.warning("no user interface is installed (pip install trixy-tui): running headless")
    where = getattr(getattr(application, "logging", None), "file_path", None)
    if not debug or where is not None:  # headless without --debug prints nothing else: say where the log is
        sys.stderr.write(f"trixy {application.mode}: running without a TUI; log file: {where or 'none'}\n")
    return asyncio.run(run_headless(application))
