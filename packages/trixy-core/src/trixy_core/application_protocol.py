"""`TrixyApplication`: the typed face of the application container that plugins and components are given.

Plugins and components (in trixy-core and in the packages above it) receive the application and reach everything
through it. Typing that parameter as this Protocol, not as the concrete `Application`, keeps the arrows pointing one
way: a low module needs only this small module, never the container and its factory (which import the plugin
manager, the scheduler, ...). Any object with these members fits, which is also what tests build.
Components registered by name (`application.satellite_manager`, `application.trainers`) are reached through
`__getattr__` and typed `Any`: which ones exist depends on the mode and the installed packages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from trixy_core.application.functions import FunctionRegistry
    from trixy_core.config.store import Config
    from trixy_core.events.handler import EventHandler


class TrixyApplication(Protocol):
    """What a plugin or component may use of the application it runs in."""

    mode: str
    """"server", "client" or "standalone"."""
    root: Path
    """The folder relative paths in the config are resolved against."""
    config: Config
    """The validated configuration."""
    debug: bool
    functions: FunctionRegistry
    """Internal functions other parts may call by name (`functions.call("...")`)."""

    @property
    def event_handler(self) -> EventHandler:
        """The event handler every mode has."""
        ...

    @property
    def components(self) -> dict[str, Any]:
        """Name -> component, in registration order."""
        ...

    @property
    def running(self) -> bool:
        """True between start and stop."""
        ...

    @property
    def uptime_s(self) -> float:
        """Seconds since start (0 before)."""
        ...

    def register(self, name: str, component: Any, *, replace: bool = False) -> Any:
        """Add a component under `name` before start; returns it."""
        ...

    def get(self, name: str, default: Any = None) -> Any:
        """The component called `name`, or `default`."""
        ...

    def has(self, name: str) -> bool:
        """Whether a component called `name` is registered."""
        ...

    def path(self, key: str) -> Path:
        """A folder of the `paths` config section, resolved against `root`."""
        ...

    def request_stop(self) -> None:
        """Ask the running application to stop (safe from any thread)."""
        ...

    def __getattr__(self, name: str) -> Any:
        """A registered component, by name (`application.scheduler`)."""
        ...


class RunnableApplication(TrixyApplication, Protocol):
    """What a user interface that owns the application's lifetime needs on top (start, stop, run until asked)."""

    async def start(self) -> None:
        """Start every component in order."""
        ...

    async def stop(self) -> None:
        """Stop everything in reverse order."""
        ...

    async def run_until_stopped(self) -> None:
        """Start, wait for `request_stop()`, then stop."""
        ...
