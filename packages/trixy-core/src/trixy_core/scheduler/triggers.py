"""Schedule triggers: JSON specs validated into APScheduler 3.x triggers (or an event pattern).

    {"type": "date", "at": "2026-12-24T18:00:00"}              once
    {"type": "time", "at": "07:30"}                            every day at 07:30 (seconds optional)
    {"type": "weekday", "days": ["mon", "fri"], "at": "07:30"} on those weekdays
    {"type": "cron", "expression": "*/15 6-22 * * *"}          crontab (minute hour day month weekday)
    {"type": "interval", "seconds": 90, "minutes": 0, "hours": 0, "start": "2026-01-01T00:00:00"}
    {"type": "event", "event": "satellite connected"}          whenever that event is raised (patterns allowed)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from trixy_core.errors import ScheduleError
from trixy_core.events.names import normalise_pattern

TRIGGER_TYPES = ("date", "time", "weekday", "cron", "interval", "event")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


@dataclass(slots=True)
class TriggerSpec:
    """A validated trigger: the JSON it came from plus the APScheduler trigger (None for event triggers)."""

    kind: str
    spec: dict[str, Any]
    trigger: BaseTrigger | None = None
    event_pattern: str | None = None

    def describe(self) -> str:
        """A short human description, e.g. "time 07:30" or "event satellite connected"."""
        s = self.spec
        if self.kind == "date":
            return f"date {s['at']}"
        if self.kind == "time":
            return f"time {s['at']}"
        if self.kind == "weekday":
            return f"weekday {','.join(s['days'])} {s['at']}"
        if self.kind == "cron":
            return f"cron {s['expression']}"
        if self.kind == "interval":
            return f"interval {interval_seconds(s):g}s"
        return f"event {self.event_pattern}"

    def next_fire(self, after: datetime) -> datetime | None:
        """The first fire time at or after `after` (None for event triggers and past dates)."""
        if self.trigger is None:
            return None
        fire = self.trigger.get_next_fire_time(None, after)
        if fire is None or fire < after:
            return None
        return fire


def interval_seconds(spec: dict[str, Any]) -> float:
    """Total seconds of an interval trigger spec."""
    return float(spec.get("seconds", 0)) + 60.0 * float(spec.get("minutes", 0)) + 3600.0 * float(spec.get("hours", 0))


def _parse_time(where: str, value: Any) -> tuple[int, int, int]:
    if not isinstance(value, str) or not (m := _TIME.match(value.strip())):
        raise ScheduleError(f"{where}: 'at' must be a time of day like \"07:30\" or \"07:30:15\", got {value!r}")
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def _parse_datetime(where: str, key: str, value: Any, tz: tzinfo) -> datetime:
    if not isinstance(value, str):
        raise ScheduleError(f"{where}: '{key}' must be an ISO date-time like \"2026-12-24T18:00:00\", got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ScheduleError(
            f"{where}: '{key}' must be an ISO date-time like \"2026-12-24T18:00:00\", got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_trigger(where: str, spec: Any, tz: tzinfo) -> TriggerSpec:
    """Validate one trigger spec; `ScheduleError` says which schedule/trigger and what is wrong."""
    if not isinstance(spec, dict):
        raise ScheduleError(f"{where}: a trigger must be an object with a 'type', got {spec!r}")
    kind = spec.get("type")
    if kind not in TRIGGER_TYPES:
        raise ScheduleError(f"{where}: unknown trigger type {kind!r}; use one of {', '.join(TRIGGER_TYPES)}")
    spec = dict(spec)
    try:
        if kind == "date":
            return TriggerSpec(kind, spec, DateTrigger(_parse_datetime(where, "at", spec.get("at"), tz), timezone=tz))
        if kind == "time":
            h, m, s = _parse_time(where, spec.get("at"))
            return TriggerSpec(kind, spec, CronTrigger(hour=h, minute=m, second=s, timezone=tz))
        if kind == "weekday":
            days = spec.get("days")
            if isinstance(days, str):
                days = [d.strip() for d in days.split(",")]
            if not isinstance(days, list) or not days:
                raise ScheduleError(f"{where}: 'days' must be a list like [\"mon\", \"fri\"]")
            norm = [str(d).strip().lower()[:3] for d in days]
            bad = [d for d, n in zip(days, norm, strict=True) if n not in WEEKDAYS]
            if bad:
                raise ScheduleError(f"{where}: unknown weekday(s) {bad}; use {', '.join(WEEKDAYS)}")
            h, m, s = _parse_time(where, spec.get("at", "00:00"))
            spec["days"] = norm
            spec.setdefault("at", "00:00")
            return TriggerSpec(
                kind, spec, CronTrigger(day_of_week=",".join(norm), hour=h, minute=m, second=s, timezone=tz)
            )
        if kind == "cron":
            expression = spec.get("expression")
            if not isinstance(expression, str):
                raise ScheduleError(f"{where}: 'expression' must be a crontab string like \"*/15 * * * *\"")
            try:
                trigger = CronTrigger.from_crontab(expression, timezone=tz)
            except ValueError as exc:
                raise ScheduleError(f"{where}: invalid cron expression {expression!r}: {exc}") from None
            return TriggerSpec(kind, spec, trigger)
        if kind == "interval":
            for key in ("seconds", "minutes", "hours"):
                value = spec.get(key, 0)
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ScheduleError(f"{where}: '{key}' must be a number >= 0, got {value!r}")
            total = interval_seconds(spec)
            if total < 1:
                raise ScheduleError(f"{where}: an interval must be at least 1 second, got {total:g}")
            if "start" not in spec:
                raise ScheduleError(f"{where}: interval trigger needs 'start' (added automatically by add())")
            start = _parse_datetime(where, "start", spec["start"], tz)
            return TriggerSpec(kind, spec, IntervalTrigger(seconds=total, start_date=start, timezone=tz))
        pattern = spec.get("event")
        if not isinstance(pattern, str):
            raise ScheduleError(f"{where}: 'event' must be an event name like \"satellite connected\"")
        try:
            normal = normalise_pattern(pattern)
        except ValueError as exc:
            raise ScheduleError(f"{where}: {exc}") from None
        return TriggerSpec(kind, spec, None, normal)
    except ScheduleError:
        raise
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"{where}: {exc}") from None


def with_interval_start(spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Interval triggers are anchored at a start time so the rhythm survives restarts; default: now."""
    if spec.get("type") == "interval" and "start" not in spec:
        return {**spec, "start": (now + timedelta(seconds=0)).isoformat(timespec="seconds")}
    return spec
