"""`@TrixyEvent([...])`: marks a plugin method or a plain function as a handler of the named events.

The decorator only records what to subscribe; the plugin manager (or `EventHandler.subscribe_decorated`) does the
subscribing, with the plugin's name as owner, so a disabled or unloaded plugin's handlers are dropped together.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from trixy_core.events.names import normalise_pattern

F = TypeVar("F", bound=Callable[..., Any])

MARKER = "__trixy_events__"


@dataclass(frozen=True, slots=True)
class EventBinding:
    """One `@TrixyEvent` use: the patterns, the priority and whether a sync handler runs in a worker thread."""

    patterns: tuple[str, ...]
    priority: int = 0
    threaded: bool = True


def TrixyEvent(
    events: str | Iterable[str],
    *,
    priority: int = 0,
    threaded: bool = True,
) -> Callable[[F], F]:
    """Subscribe the decorated function to `events` (names or patterns such as `"satellite *"` or `"*"`).

    Handlers take `(event_name, event_data)` (`self` first for methods). Higher `priority` runs first.
    `threaded=False` runs a sync handler on the event loop itself: only for handlers that never block.
    """
    if isinstance(events, str):
        events = [events]
    patterns = tuple(normalise_pattern(e) for e in events)
    if not patterns:
        raise ValueError("@TrixyEvent needs at least one event name")

    def mark(func: F) -> F:
        bindings = list(getattr(func, MARKER, ()))
        bindings.append(EventBinding(patterns, priority, threaded))
        try:
            setattr(func, MARKER, tuple(bindings))
        except AttributeError as exc:  # e.g. a bound method or builtin
            raise TypeError(f"@TrixyEvent cannot decorate {func!r}: it does not accept attributes") from exc
        return func

    return mark


def bindings_of(func: object) -> tuple[EventBinding, ...]:
    """The `@TrixyEvent` bindings recorded on a function (or on a bound method's function)."""
    target = getattr(func, "__func__", func)
    value = getattr(target, MARKER, ())
    return value if isinstance(value, tuple) else ()


def decorated_handlers(target: object) -> list[Callable[..., Any]]:
    """The `@TrixyEvent` handlers of `target`: an object's (bound) methods, a module's own functions, or a function."""
    found: list[Callable[..., Any]] = []
    if isinstance(target, types.ModuleType):
        for value in vars(target).values():
            if inspect.isfunction(value) and value.__module__ == target.__name__ and bindings_of(value):
                found.append(value)
    elif inspect.isfunction(target) or inspect.ismethod(target):
        found.append(target)
    else:
        seen: set[str] = set()
        for klass in type(target).__mro__:
            for attr, value in vars(klass).items():
                if attr in seen:
                    continue
                seen.add(attr)
                if inspect.isfunction(value) and bindings_of(value):
                    found.append(getattr(target, attr))
    return found
