"""The calendar plugin in a real standalone application: .ics storage any program reads, voice (list, next, add,
cancel) with spoken dates and times, reminders through the scheduler on a fake clock, personal calendars, and broken
files refused with file and line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar, Event

from trixy_core.events import names
from trixy_core.events.data import TextReceived

# the clock of conftest: Wednesday, November 25, 2026, 14:05 UTC


async def ask(app, recorder, text: str, satellite: str = "kitchen", speaker: str = "") -> str:
    conversation = await app.conversations.open(satellite)
    before = len(recorder.of(names.CONVERSATION_ENDED))
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived(text, conversation.id, satellite,
                                                                      speaker_name=speaker))
    await recorder.wait_for(names.CONVERSATION_ENDED, count=before + 1)
    return recorder.of(names.TTS_RECEIVED)[-1].text


@pytest.fixture
def calendar(app):
    return app.plugin_manager["calendar"]


async def test_add_by_voice_lands_in_an_ics_file_another_program_reads(app, recorder, calendar):
    assert await ask(app, recorder, "add dentist tomorrow at three pm") == "Added dentist tomorrow at 3 PM."
    assert await ask(app, recorder, "add team meeting on friday at nine thirty am") == \
        "Added team meeting on Friday at 9:30 AM."
    assert await ask(app, recorder, "add call mum in two hours") == "Added call mum today at 4:05 PM."
    assert await ask(app, recorder, "add haircut on monday") == "Added haircut on Monday."

    path = app.root / "data" / "calendar" / "household.ics"
    parsed = Calendar.from_ical(path.read_bytes())  # the plain library, as any other program would read it
    events = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"dentist", "team meeting", "call mum", "haircut"}
    assert events["dentist"].decoded("DTSTART") == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert events["haircut"].decoded("DTSTART").isoformat() == "2026-11-30"  # all day
    assert [a["TRIGGER"].dt for a in events["dentist"].walk("VALARM")] == [timedelta(minutes=-10)]

    assert await ask(app, recorder, "what's on my calendar tomorrow") == \
        "You have one appointment tomorrow: dentist at 3 PM."
    assert await ask(app, recorder, "what's on my calendar today") == \
        "You have one appointment today: call mum at 4:05 PM."
    assert await ask(app, recorder, "what is my next appointment") == \
        "Your next appointment is call mum today at 4:05 PM."
    assert await ask(app, recorder, "what do I have on saturday") == "Nothing is on your calendar on Saturday."
    assert await ask(app, recorder, "cancel the dentist") == "Cancelled dentist tomorrow at 3 PM."
    assert await ask(app, recorder, "what's on my calendar tomorrow") == "Nothing is on your calendar tomorrow."
    cancelled = {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in
                 Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    assert cancelled["dentist"] == "CANCELLED"  # a tombstone, so the cancellation syncs
    assert await ask(app, recorder, "cancel the dentist") == "I found no appointment called dentist."
    assert [e["summary"] for e in calendar.upcoming(3)] == ["call mum", "team meeting", "haircut"]


async def test_an_identified_speaker_gets_a_personal_calendar_beside_the_household(app, recorder, calendar):
    await ask(app, recorder, "add yoga tomorrow at seven pm", speaker="Anna")
    await ask(app, recorder, "add plumber tomorrow at ten am")
    assert (app.root / "data" / "calendar" / "people" / "anna.ics").is_file()
    assert await ask(app, recorder, "what's on my calendar tomorrow", speaker="Anna") == \
        "You have 2 appointments tomorrow: plumber at 10 AM and yoga at 7 PM."
    assert await ask(app, recorder, "what's on my calendar tomorrow") == \
        "You have one appointment tomorrow: plumber at 10 AM."


async def test_reminders_fire_through_the_scheduler_on_the_room_they_were_made_in(app, recorder, calendar, clock):
    await ask(app, recorder, "add dentist today at three pm", satellite="office")
    clock.advance(44 * 60)  # 14:49: one minute before the reminder
    assert await app.scheduler.run_due() == []
    clock.advance(60)
    assert len(await app.scheduler.run_due()) == 1
    [said] = await recorder.wait_for(names.TTS_RECEIVED, where=lambda d: d.text.startswith("Reminder"))
    assert said.text == "Reminder: dentist at 3 PM" and said.satellite_id == "office"
    await app.event_handler.drain(2)
    assert [s for s in app.scheduler.schedules if s.name.startswith("calendar-") and s.next_run] == []


async def test_a_weekly_event_from_another_program_repeats_and_reminds_each_time(app, recorder, calendar, clock):
    source = Calendar()
    source.add("PRODID", "-//other program//EN")
    source.add("VERSION", "2.0")
    choir = Event()
    choir.add("UID", "choir-1@elsewhere")
    choir.add("SUMMARY", "choir")
    choir.add("DTSTART", datetime(2026, 11, 20, 18, 0, tzinfo=UTC))  # a Friday
    choir.add("DTEND", datetime(2026, 11, 20, 20, 0, tzinfo=UTC))
    choir.add("RRULE", {"FREQ": "WEEKLY"})
    source.add_component(choir)
    exported = app.root / "export.ics"
    exported.write_bytes(source.to_ical())
    assert calendar.import_ics(exported) == 1
    assert "choir-1@elsewhere" in (app.root / "data" / "calendar" / "household.ics").read_text()  # written, kept
    assert await ask(app, recorder, "what's on my calendar on friday") == \
        "You have one appointment on Friday: choir at 6 PM."
    now = clock()
    weeks = [o["start"] for o in calendar.occurrences(now, now + timedelta(days=21))]
    assert [d.day for d in weeks] == [27, 4, 11]
    assert len([s for s in app.scheduler.schedules if s.name.startswith("calendar-")]) == 0  # no VALARM there


async def test_a_broken_ics_is_refused_with_file_and_line_and_the_calendar_is_kept(app, recorder, calendar, caplog):
    await ask(app, recorder, "add dentist tomorrow at three pm")
    path = app.root / "data" / "calendar" / "household.ics"
    good = path.read_text()
    lines = good.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("DTSTART"))
    lines[at] = "DTSTART:tomorrow-ish"
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.ERROR):
        answer = await ask(app, recorder, "what's on my calendar tomorrow")
    assert answer == "You have one appointment tomorrow: dentist at 3 PM."  # the old calendar is kept
    assert f"{path}, line {at + 1}: DTSTART 'tomorrow-ish' is not a date or time" in caplog.text
    assert calendar.calendar("household").problem.startswith(f"{path}, line {at + 1}")

    bad = app.root / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nSUMMARY no colon here\nEND:VEVENT\n"
                   "END:VCALENDAR\n")
    with pytest.raises(Exception, match=r"bad.ics, line 5: not a 'NAME:value' content line"):
        calendar.import_ics(bad)
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20261127T100000Z\nEND:VCALENDAR\n")
    with pytest.raises(Exception, match=r"bad.ics, line 5: END:VCALENDAR closes VEVENT of line 2"):
        calendar.import_ics(bad)
    assert [e["summary"] for e in calendar.calendar("household").live().values()] == ["dentist"]


async def test_an_edit_made_with_another_program_becomes_a_new_revision(app, recorder, calendar):
    await ask(app, recorder, "add dentist tomorrow at three pm")
    household = calendar.calendar("household")
    [(uid, entry)] = household.events.items()
    rev = entry["rev"]
    path = household.path
    path.write_text(path.read_text().replace("SUMMARY:dentist", "SUMMARY:dentist (bring x-rays)"))
    household.reload()
    edited = household.events[uid]
    assert edited["data"]["summary"] == "dentist (bring x-rays)"
    assert edited["rev"] != rev and rev in edited["history"]


async def test_a_file_broken_before_start_is_kept_aside_when_the_calendar_is_next_written(app, recorder, calendar):
    household = calendar.calendar("household")
    broken = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nSUMMARY:piano lesson\nDTSTART:20261127T16\n" \
             "END:VEVENT\nEND:VCALENDAR\n"
    household.path.parent.mkdir(parents=True, exist_ok=True)
    household.path.write_text(broken)
    assert household.reload() is False and "line 6" in household.problem
    assert await ask(app, recorder, "add dentist tomorrow at three pm") == "Added dentist tomorrow at 3 PM."
    assert household.path.with_name("household.ics.broken").read_text() == broken  # the hand edit is not lost
    assert household.problem == "" and [e["summary"] for e in household.live().values()] == ["dentist"]
