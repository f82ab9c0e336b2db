"""Events: the event handler, the `@TrixyEvent` decorator, canonical names and typed event data."""

from trixy_core.events import data, names
from trixy_core.events.contract import EventContract, UndeclaredSubscription
from trixy_core.events.data import EVENT_DATA_TYPES
from trixy_core.events.decorator import EventBinding, TrixyEvent, bindings_of
from trixy_core.events.handler import EventHandler
from trixy_core.events.history import EventHistory, EventRecord
from trixy_core.events.names import normalise_event_name, normalise_pattern
from trixy_core.events.subscription import STOP_PROPAGATION, EventOutcome, HandlerResult, Subscription

__all__ = [
    "EVENT_DATA_TYPES",
    "STOP_PROPAGATION",
    "EventBinding",
    "EventContract",
    "EventHandler",
    "EventHistory",
    "EventOutcome",
    "EventRecord",
    "HandlerResult",
    "Subscription",
    "TrixyEvent",
    "UndeclaredSubscription",
    "bindings_of",
    "data",
    "names",
    "normalise_event_name",
    "normalise_pattern",
]
