"""Spoken dates and times: slots ("tomorrow", "friday", "at three pm", "in two hours") to datetimes and back to
sentences that read naturally with the TTS ("tomorrow at 3 PM", "on Friday, December 11 at 9:30 AM")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MORNING = {"am", "a m", "in the morning", "morning"}
EVENING = {"pm", "p m", "in the afternoon", "in the evening", "at night", "afternoon", "evening", "tonight"}


class WhenError(ValueError):
    """The slots do not make a date or time (the message is said to the user)."""


def day_from_slot(value: Any, today: date) -> date:
    """today / tomorrow / the day after tomorrow / a weekday (the next one; today's weekday means today)."""
    word = str(value or "today").strip().lower()
    if word in ("today", "tonight"):
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word == "the day after tomorrow":
        return today + timedelta(days=2)
    if word in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(word) - today.weekday()) % 7)
    raise WhenError(f"I don't know which day {word} is")


def _number(value: Any, name: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise WhenError(f"I didn't get the {name}") from None


def time_from_slots(slots: dict[str, Any]) -> time | None:
    """`hour` (1-12 or 0-23), optional `minute`, optional `ampm`; None when no hour was said."""
    if slots.get("hour") in (None, ""):
        return None
    hour = _number(slots["hour"], "hour")
    minute = _number(slots.get("minute") or 0, "minute")
    period = str(slots.get("ampm") or "").strip().lower()
    if period in EVENING and hour < 12:
        hour += 12
    elif period in MORNING and hour == 12:
        hour = 0
    elif not period and 1 <= hour <= 7:
        hour += 12  # "at three": an appointment at 3 in the afternoon, not the night
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError(f"{slots['hour']}:{minute:02d} is not a time of day")
    return time(hour, minute)


def start_from_slots(slots: dict[str, Any], now: datetime) -> tuple[datetime | date, bool]:
    """(start, all_day) from the slots: "in N hours/minutes", or a day with an optional time."""
    if slots.get("in_hours") not in (None, "") or slots.get("in_minutes") not in (None, ""):
        delta = timedelta(hours=_number(slots.get("in_hours") or 0, "hours"),
                          minutes=_number(slots.get("in_minutes") or 0, "minutes"))
        return (now + delta).replace(second=0, microsecond=0), False
    day = day_from_slot(slots.get("day"), now.date())
    at = time_from_slots(slots)
    if at is None:
        return day, True
    return datetime.combine(day, at, tzinfo=now.tzinfo), False


def spoken_time(moment: datetime) -> str:
    """3 PM, 9:30 AM."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {ampm}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {ampm}"


def spoken_day(day: date, today: date) -> str:
    """today, tomorrow, on Friday (within a week), on Friday, December 11."""
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    name = WEEKDAYS[day.weekday()].capitalize()
    if today < day < today + timedelta(days=7):
        return f"on {name}"
    return f"on {name}, {day.strftime('%B')} {day.day}"


def spoken_when(start: datetime | date, today: date, *, with_day: bool = True) -> str:
    """"tomorrow at 3 PM", "at 9:30 AM" (without the day), "on Friday" (all day)."""
    if not isinstance(start, datetime):
        return spoken_day(start, today) if with_day else "all day"
    at = f"at {spoken_time(start)}"
    return f"{spoken_day(start.date(), today)} {at}" if with_day else at


def spoken_list(items: list[str]) -> str:
    """a, b and c."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
