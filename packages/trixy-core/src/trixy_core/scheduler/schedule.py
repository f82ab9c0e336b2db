"""`Schedule`: a named entry with several triggers and actions, plus its run state (persisted)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from trixy_core.errors import ScheduleError
from trixy_core.scheduler.actions import ActionSpec, parse_action
from trixy_core.scheduler.triggers import TriggerSpec, parse_trigger

_NAME = re.compile(r"^\S(.{0,78}\S)?$")


@dataclass(slots=True)
class Schedule:
    """A schedule: name (unique), triggers, actions, enabled flag and what happened last time."""

    name: str
    triggers: list[TriggerSpec]
    actions: list[ActionSpec]
    description: str = ""
    enabled: bool = True
    last_triggered: datetime | None = None
    last_duration_s: float | None = None
    last_error: str = ""
    next_run: datetime | None = None
    runs: int = 0
    running: bool = field(default=False, compare=False)

    @property
    def status(self) -> str:
        """"disabled", "never" or the last trigger time (how the TUI's schedule list shows it)."""
        if not self.enabled:
            return "disabled"
        if self.last_triggered is None:
            return "never"
        return self.last_triggered.isoformat(timespec="seconds")

    def next_fire(self, after: datetime) -> datetime | None:
        """The earliest time-based fire time at or after `after`, or None."""
        times = [t for t in (trig.next_fire(after) for trig in self.triggers) if t is not None]
        return min(times) if times else None

    def event_triggers(self) -> list[TriggerSpec]:
        """The triggers that react to events."""
        return [t for t in self.triggers if t.kind == "event"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to schedules.json."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "triggers": [dict(t.spec) for t in self.triggers],
            "actions": [dict(a.spec) for a in self.actions],
            "state": {
                "last_triggered": iso(self.last_triggered),
                "last_duration_s": self.last_duration_s,
                "last_error": self.last_error,
                "next_run": iso(self.next_run),
                "runs": self.runs,
            },
        }

    @classmethod
    def from_dict(cls, data: Any, tz: tzinfo) -> Schedule:
        """Validate a schedule's JSON; `ScheduleError` names the schedule and the trigger/action at fault."""
        if not isinstance(data, dict):
            raise ScheduleError(f"a schedule must be an object with name, triggers and actions, got {data!r}")
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ScheduleError(f"schedule name must be 1-80 characters without leading/trailing blanks, got {name!r}")
        where = f"schedule '{name}'"
        triggers = data.get("triggers")
        actions = data.get("actions")
        if not isinstance(triggers, list) or not triggers:
            raise ScheduleError(f"{where}: 'triggers' must be a non-empty list")
        if not isinstance(actions, list) or not actions:
            raise ScheduleError(f"{where}: 'actions' must be a non-empty list")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ScheduleError(f"{where}: 'enabled' must be true or false, got {enabled!r}")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise ScheduleError(f"{where}: 'description' must be a string")
        schedule = cls(
            name=name,
            triggers=[parse_trigger(f"{where} trigger {i + 1}", t, tz) for i, t in enumerate(triggers)],
            actions=[parse_action(f"{where} action {i + 1}", a) for i, a in enumerate(actions)],
            description=description,
            enabled=enabled,
        )
        state = data.get("state") or {}
        if isinstance(state, dict):
            schedule.last_triggered = _read_time(state.get("last_triggered"))
            duration = state.get("last_duration_s")
            schedule.last_duration_s = float(duration) if isinstance(duration, int | float) else None
            schedule.last_error = str(state.get("last_error") or "")
            schedule.next_run = _read_time(state.get("next_run"))
            runs = state.get("runs", 0)
            schedule.runs = runs if isinstance(runs, int) else 0
        return schedule


def _read_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
