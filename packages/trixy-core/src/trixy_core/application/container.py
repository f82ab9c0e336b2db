"""`Application`: the one container per process. Plugins reach everything through `self.application`.

Components are registered by name (`event_handler`, `plugin_manager`, `asset_manager`, `scheduler`, `conversations`,
and e.g. `satellite_manager` from trixy-server) and read as attributes: `application.satellite_manager`. `start()`
starts them in registration order (a component's `start()`, sync or async, when it has one), then loads plugins and
starts the scheduler; `stop()` stops the scheduler, unloads plugins, closes the other components in reverse order
(`close()` or `stop()`), and closes the event handler last, so nothing is left running.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from pathlib import Path
from typing import Any

from trixy_core.application.functions import FunctionRegistry
from trixy_core.config.store import Config
from trixy_core.errors import ApplicationError
from trixy_core.events import names
from trixy_core.events.data import ApplicationLifecycle
from trixy_core.events.handler import EventHandler
from trixy_core.logging.setup import LoggingSetup
from trixy_core.shipped import resolve_data_path

logger = logging.getLogger(__name__)

LATE_COMPONENTS = ("plugin_manager", "scheduler")
"""Started last and stopped first: they use everything else."""


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Application:
    """Holds the components of one Trixy process and starts/stops them in order."""

    def __init__(self, mode: str, root: Path, config: Config, *, debug: bool = False) -> None:
        self.mode = mode
        self.root = Path(root)
        self.config = config
        self.debug = debug
        self.functions = FunctionRegistry()
        self.logging: LoggingSetup | None = None
        self.started_at: float | None = None
        self._components: dict[str, Any] = {}
        self._started: list[str] = []
        self._running = False
        self._stop_requested: asyncio.Event | None = None

    # -- components --------------------------------------------------------------------------------------------

    def register(self, name: str, component: Any, *, replace: bool = False) -> Any:
        """Add a component under `name` (then `application.<name>`); returns it. Register before `start()`."""
        if not name.isidentifier():
            raise ApplicationError(f"component name {name!r} must be a Python identifier")
        if name in self._components and not replace:
            raise ApplicationError(f"a component named '{name}' is already registered")
        if (name in vars(type(self)) and name != "event_handler") or name in ("mode", "root", "config", "debug", "functions", "logging"):
            raise ApplicationError(f"component name '{name}' clashes with an Application attribute")
        self._components[name] = component
        return component

    def unregister(self, name: str) -> Any:
        """Remove a component (it is not closed); returns it."""
        self._started = [n for n in self._started if n != name]
        return self._components.pop(name, None)

    def get(self, name: str, default: Any = None) -> Any:
        """The component called `name`, or `default`."""
        return self._components.get(name, default)

    def has(self, name: str) -> bool:
        """Whether a component called `name` is registered."""
        return name in self._components

    @property
    def components(self) -> dict[str, Any]:
        """Name -> component, in registration order (for the TUI's general view)."""
        return dict(self._components)

    def __getattr__(self, name: str) -> Any:
        components = self.__dict__.get("_components")
        if components is not None and name in components:
            return components[name]
        raise AttributeError(
            f"Application ({self.__dict__.get('mode', '?')}) has no component or attribute '{name}'"
        )

    @property
    def event_handler(self) -> EventHandler:
        """The event handler (every mode has one)."""
        return self._components["event_handler"]

    def path(self, key: str) -> Path:
        """A folder from the `paths` config section, resolved against the root (`path("plugins")`).

        A relative folder missing under the root falls back to the copy an installed data package ships
        (trixy-models, trixy-plugins; `trixy_core.shipped`), so a pip install works without a checkout."""
        return resolve_data_path(self.root, self.config.get(f"paths.{key}"))

    @property
    def uptime_s(self) -> float:
        """Seconds since `start()` (0 before)."""
        return time.time() - self.started_at if self.started_at else 0.0

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._running

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every component in order; on a failure, stop what was started and raise `ApplicationError`."""
        if self._running:
            return
        self.event_handler.bind_loop(asyncio.get_running_loop())
        self._stop_requested = asyncio.Event()
        order = [n for n in self._components if n not in LATE_COMPONENTS]
        order += [n for n in LATE_COMPONENTS if n in self._components]
        try:
            for name in order:
                starter = getattr(self._components[name], "start", None)
                if callable(starter):
                    await _maybe_await(starter())
                self._started.append(name)
        except Exception as exc:
            logger.error("starting component '%s' failed: %s", name, exc)
            await self._stop_components()
            raise ApplicationError(f"starting component '{name}' failed: {type(exc).__name__}: {exc}") from exc
        self._running = True
        self.started_at = time.time()
        await self.event_handler.trigger(names.APPLICATION_STARTED, ApplicationLifecycle(self.mode))
        logger.info("trixy %s started (%d components)", self.mode, len(self._components))

    def request_stop(self) -> None:
        """Ask `run_until_stopped()` to return (safe from signal handlers and other threads)."""
        event = self._stop_requested
        loop = self.event_handler.loop
        if event is None:
            return
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(event.set)
        else:
            event.set()

    async def run_until_stopped(self) -> None:
        """Start (when needed), wait for `request_stop()`, then stop."""
        await self.start()
        assert self._stop_requested is not None
        try:
            await self._stop_requested.wait()
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Stop everything in reverse order; the event handler (threads, pending events) closes last."""
        if self._running:
            try:
                await self.event_handler.trigger(names.APPLICATION_STOPPING, ApplicationLifecycle(self.mode))
            except Exception as exc:
                logger.warning("application stopping event failed: %s", exc)
            logger.info("trixy %s stopping", self.mode)
        self._running = False
        await self._stop_components()
        if self.logging is not None:
            self.logging.close()
            self.logging = None

    async def _stop_components(self) -> None:
        late = [n for n in reversed(LATE_COMPONENTS) if n in self._started]
        rest = [n for n in reversed(self._started) if n not in LATE_COMPONENTS and n != "event_handler"]
        for name in late + rest:
            component = self._components.get(name)
            closer = getattr(component, "close", None) or getattr(component, "stop", None)
            if callable(closer):
                try:
                    await _maybe_await(closer())
                except Exception as exc:
                    logger.error("closing component '%s' failed: %s", name, exc, exc_info=exc)
        self._started = []
        await self._close_event_handler()

    async def _close_event_handler(self) -> None:
        handler = self._components.get("event_handler")
        if handler is not None and not handler.closed:
            await handler.close()

    async def __aenter__(self) -> Application:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def __repr__(self) -> str:
        return f"<Application {self.mode} root={str(self.root)!r} components={list(self._components)}>"
