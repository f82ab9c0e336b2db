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
    runtime: bool = field(default=False, compare=False)
    """Made by the running app for itself (a timer): kept in the state file, never in the shipped schedules file."""

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

    def definition(self) -> dict[str, Any]:
        """What a person writes in schedules.json: name, description, enabled, triggers, actions (no run state)."""
        return {
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "triggers": [dict(t.spec) for t in self.triggers],
            "actions": [dict(a.spec) for a in self.actions],
        }

    def state_dict(self) -> dict[str, Any]:
        """The run state (last run, its error, next run, run count): written to the state file only."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "last_triggered": iso(self.last_triggered),
            "last_duration_s": self.last_duration_s,
            "last_error": self.last_error,
            "next_run": iso(self.next_run),
            "runs": self.runs,
        }

    def apply_state(self, state: Any) -> None:
        """Take over a stored run state (unknown or malformed values are ignored)."""
        if not isinstance(state, dict):
            return
        self.last_triggered = _read_time(state.get("last_triggered"))
        duration = state.get("last_duration_s")
        self.last_duration_s = float(duration) if isinstance(duration, int | float) else None
        self.last_error = str(state.get("last_error") or "")
        self.next_run = _read_time(state.get("next_run"))
        runs = state.get("runs", 0)
        self.runs = runs if isinstance(runs, int) else 0

    def to_dict(self) -> dict[str, Any]:
        """The definition with its run state (what the TUI edits and shows)."""
        return {**self.definition(), "state": self.state_dict()}

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
        schedule.apply_state(data.get("state"))  # files written before the state file existed kept it here
        return schedule


def _read_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
