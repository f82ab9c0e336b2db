"""iCalendar (RFC 5545) files <-> the calendar's events, through the `icalendar` library.

An event's sync state rides inside the file, so the `.ics` stays the one truth that any calendar program reads:
`X-TRIXY-REV` (revision id), `X-TRIXY-HISTORY` (earlier revisions), `LAST-MODIFIED` (the last edit, which wins a
conflict), `X-TRIXY-HASH` (of the event's data when Trixy last wrote it: an edit made with another program changes
the data but not the hash, and becomes a new revision on load), and deleted events stay as `STATUS:CANCELLED`
tombstones, which calendar programs show as cancelled or hide.

A file that does not parse raises `IcsError` naming the file and the line.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PRODID = "-//Trixy//calendar plugin//EN"
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
_DATE_PROPS = ("DTSTART", "DTEND", "LAST-MODIFIED", "DTSTAMP")


class IcsError(ValueError):
    """An .ics file cannot be used: the message names the file and the line."""


def data_hash(data: dict[str, Any]) -> str:
    """A stable hash of an event's data (what decides "was it edited elsewhere")."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def check_lines(text: str, source: str) -> None:
    """Line checks the parser does not report with a line number: content-line syntax, BEGIN/END nesting and
    date values. Raises `IcsError("<file>, line N: ...")`."""
    from icalendar.prop import vDDDTypes

    stack: list[tuple[str, int]] = []
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + raw[1:])
        elif raw.strip():
            logical.append((number, raw))
    if not logical or logical[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise IcsError(f"{source}, line {logical[0][0] if logical else 1}: an iCalendar file starts with "
                       "BEGIN:VCALENDAR")
    for number, line in logical:
        if not _CONTENT_LINE.match(line):
            raise IcsError(f"{source}, line {number}: not a 'NAME:value' content line: {line[:60]!r}")
        name, _, value = line.partition(":")
        prop = name.split(";")[0].upper()
        if prop == "BEGIN":
            stack.append((value.strip().upper(), number))
        elif prop == "END":
            if not stack or stack[-1][0] != value.strip().upper():
                opened = f"{stack[-1][0]} of line {stack[-1][1]}" if stack else "nothing"
                raise IcsError(f"{source}, line {number}: END:{value.strip()} closes {opened}")
            stack.pop()
        elif prop in _DATE_PROPS:
            try:
                vDDDTypes.from_ical(value.strip())
            except (ValueError, TypeError) as exc:
                raise IcsError(f"{source}, line {number}: {prop} {value.strip()!r} is not a date or time "
                               f"({exc})") from exc
    if stack:
        raise IcsError(f"{source}, line {stack[-1][1]}: BEGIN:{stack[-1][0]} is never closed")


def parse(text: str, source: str) -> Any:
    """A checked `icalendar.Calendar`; `IcsError` naming the file and line."""
    from icalendar import Calendar

    check_lines(text, source)
    try:
        return Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError) as exc:
        raise IcsError(f"{source}: not valid iCalendar ({exc})") from exc


def _when(value: Any) -> tuple[str, bool]:
    """(ISO text, all-day) of a DTSTART/DTEND value, times in UTC; naive (floating) times are taken as UTC."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(), False
    if isinstance(value, date):
        return value.isoformat(), True
    raise ValueError(f"unsupported date value {value!r}")


def from_component(component: Any) -> dict[str, Any]:
    """An event's data (plain values) from a VEVENT."""
    start, all_day = _when(component.decoded("DTSTART")) if component.get("DTSTART") is not None else ("", False)
    end = _when(component.decoded("DTEND"))[0] if component.get("DTEND") is not None else ""
    rrule = component.get("RRULE")
    alarm = 0
    for sub in component.subcomponents:
        trigger = sub.get("TRIGGER") if sub.name == "VALARM" else None
        if trigger is not None and isinstance(trigger.dt, timedelta):
            alarm = max(0, int(-trigger.dt.total_seconds() // 60))
    return {"summary": str(component.get("SUMMARY", "")), "start": start, "end": end, "all_day": all_day,
            "rrule": rrule.to_ical().decode() if rrule is not None else "", "reminder_min": alarm,
            "room": str(component.get("X-TRIXY-ROOM", "")), "description": str(component.get("DESCRIPTION", ""))}


def read_events(path: Path) -> dict[str, dict[str, Any]]:
    """uid -> {data, modified, rev, history, deleted, hash} of every VEVENT in the file ({} when it is missing)."""
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IcsError(f"{path}: cannot read ({exc})") from exc
    calendar = parse(text, str(path))
    events: dict[str, dict[str, Any]] = {}
    for component in calendar.walk("VEVENT"):
        uid = str(component.get("UID", "")).strip()
        if not uid:
            raise IcsError(f"{path}: an event without UID ({component.get('SUMMARY', '?')})")
        try:
            data = from_component(component)
        except (ValueError, KeyError) as exc:
            raise IcsError(f"{path}: event {uid}: {exc}") from exc
        modified = component.get("LAST-MODIFIED")
        events[uid] = {
            "data": data,
            "modified": modified.dt.timestamp() if modified is not None and isinstance(modified.dt, datetime) else 0.0,
            "rev": str(component.get("X-TRIXY-REV", "")),
            "history": [h for h in str(component.get("X-TRIXY-HISTORY", "")).split(",") if h],
            "deleted": str(component.get("STATUS", "")).upper() == "CANCELLED",
            "hash": str(component.get("X-TRIXY-HASH", "")),
        }
    return events


def _value(text: str, all_day: bool) -> date | datetime:
    return date.fromisoformat(text[:10]) if all_day else datetime.fromisoformat(text)


def to_text(events: dict[str, dict[str, Any]], name: str) -> str:
    """The .ics text of a calendar (events in the `read_events` shape)."""
    from icalendar import Alarm, Calendar, Event, vRecur

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("X-WR-CALNAME", name)
    for uid, entry in sorted(events.items(), key=lambda kv: (kv[1]["data"].get("start", ""), kv[0])):
        data = entry["data"]
        event = Event()
        event.add("UID", uid)
        event.add("DTSTAMP", datetime.fromtimestamp(entry["modified"] or 0, UTC))
        event.add("LAST-MODIFIED", datetime.fromtimestamp(entry["modified"] or 0, UTC))
        event.add("SUMMARY", data.get("summary", ""))
        if data.get("start"):
            event.add("DTSTART", _value(data["start"], bool(data.get("all_day"))))
        if data.get("end"):
            event.add("DTEND", _value(data["end"], bool(data.get("all_day"))))
        if data.get("rrule"):
            event.add("RRULE", vRecur.from_ical(data["rrule"]))
        if data.get("description"):
            event.add("DESCRIPTION", data["description"])
        if data.get("room"):
            event.add("X-TRIXY-ROOM", data["room"])
        if entry.get("deleted"):
            event.add("STATUS", "CANCELLED")
        if data.get("reminder_min"):
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", data.get("summary", "Reminder"))
            alarm.add("TRIGGER", timedelta(minutes=-int(data["reminder_min"])))
            event.add_component(alarm)
        event.add("X-TRIXY-REV", entry["rev"])
        if entry.get("history"):
            event.add("X-TRIXY-HISTORY", ",".join(entry["history"]))
        event.add("X-TRIXY-HASH", data_hash(data))
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
