"""The declared-events contract: who raises which event, so a subscription to a misspelt name is caught.

Like pluggy's hook specs, every raiser declares its events: the core declares `names.ALL_EVENTS`, a plugin lists the
events it raises in `TrixyPlugin.raises_events`, a component calls `EventHandler.declare_events(owner, [...])`. A
subscription to an exact name that nobody declares still works (events are plain names), but it is reported with
the closest declared name, because `@TrixyEvent(["satelite connected"])` would otherwise never fire, silently.
Patterns (`"satellite *"`, `"*"`) are not checked: they are meant to match names nobody knows yet.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from trixy_core.errors import EventError
from trixy_core.events import names
from trixy_core.events.names import normalise_event_name

CORE_OWNER = "trixy core"
"""The owner that declares `names.ALL_EVENTS`."""


@dataclass(frozen=True, slots=True)
class UndeclaredSubscription:
    """A subscription to an exact event name that no raiser declares."""

    owner: str
    """Who subscribed (a plugin's name, or a component's owner string)."""
    event: str
    """The normalised name subscribed to."""
    closest: str | None
    """The declared name most like it (difflib), or None when none is close."""

    def message(self) -> str:
        """The warning text: names the subscriber, the event, and what was probably meant."""
        who = f"plugin '{self.owner}'" if self.owner else "an unnamed subscriber"
        hint = (
            f"did you mean '{self.closest}'?"
            if self.closest
            else "no declared event is close; the raiser should declare it (TrixyPlugin.raises_events)"
        )
        return f"{who} subscribes to '{self.event}', an event nobody declares ({hint})"


class EventContract:
    """Declared event names per owner (thread-safe); answers "does anyone raise this?" and "what was meant?"."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: dict[str, frozenset[str]] = {CORE_OWNER: frozenset(names.ALL_EVENTS)}

    def declare(self, owner: str, events: Iterable[str]) -> frozenset[str]:
        """Record that `owner` raises `events` (exact names; adds to what it declared before); returns the names."""
        if isinstance(events, str):
            events = [events]
        try:
            listed = list(events)
        except TypeError as exc:
            raise EventError(f"{owner or 'a raiser'} declares {events!r}: give a list of event names") from exc
        declared: set[str] = set()
        for event in listed:
            try:
                normal = normalise_event_name(event)
            except (TypeError, ValueError) as exc:
                raise EventError(f"{owner or 'a raiser'} declares a bad event name {event!r}: {exc}") from exc
            if "*" in normal:
                raise EventError(f"{owner or 'a raiser'} declares {event!r}: declare exact names, not patterns")
            declared.add(normal)
        with self._lock:
            self._by_owner[owner] = self._by_owner.get(owner, frozenset()) | declared
        return frozenset(declared)

    def forget(self, owner: str) -> None:
        """Drop what `owner` declared (a plugin being unloaded); the core's own names stay."""
        if owner == CORE_OWNER:
            return
        with self._lock:
            self._by_owner.pop(owner, None)

    def known(self) -> frozenset[str]:
        """Every declared name."""
        with self._lock:
            return frozenset().union(*self._by_owner.values())

    def declared_by(self, owner: str) -> frozenset[str]:
        """The names `owner` declared."""
        with self._lock:
            return self._by_owner.get(owner, frozenset())

    def is_declared(self, event: str) -> bool:
        """Whether anyone declares the (normalised) name `event`."""
        return event in self.known()

    def closest(self, event: str) -> str | None:
        """The declared name most like `event`, or None when nothing is close (difflib's ratio >= 0.6)."""
        matches = difflib.get_close_matches(event, sorted(self.known()), n=1)
        return matches[0] if matches else None

    def check(self, owner: str, pattern: str) -> UndeclaredSubscription | None:
        """The problem with `owner` subscribing to the normalised `pattern`, or None (declared, or a pattern)."""
        if pattern.endswith("*") or self.is_declared(pattern):
            return None
        return UndeclaredSubscription(owner, pattern, self.closest(pattern))
