"""Subscriptions and the outcome of one dispatched event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STOP_PROPAGATION = object()
"""Return this from a handler to keep lower-priority handlers from seeing the event (used for answer routing)."""


@dataclass(slots=True, eq=False)
class Subscription:
    """One handler subscribed to one pattern; `cancel()` (or the owner being unloaded) removes it."""

    pattern: str
    handler: Callable[..., Any]
    priority: int = 0
    owner: str = ""
    threaded: bool = True
    is_async: bool = False
    sequence: int = 0
    active: bool = True
    _remove: Callable[[Subscription], bool] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """A readable name for logs: the handler's qualified name."""
        return getattr(self.handler, "__qualname__", None) or repr(self.handler)

    def cancel(self) -> bool:
        """Unsubscribe; True when it was still subscribed."""
        return self._remove(self) if self._remove else False


@dataclass(slots=True)
class HandlerResult:
    """What one handler returned, or the exception it raised."""

    owner: str
    handler: str
    value: Any = None
    error: BaseException | None = None


@dataclass(slots=True)
class EventOutcome:
    """Everything that happened while one event was dispatched, in handler order."""

    name: str
    data: Any
    results: list[HandlerResult] = field(default_factory=list)
    stopped: bool = False
    """True when a handler returned `STOP_PROPAGATION`."""

    @property
    def values(self) -> list[Any]:
        """Return values of the handlers that did not raise."""
        return [r.value for r in self.results if r.error is None]

    @property
    def errors(self) -> list[HandlerResult]:
        """The handlers that raised."""
        return [r for r in self.results if r.error is not None]

    @property
    def ok(self) -> bool:
        """True when no handler raised."""
        return all(r.error is None for r in self.results)
