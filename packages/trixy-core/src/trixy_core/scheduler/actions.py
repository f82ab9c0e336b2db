"""Schedule actions: raise an event, start an ML training by trainer name, or call a registered internal function.

    {"type": "event", "event": "say", "data": {"text": "Good morning"}}
    {"type": "training", "trainer": "wakeword", "params": {"max_epochs": 20}}
    {"type": "function", "function": "reload_plugins", "args": {}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trixy_core.errors import ScheduleError
from trixy_core.events.names import normalise_event_name

ACTION_TYPES = ("event", "training", "function")


@dataclass(slots=True)
class ActionSpec:
    """A validated action."""

    kind: str
    spec: dict[str, Any]

    def describe(self) -> str:
        """A short human description, e.g. "training wakeword"."""
        if self.kind == "event":
            return f"event {self.spec['event']}"
        if self.kind == "training":
            return f"training {self.spec['trainer']}"
        return f"function {self.spec['function']}"


def parse_action(where: str, spec: Any) -> ActionSpec:
    """Validate one action spec; `ScheduleError` says which schedule/action and what is wrong."""
    if not isinstance(spec, dict):
        raise ScheduleError(f"{where}: an action must be an object with a 'type', got {spec!r}")
    kind = spec.get("type")
    if kind not in ACTION_TYPES:
        raise ScheduleError(f"{where}: unknown action type {kind!r}; use one of {', '.join(ACTION_TYPES)}")
    spec = dict(spec)
    if kind == "event":
        event = spec.get("event")
        if not isinstance(event, str) or not event.strip():
            raise ScheduleError(f"{where}: 'event' must be an event name")
        spec["event"] = normalise_event_name(event)
        if not isinstance(spec.setdefault("data", {}), dict):
            raise ScheduleError(f"{where}: 'data' must be an object")
    elif kind == "training":
        trainer = spec.get("trainer")
        if not isinstance(trainer, str) or not trainer.strip():
            raise ScheduleError(f"{where}: 'trainer' must name a trainer, e.g. \"wakeword\"")
        if not isinstance(spec.setdefault("params", {}), dict):
            raise ScheduleError(f"{where}: 'params' must be an object")
    else:
        function = spec.get("function")
        if not isinstance(function, str) or not function.strip():
            raise ScheduleError(f"{where}: 'function' must name a registered internal function")
        if not isinstance(spec.setdefault("args", {}), dict):
            raise ScheduleError(f"{where}: 'args' must be an object of keyword arguments")
    return ActionSpec(kind, spec)
