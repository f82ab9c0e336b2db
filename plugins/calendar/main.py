"""Calendar: appointments in iCalendar files, asked for and added by voice, reminded through the scheduler, synced.

* Storage: `<folder>/household.ics` for everybody and `<folder>/people/<speaker>.ics` for a speaker the voice
  recognition identified (ics.py, store.py). Any calendar program can open, import or export them; a file that does
  not parse is refused with file and line and the calendar is kept as it was.
* Voice (sentences.yaml): "what's on my calendar today / tomorrow / on Friday", "add dentist tomorrow at three pm",
  "add call mum in two hours", "what is my next appointment", "cancel the dentist".
* Reminders: `reminder_min` (default 10) before each occurrence in the next `reminder_horizon_days`, a date schedule
  in the core scheduler raises `calendar reminder`; it is spoken on the satellite the event was created from, or on
  every satellite (`remind_on`: room or all).
* Sync: `sync(remote)` merges every calendar both ways (later edit wins per event, tombstones, no duplicates).

Use from other code: `calendar.add(summary, start, ...)`, `calendar.upcoming(5)` (the TUI), `calendar.occurrences(a, b)`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, SayRequested
from trixy_core.plugins import TrixyPlugin
from trixy_server.errors import SyncError

from .ics import IcsError, to_text
from .store import CalendarFile
from .when import WhenError, spoken_list, spoken_time, spoken_when, start_from_slots

logger = logging.getLogger(__name__)

HOUSEHOLD = "household"
REMINDER_EVENT = "calendar reminder"
PREFIX = "calendar-"
_NAME = re.compile(r"[^a-z0-9_-]+")


def _spoken(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", str(text).lower()).split())


class CalendarPlugin(TrixyPlugin):
    """Household and personal calendars (.ics), voice, reminders and sync."""

    version = "1.0.0"
    description = "Appointments in iCalendar files: by voice, with reminders, synced with the server."
    raises_events = (names.SAY, REMINDER_EVENT)  # the reminder through the scheduler

    def on_load(self) -> None:
        """Open the calendars in `folder` and plan the reminders."""
        self.scheduler = self.application.get("scheduler")
        self.clock = getattr(self.scheduler, "clock", None) or (lambda: datetime.now().astimezone())
        folder = Path(str(self.config.get("folder", "data/calendar")))
        self.folder = folder if folder.is_absolute() else Path(self.application.root) / folder
        self.calendars: dict[str, CalendarFile] = {}
        self.calendar(HOUSEHOLD)
        for path in sorted((self.folder / "people").glob("*.ics")):
            self.calendar(f"people/{path.stem}")
        self.refresh_reminders()

    # -- calendars ----------------------------------------------------------------------------------------------
    def calendar(self, name: str) -> CalendarFile:
        """The calendar `household` or `people/<name>` (created empty)."""
        if name not in self.calendars:
            if name != HOUSEHOLD:
                person = _NAME.sub("_", name.removeprefix("people/").lower()).strip("_")
                if not person:
                    raise ValueError(f"bad calendar name {name!r}")
                name = f"people/{person}"
            if name not in self.calendars:
                self.calendars[name] = CalendarFile(self.folder / f"{name}.ics", name,
                                                    clock=lambda: self.clock().timestamp())
        return self.calendars[name]

    def calendars_for(self, speaker: str = "") -> list[CalendarFile]:
        """The household calendar, plus the speaker's own when the speaker is known."""
        found = [self.calendar(HOUSEHOLD)]
        if speaker:
            found.append(self.calendar(f"people/{speaker}"))
        for calendar in found:
            calendar.reload()  # picks up edits made with another program
        return found

    def add(self, summary: str, start: datetime | date, *, speaker: str = "", room: str = "",
            duration: timedelta = timedelta(hours=1), reminder_min: int | None = None, rrule: str = "") -> str:
        """Add an event (to the speaker's calendar when known); returns its UID."""
        all_day = not isinstance(start, datetime)
        if all_day:
            data_start, data_end = start.isoformat(), (start + timedelta(days=1)).isoformat()
        else:
            data_start, data_end = start.astimezone(UTC).isoformat(), (start + duration).astimezone(UTC).isoformat()
        minutes = int(self.config.get("reminder_min", 10)) if reminder_min is None else int(reminder_min)
        calendar = self.calendars_for(speaker)[-1]
        uid = calendar.put({"summary": summary.strip(), "start": data_start, "end": data_end, "all_day": all_day,
                            "rrule": rrule, "reminder_min": 0 if all_day else minutes, "room": room,
                            "description": ""})
        self.refresh_reminders()
        return uid

    def edit(self, uid: str, calendar: str = HOUSEHOLD, **changes: Any) -> None:
        """Change fields of an event's data (summary, start, end, reminder_min, ...); KeyError when there is none."""
        book = self.calendar(calendar)
        current = book.live().get(uid)
        if current is None:
            raise KeyError(f"no event {uid!r} in calendar {calendar}")
        book.put({**current, **changes}, uid)
        self.refresh_reminders()

    def cancel(self, uid: str, calendar: str = HOUSEHOLD) -> bool:
        """Cancel an event (a tombstone that syncs); False when there is no such live event."""
        done = self.calendar(calendar).delete(uid)
        self.refresh_reminders()
        return done

    def import_ics(self, path: Path, calendar: str = HOUSEHOLD) -> int:
        """Merge an .ics file of another program into a calendar; `IcsError` (file and line) keeps it unchanged."""
        count = self.calendar(calendar).import_text(Path(path).read_text(encoding="utf-8"), str(path))
        self.refresh_reminders()
        return count

    def occurrences(self, start: datetime, end: datetime, speaker: str = "") -> list[dict[str, Any]]:
        """Occurrences starting in [start, end) (recurring events expanded), soonest first."""
        import recurring_ical_events
        from icalendar import Calendar

        found = []
        for calendar in self.calendars_for(speaker):
            live = {uid: e for uid, e in calendar.events.items() if not e["deleted"]}
            if not live:
                continue
            parsed = Calendar.from_ical(to_text(live, calendar.name))
            for component in recurring_ical_events.of(parsed).between(start, end):
                at = component.decoded("DTSTART")
                key = at if isinstance(at, datetime) else datetime.combine(at, datetime.min.time(), self.clock().tzinfo)
                uid = str(component.get("UID"))
                found.append({"uid": uid, "calendar": calendar.name, "start": at, "sort": key.astimezone(UTC),
                              **{k: v for k, v in live[uid]["data"].items() if k != "start"}})
        return sorted(found, key=lambda o: o["sort"])

    def upcoming(self, limit: int = 5, days: int = 30) -> list[dict[str, Any]]:
        """The next events of every calendar (for the TUI): {when, summary, calendar, room}."""
        now = self.clock()
        for name in list(self.calendars):
            self.calendars[name].reload()
        out = []
        for name, calendar in sorted(self.calendars.items()):
            for o in self._between(calendar, now, now + timedelta(days=days)):
                out.append({"when": spoken_when(self._local(o["start"]), now.date()), "summary": o["summary"],
                            "calendar": name, "room": o.get("room", ""), "sort": o["sort"]})
        return [{k: v for k, v in o.items() if k != "sort"} for o in sorted(out, key=lambda o: o["sort"])[:limit]]

    def _between(self, calendar: CalendarFile, start: datetime, end: datetime) -> list[dict[str, Any]]:
        speaker = calendar.name.removeprefix("people/") if calendar.name != HOUSEHOLD else ""
        return [o for o in self.occurrences(start, end, speaker) if o["calendar"] == calendar.name]

    def _local(self, moment: datetime | date) -> datetime | date:
        return moment.astimezone(self.clock().tzinfo) if isinstance(moment, datetime) else moment

    # -- reminders ----------------------------------------------------------------------------------------------
    def refresh_reminders(self) -> None:
        """Make the scheduler hold exactly one date schedule per coming reminder (within the horizon)."""
        if self.scheduler is None:
            return
        now = self.clock()
        horizon = now + timedelta(days=float(self.config.get("reminder_horizon_days", 14)))
        wanted: dict[str, dict[str, Any]] = {}
        for name in list(self.calendars):
            speaker = name.removeprefix("people/") if name != HOUSEHOLD else ""
            for o in self.occurrences(now, horizon, speaker):
                if o["calendar"] != name or not o.get("reminder_min") or not isinstance(o["start"], datetime):
                    continue
                at = o["start"] - timedelta(minutes=int(o["reminder_min"]))
                if at <= now:
                    continue
                key = hashlib.sha256(f"{o['uid']}|{o['start'].isoformat()}".encode()).hexdigest()[:12]
                wanted[f"{PREFIX}{key}"] = {"at": at, "occurrence": o}
        for schedule in list(self.scheduler.schedules):
            if schedule.name.startswith(PREFIX) and schedule.name not in wanted:
                self.scheduler.remove(schedule.name)
        for name, item in wanted.items():
            if self.scheduler.get(name) is not None:
                continue
            o = item["occurrence"]
            self.scheduler.add({
                "name": name, "description": f"calendar reminder: {o['summary']}",
                "triggers": [{"type": "date", "at": item["at"].isoformat()}],
                "actions": [{"type": "event", "event": REMINDER_EVENT, "data": {
                    "uid": o["uid"], "summary": o["summary"], "start": o["start"].isoformat(),
                    "room": o.get("room", ""), "calendar": o["calendar"]}}],
            })

    @TrixyEvent([REMINDER_EVENT])
    async def on_reminder(self, event_name: str, event_data: Any) -> None:
        """Say the reminder on the room's satellite (or all of them), then plan the next ones."""
        data = event_data if isinstance(event_data, dict) else {}
        start = self._local(datetime.fromisoformat(str(data.get("start"))))
        text = str(self.config.get("reminder_reply", "Reminder: {summary} at {time}")).format(
            summary=data.get("summary", "an appointment"), time=spoken_time(start))
        rooms = [str(data.get("room") or "")]
        if self.config.get("remind_on", "room") == "all" or not rooms[0]:
            manager = self.application.get("satellite_manager")
            connected = [s.id for s in getattr(manager, "satellites", []) if getattr(s, "connected", False)]
            rooms = connected or rooms
        for satellite in rooms:
            await self.trigger(names.SAY, SayRequested(text, satellite_id=satellite, source=self.name))
        self.refresh_reminders()

    # -- voice --------------------------------------------------------------------------------------------------
    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """CalendarList / CalendarNext / CalendarAdd / CalendarCancel."""
        intent = event_data.intent
        if intent not in ("CalendarList", "CalendarNext", "CalendarAdd", "CalendarCancel"):
            return
        try:
            reply = getattr(self, f"_answer_{intent.removeprefix('Calendar').lower()}")(event_data)
        except WhenError as exc:
            reply = str(exc)
        conversation = self.application.conversations.get(event_data.conversation_id)
        if conversation is not None and conversation.is_open:
            await conversation.say(reply, source=self.name)
            await conversation.end("answered")
        else:
            await self.trigger(names.SAY, SayRequested(reply, satellite_id=event_data.satellite_id, source=self.name))

    def _phrase(self, o: dict[str, Any], today: date, with_day: bool) -> str:
        return f"{o['summary']} {spoken_when(self._local(o['start']), today, with_day=with_day)}"

    def _answer_list(self, data: IntentReceived) -> str:
        now = self.clock()
        start, _ = start_from_slots({"day": (data.slots or {}).get("day") or "today"}, now)
        begin = datetime.combine(start, datetime.min.time(), now.tzinfo)
        if start == now.date():
            begin = now
        found = self.occurrences(begin, datetime.combine(start + timedelta(days=1), datetime.min.time(), now.tzinfo),
                                 data.speaker_name)
        when = spoken_when(start, now.date())
        if not found:
            return f"Nothing is on your calendar {when}."
        items = spoken_list([self._phrase(o, now.date(), with_day=False) for o in found])
        count = "one appointment" if len(found) == 1 else f"{len(found)} appointments"
        return f"You have {count} {when}: {items}."

    def _answer_next(self, data: IntentReceived) -> str:
        now = self.clock()
        found = self.occurrences(now, now + timedelta(days=366), data.speaker_name)
        if not found:
            return "You have no appointments coming up."
        return f"Your next appointment is {self._phrase(found[0], now.date(), with_day=True)}."

    def _answer_add(self, data: IntentReceived) -> str:
        slots = data.slots or {}
        title = str(slots.get("title") or "").strip()
        if not title:
            return "What should I add?"
        now = self.clock()
        start, _ = start_from_slots(slots, now)
        self.add(title, start, speaker=data.speaker_name, room=data.satellite_id)
        return f"Added {title} {spoken_when(start, now.date())}."

    def _answer_cancel(self, data: IntentReceived) -> str:
        wanted = _spoken((data.slots or {}).get("title") or "")
        now = self.clock()
        for o in self.occurrences(now - timedelta(hours=1), now + timedelta(days=366), data.speaker_name):
            if wanted and (_spoken(o["summary"]) == wanted or wanted in _spoken(o["summary"])):
                self.calendar(o["calendar"]).delete(o["uid"])
                self.refresh_reminders()
                return f"Cancelled {self._phrase(o, now.date(), with_day=True)}."
        return f"I found no appointment called {wanted}."

    # -- sync ---------------------------------------------------------------------------------------------------
    async def sync(self, remote: Any) -> dict[str, Any]:
        """Merge every calendar with the other side (see store.py for the rule)."""
        if remote.role == "server":
            incoming = remote.request.get("calendars") or {}
            if not isinstance(incoming, dict):
                raise SyncError("calendar sync needs {calendars: {name: [events]}}")
            changed = {}
            for name, records in incoming.items():
                changed[name] = len(self._merge(str(name), records))
            return {"calendars": {n: c.records() for n, c in self.calendars.items()}, "changed": changed}
        for calendar in self.calendars.values():
            calendar.reload()
        reply = await remote.exchange({"calendars": {n: c.records() for n, c in self.calendars.items()}})
        received = 0
        for name, records in (reply.get("calendars") or {}).items():
            received += len(self._merge(str(name), records))
        return {"received": received, "sent_changed": reply.get("changed", {})}

    def _merge(self, name: str, records: Any) -> list[str]:
        if not isinstance(records, list):
            raise SyncError(f"calendar {name}: events must be a list")
        try:
            calendar = self.calendar(name)
        except ValueError as exc:
            raise SyncError(str(exc)) from exc
        changed = calendar.merge(records)
        if changed:
            self.refresh_reminders()
        return changed


__all__ = ["CalendarPlugin", "IcsError"]
