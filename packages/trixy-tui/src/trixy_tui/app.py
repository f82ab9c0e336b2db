"""`TrixyApp`: the Textual app of Trixy; `run_tui(application, mode)` is what the runners call in normal mode.

The app owns the application's lifecycle when it is not running yet: it starts it in the TUI's event loop (so every
component shares one loop) and stops it when the TUI exits. It forwards the application's live events (`EventBridge`)
to the view on screen, so views are driven by events instead of polling.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App

from trixy_core.application_protocol import RunnableApplication
from trixy_tui.hostinfo import HostInfo, current_host
from trixy_tui.live import EventBridge, TrixyEventReceived
from trixy_tui.screens.base import SubMainView, TrixyView
from trixy_tui.screens.config import ConfigView
from trixy_tui.screens.general import ClientGeneralView, ServerGeneralView
from trixy_tui.screens.logs import LogsView
from trixy_tui.screens.plugins import PluginsView
from trixy_tui.screens.satellites import SatellitesView
from trixy_tui.screens.schedules import SchedulesView
from trixy_tui.screens.trainers import TrainersView
from trixy_tui.screens.wakeword import WakewordView

logger = logging.getLogger(__name__)

TITLES = {"server": "Trixy Server", "client": "Trixy Client", "standalone": "Trixy Standalone"}

SERVER_VIEWS: tuple[tuple[str, str, str, type], ...] = (
    ("f1", "general", "General", ServerGeneralView),
    ("f2", "config", "Config", ConfigView),
    ("f3", "satellites", "Satellites", SatellitesView),
    ("f4", "plugins", "Plugins", PluginsView),
    ("f5", "schedule", "Schedule", SchedulesView),
    ("f6", "trainers", "ML Trainer", TrainersView),
    ("f9", "logs", "Logs", LogsView),
)
STANDALONE_VIEWS = (*SERVER_VIEWS[:6], ("f7", "wakeword", "Wakeword", WakewordView), SERVER_VIEWS[6])
CLIENT_VIEWS: tuple[tuple[str, str, str, type], ...] = (
    ("f1", "general", "General", ClientGeneralView),
    ("f2", "config", "Config", ConfigView),
    ("f3", "wakeword", "Wakeword", WakewordView),
    ("f9", "logs", "Logs", LogsView),
)
VIEWS_BY_MODE = {"server": SERVER_VIEWS, "standalone": STANDALONE_VIEWS, "client": CLIENT_VIEWS}


class TrixyApp(App[int]):
    """The TUI of one Trixy process: main views on F-keys, sub-main views pushed on top (Esc back)."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        application: RunnableApplication,
        mode: str,
        *,
        host_info: HostInfo | None = None,
        clock: Callable[[], float] = time.time,
        manage_lifecycle: bool = True,
        handle_signals: bool = False,
    ) -> None:
        if mode not in VIEWS_BY_MODE:
            raise ValueError(f"unknown mode {mode!r}: expected server, client or standalone")
        super().__init__()
        self.application = application
        self.trixy_mode = mode
        self.base_title = TITLES[mode]
        self.title = self.base_title
        self.host_info = host_info or current_host()
        self.clock = clock
        self.manage_lifecycle = manage_lifecycle
        self.handle_signals = handle_signals
        self.started_application = False
        self.startup_error: str | None = None
        self._lifecycle: asyncio.Task[None] | None = None
        self.events = EventBridge(self)
        self.views = VIEWS_BY_MODE[mode]
        for key, name, label, view in self.views:
            self.add_mode(name, view)
            self.bind(key, f"view('{name}')", description=label)
        self.bind("ctrl+q", "quit", description="Quit")

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def on_mount(self) -> None:
        """Start the application (when not running yet), then show the first view."""
        if self.handle_signals:
            self._install_signal_handlers()
        if self.manage_lifecycle and not getattr(self.application, "running", True):
            try:
                await self.application.start()
                self.started_application = True
            except Exception as exc:  # shown to the admin, then the TUI exits with status 1
                self.startup_error = f"{type(exc).__name__}: {exc}"
                logger.error("starting the application failed: %s", exc)
                self.exit(1, return_code=1, message=f"{self.base_title}: could not start: {exc}")
                return
            if hasattr(self.application, "run_until_stopped"):
                self._lifecycle = asyncio.get_running_loop().create_task(self._until_stopped())
        handler = getattr(self.application, "event_handler", None)
        if handler is not None:
            self.events.attach(handler)
        await self.switch_mode(self.views[0][1])

    def on_trixy_event_received(self, message: TrixyEventReceived) -> None:
        """Hand a forwarded application event to the view on screen (hidden views refresh when shown)."""
        screen = self.screen
        if isinstance(screen, TrixyView):
            screen.live_event(message.event_name, message.data)

    async def _until_stopped(self) -> None:
        """`application.request_stop()` (a plugin, an admin command) also ends the TUI."""
        try:
            await self.application.run_until_stopped()
        except Exception as exc:
            logger.error("the application stopped with an error: %s", exc)
        self.started_application = False
        if self.is_running:
            self.exit(0)

    async def on_unmount(self) -> None:
        """Stop forwarding events; stop the application when this TUI started it."""
        self.events.detach()
        lifecycle, self._lifecycle = self._lifecycle, None
        if lifecycle is not None and not lifecycle.done():
            self.application.request_stop()
            try:
                await asyncio.wait_for(asyncio.shield(lifecycle), 30)
            except TimeoutError:
                logger.error("the application did not stop within 30 s")
            return
        if self.started_application:
            self.started_application = False
            try:
                await self.application.stop()
            except Exception as exc:
                logger.error("stopping the application failed: %s", exc)

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, lambda: self.exit(0))
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    # -- views -------------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main F-keys are off (and hidden) while a sub-main view owns them."""
        if action == "view" and isinstance(self.screen, SubMainView):
            return False
        return True

    async def action_view(self, name: str) -> None:
        """Switch to a main view (F-key)."""
        if self.current_mode != name:
            await self.switch_mode(name)

    @property
    def root(self) -> Path:
        """The application's root folder (paths are shown relative to it)."""
        return Path(getattr(self.application, "root", "."))

    def uptime_s(self) -> float | None:
        """Seconds since the application started (None before)."""
        started = getattr(self.application, "started_at", None)
        return None if not started else max(0.0, self.clock() - started)


def run_tui(application: RunnableApplication, mode: str) -> int:
    """Run the TUI for `application` (started and stopped by the TUI) until the user quits; the exit status."""
    app = TrixyApp(application, mode, handle_signals=True)
    result = app.run()
    if app.startup_error:
        return 1
    return int(result if isinstance(result, int) else (app.return_code or 0))
