"""The schedule manager with a faked clock: triggers, actions, persistence across restart, misfire rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from trixy_core.errors import ScheduleError
from trixy_core.events import names
from trixy_core.scheduler import ScheduleManager


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 7, 0, tzinfo=UTC))  # a Wednesday


def make(handler, tmp_path, clock, **kwargs) -> ScheduleManager:
    calls = kwargs.pop("calls", [])
    functions = {"note": lambda text="": calls.append(("note", text))}
    return ScheduleManager(
        handler,
        tmp_path / "schedules.json",
        functions=functions,
        trainer_runner=lambda trainer, params: calls.append(("train", trainer, params)),
        timezone=UTC,
        clock=clock,
        **kwargs,
    )


MORNING = {
    "name": "morning",
    "description": "wake up routine",
    "triggers": [{"type": "time", "at": "07:30"}, {"type": "cron", "expression": "0 12 * * *"}],
    "actions": [
        {"type": "event", "event": "Say", "data": {"text": "Good morning"}},
        {"type": "function", "function": "note", "args": {"text": "morning ran"}},
        {"type": "training", "trainer": "wakeword", "params": {"max_epochs": 3}},
    ],
}


async def test_time_trigger_fires_every_action_and_raises_schedule_events(handler, tmp_path, clock):
    calls: list = []
    seen: list = []
    handler.subscribe("schedule *", lambda n, d: seen.append((n, d)), threaded=False)
    handler.subscribe(names.SAY, lambda n, d: seen.append((n, d)), threaded=False)
    manager = make(handler, tmp_path, clock, calls=calls)
    await manager.start(run_loop=False)
    schedule = manager.add(MORNING)
    assert schedule.next_run == datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    assert await manager.run_due(clock.advance(minutes=29)) == []
    assert await manager.run_due(clock.advance(minutes=1)) == ["morning"]
    assert calls == [("note", "morning ran"), ("train", "wakeword", {"max_epochs": 3})]
    assert [n for n, _ in seen] == [names.SCHEDULE_TRIGGERED, names.SAY, names.SCHEDULE_FINISHED]
    assert seen[0][1].trigger == "time 07:30" and seen[1][1] == {"text": "Good morning"}
    assert seen[2][1].ok and seen[2][1].name == "morning"
    assert schedule.last_triggered == clock.now and schedule.last_duration_s is not None and schedule.runs == 1
    assert schedule.next_run == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the cron trigger is next
    await manager.close()


async def test_schedules_and_state_survive_a_restart_and_missed_runs_follow_the_misfire_rule(
    handler, tmp_path, clock
):
    calls: list = []
    first = make(handler, tmp_path, clock, calls=calls)
    await first.start(run_loop=False)
    first.add({"name": "hourly", "triggers": [{"type": "cron", "expression": "0 * * * *"}], "actions": [{"type": "function", "function": "note", "args": {"text": "tick"}}]})
    first.add({"name": "daily", "triggers": [{"type": "time", "at": "08:00"}], "actions": [{"type": "function", "function": "note", "args": {"text": "day"}}]})
    await first.run_due(clock.advance(hours=1))  # 08:00: both fire
    assert sorted(c[1] for c in calls) == ["day", "tick"]
    await first.close()
    stored = json.loads((tmp_path / "schedules.json").read_text())
    assert [s["name"] for s in stored["schedules"]] == ["hourly", "daily"]
    assert all("state" not in s for s in stored["schedules"])  # definitions only: runs go to the state file
    state = json.loads(first.state_path.read_text())
    assert state["state"]["hourly"]["runs"] == 1 and first.state_path != first.path

    # stopped for 3.5 hours: "hourly" missed 09:00, 10:00, 11:00 -> made up ONCE (11:00 is 30 min late, grace 1 h);
    # "daily" next run is tomorrow, nothing missed.
    calls.clear()
    clock.advance(hours=3, minutes=30)
    second = make(handler, tmp_path, clock, calls=calls)
    await second.start(run_loop=False)
    assert calls == [("note", "tick")]
    hourly = second.get("hourly")
    assert hourly.runs == 2 and hourly.next_run == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert second.get("daily").runs == 1
    assert second.get("daily").last_triggered == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    await second.close()

    # stopped for two days: the missed run is older than the grace -> skipped, no run
    calls.clear()
    clock.now = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    third = make(handler, tmp_path, clock, calls=calls, misfire_grace_s=600)
    await third.start(run_loop=False)
    assert calls == []
    assert third.get("hourly").next_run == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    await third.close()


async def test_weekday_date_and_interval_triggers_compute_the_right_next_run(handler, tmp_path, clock):
    manager = make(handler, tmp_path, clock)
    await manager.start(run_loop=False)
    weekend = manager.add({"name": "weekend", "triggers": [{"type": "weekday", "days": ["Saturday", "sun"], "at": "09:15"}], "actions": [{"type": "event", "event": "x"}]})
    assert weekend.next_run == datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
    once = manager.add({"name": "once", "triggers": [{"type": "date", "at": "2026-11-25T07:05:00+00:00"}], "actions": [{"type": "event", "event": "x"}]})
    every = manager.add({"name": "every", "triggers": [{"type": "interval", "minutes": 20}], "actions": [{"type": "event", "event": "x"}]})
    assert every.triggers[0].spec["start"] == "2026-11-25T07:00:00+00:00"
    assert every.next_run == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert sorted(await manager.run_due(clock.advance(minutes=5))) == ["every", "once"]
    assert once.next_run is None and every.next_run == datetime(2026, 11, 25, 7, 20, tzinfo=UTC)
    assert await manager.run_due(clock.advance(minutes=10)) == []
    await manager.close()


async def test_event_trigger_fires_on_matching_events_but_not_on_its_own(handler, tmp_path, clock):
    calls: list = []
    manager = make(handler, tmp_path, clock, calls=calls)
    await manager.start(run_loop=False)
    manager.add({"name": "greet", "triggers": [{"type": "event", "event": "satellite *"}], "actions": [{"type": "function", "function": "note", "args": {"text": "hi"}}]})
    manager.add({"name": "chain", "triggers": [{"type": "event", "event": "schedule finished"}], "actions": [{"type": "function", "function": "note", "args": {"text": "after"}}]})
    await handler.trigger("Satellite_Connected", None)
    for _ in range(5):
        await handler.drain(2)
        if manager._runs:
            import asyncio

            await asyncio.wait(list(manager._runs), timeout=2)
    await handler.drain(2)
    assert calls == [("note", "hi"), ("note", "after")]  # "chain" ran after "greet" but not after itself
    await handler.trigger("text received", None)
    await handler.drain(2)
    assert len(calls) == 2
    await manager.close()


async def test_disabled_schedule_does_not_fire_and_the_flag_is_persisted(handler, tmp_path, clock):
    calls: list = []
    manager = make(handler, tmp_path, clock, calls=calls)
    await manager.start(run_loop=False)
    manager.add({**MORNING, "actions": [{"type": "function", "function": "note"}]})
    manager.set_enabled("morning", False)
    assert manager.get("morning").status == "disabled"
    assert await manager.run_due(clock.advance(hours=1)) == []
    stored = json.loads((tmp_path / "schedules.json").read_text())
    assert stored["schedules"][0]["enabled"] is False
    manager.set_enabled("morning", True)
    assert manager.get("morning").next_run == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    await manager.run_now("morning")
    assert calls == [("note", "")] and manager.get("morning").status == clock.now.isoformat(timespec="seconds")
    await manager.close()


async def test_failing_action_is_recorded_and_the_other_actions_still_run(handler, tmp_path, clock):
    calls: list = []
    finished: list = []
    handler.subscribe(names.SCHEDULE_FINISHED, lambda n, d: finished.append(d), threaded=False)
    manager = make(handler, tmp_path, clock, calls=calls)
    manager.trainer_runner = None
    await manager.start(run_loop=False)
    manager.add({"name": "mixed", "triggers": [{"type": "time", "at": "07:01"}], "actions": [
        {"type": "function", "function": "missing"},
        {"type": "training", "trainer": "wakeword"},
        {"type": "function", "function": "note", "args": {"text": "last"}},
    ]})
    await manager.run_due(clock.advance(minutes=1))
    assert calls == [("note", "last")]
    assert not finished[0].ok and len(finished[0].errors) == 2
    assert "no internal function named 'missing'" in finished[0].errors[0]
    assert "no trainer runner" in manager.get("mixed").last_error
    await manager.close()


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"name": "", "triggers": [], "actions": []}, "schedule name"),
        ({"name": "a", "triggers": [], "actions": [{"type": "event", "event": "x"}]}, "'triggers' must be a non-empty list"),
        ({"name": "a", "triggers": [{"type": "time", "at": "25:00"}], "actions": [{"type": "event", "event": "x"}]}, "trigger 1: 'at' must be a time of day"),
        ({"name": "a", "triggers": [{"type": "cron", "expression": "61 * * * *"}], "actions": [{"type": "event", "event": "x"}]}, "invalid cron expression"),
        ({"name": "a", "triggers": [{"type": "weekday", "days": ["funday"]}], "actions": [{"type": "event", "event": "x"}]}, "unknown weekday"),
        ({"name": "a", "triggers": [{"type": "interval", "seconds": 0}], "actions": [{"type": "event", "event": "x"}]}, "at least 1 second"),
        ({"name": "a", "triggers": [{"type": "sunrise"}], "actions": [{"type": "event", "event": "x"}]}, "unknown trigger type 'sunrise'"),
        ({"name": "a", "triggers": [{"type": "event", "event": "x"}], "actions": [{"type": "reboot"}]}, "action 1: unknown action type"),
        ({"name": "a", "triggers": [{"type": "event", "event": "x"}], "actions": [{"type": "training"}]}, "'trainer' must name a trainer"),
    ],
)
async def test_invalid_schedules_are_rejected_with_a_clear_error(handler, tmp_path, clock, definition, expected):
    manager = make(handler, tmp_path, clock)
    await manager.start(run_loop=False)
    with pytest.raises(ScheduleError, match=expected):
        manager.add(definition)
    assert manager.schedules == []
    await manager.close()


async def test_invalid_entry_in_the_file_is_reported_and_kept(handler, tmp_path, clock):
    bad = {"name": "bad", "triggers": [{"type": "time", "at": "noon"}], "actions": [{"type": "event", "event": "x"}]}
    (tmp_path / "schedules.json").write_text(json.dumps({"schedules": [bad, MORNING]}))
    manager = make(handler, tmp_path, clock)
    await manager.start(run_loop=False)
    assert [s.name for s in manager.schedules] == ["morning"]
    assert "schedule 'bad' trigger 1" in manager.problems[0]
    manager.remove("morning")
    assert json.loads((tmp_path / "schedules.json").read_text())["schedules"] == [bad]
    with pytest.raises(ScheduleError, match="already exists"):
        manager.add(MORNING) and manager.add(MORNING)
    await manager.close()


async def test_run_loop_fires_a_due_schedule_on_its_own(handler, tmp_path, clock):
    import asyncio

    calls: list = []
    manager = make(handler, tmp_path, clock, calls=calls)
    await manager.start(run_loop=True)
    manager.add({"name": "soon", "triggers": [{"type": "date", "at": "2026-11-25T07:00:00+00:00"}], "actions": [{"type": "function", "function": "note"}]})
    for _ in range(200):
        if calls:
            break
        await asyncio.sleep(0.01)
    assert calls == [("note", "")]
    await manager.close()


async def test_scheduler_disabled_by_config_loads_schedules_but_never_fires(tmp_path):
    from trixy_core.application import create_application

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "schedules.json").write_text(json.dumps({"schedules": [
        {"name": "on event", "triggers": [{"type": "event", "event": "x"}], "actions": [{"type": "function", "function": "log_message", "args": {"message": "m"}}]}
    ]}))
    app = create_application("server", root=tmp_path, overrides=["scheduler.enabled=false"], setup_logging=False)
    finished: list = []
    app.event_handler.subscribe(names.SCHEDULE_FINISHED, lambda n, d: finished.append(d), threaded=False)
    async with app:
        assert [s.name for s in app.scheduler.schedules] == ["on event"]
        await app.event_handler.trigger("x")
        await app.event_handler.drain(1)
    assert finished == []


async def test_running_never_rewrites_the_definitions_file_and_keeps_its_mode(handler, tmp_path, clock):
    """The shipped schedules.json is configuration: runs, saves and restarts leave its bytes and mode alone."""
    import os

    shipped = json.dumps({"schedules": [MORNING]}, indent=4)  # a person's formatting, not ours
    path = tmp_path / "schedules.json"
    path.write_text(shipped)
    os.chmod(path, 0o644)
    state_path = tmp_path / "state" / "schedules.json"
    calls: list = []
    manager = make(handler, tmp_path, clock, calls=calls, state_path=state_path)
    await manager.start(run_loop=False)
    await manager.run_due(clock.advance(minutes=30))  # 07:30: MORNING fires
    assert ("note", "morning ran") in calls
    await manager.close()
    assert path.read_text() == shipped and (path.stat().st_mode & 0o777) == 0o644
    assert json.loads(state_path.read_text())["state"]["morning"]["runs"] == 1

    again = make(handler, tmp_path, clock, state_path=state_path)
    await again.start(run_loop=False)
    assert again.get("morning").runs == 1 and again.get("morning").last_triggered is not None
    again.set_enabled("morning", False)  # an edit of the definition: written, mode kept, no run state inside
    await again.close()
    stored = json.loads(path.read_text())
    assert stored["schedules"][0]["enabled"] is False and "state" not in stored["schedules"][0]
    assert (path.stat().st_mode & 0o777) == 0o644


async def test_runtime_schedules_live_in_the_state_file_only(handler, tmp_path, clock):
    """A timer the app makes for itself survives a restart without entering the shipped schedules file."""
    path = tmp_path / "schedules.json"
    path.write_text(json.dumps({"schedules": []}))
    before = path.read_bytes()
    manager = make(handler, tmp_path, clock)
    await manager.start(run_loop=False)
    manager.add({"name": "timer-1", "triggers": [{"type": "date", "at": "2026-11-25T08:00:00+00:00"}],
                 "actions": [{"type": "function", "function": "note"}]}, runtime=True)
    await manager.close()
    assert path.read_bytes() == before
    again = make(handler, tmp_path, clock)
    await again.start(run_loop=False)
    assert again.get("timer-1").runtime and again.get("timer-1").next_run is not None
    again.remove("timer-1")
    await again.close()
    assert path.read_bytes() == before
    assert json.loads(again.state_path.read_text())["runtime_schedules"] == []


async def test_old_files_with_state_blocks_still_load_and_a_damaged_state_file_is_kept_aside(handler, tmp_path, clock):
    legacy = {**MORNING, "state": {"runs": 7, "last_error": "old failure", "last_triggered": None}}
    (tmp_path / "schedules.json").write_text(json.dumps({"schedules": [legacy]}))
    manager = make(handler, tmp_path, clock)
    manager.state_path.write_text("{not json")
    await manager.start(run_loop=False)
    assert manager.get("morning").runs == 7 and manager.get("morning").last_error == "old failure"
    assert any("invalid JSON" in p for p in manager.problems)
    assert [p.name.split(".damaged-")[0] for p in tmp_path.glob("*.damaged-*")] == [manager.state_path.name]
    await manager.close()
    assert json.loads(manager.state_path.read_text())["state"]["morning"]["runs"] == 7


async def test_a_training_that_fails_in_the_background_is_recorded_in_last_error(handler, tmp_path, clock):
    """The trainer runner returns at once with the run's outcome future; the failure comes later, from a thread."""
    import asyncio
    import concurrent.futures
    import threading

    release = threading.Event()

    def runner(trainer: str, params: dict) -> concurrent.futures.Future:
        outcome: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            release.wait(10)
            outcome.set_exception(RuntimeError(f"training {trainer} failed: no chunked data"))

        threading.Thread(target=run, daemon=True).start()
        return outcome

    manager = make(handler, tmp_path, clock)
    manager.trainer_runner = runner
    await manager.start(run_loop=False)
    manager.add({"name": "nightly", "triggers": [{"type": "time", "at": "03:00"}],
                 "actions": [{"type": "training", "trainer": "wakeword"}]})
    await manager.run_now("nightly")
    assert manager.get("nightly").last_error == ""  # started fine; the run has not ended yet
    release.set()
    for _ in range(500):
        if manager.get("nightly").last_error:
            break
        await asyncio.sleep(0.01)
    error = manager.get("nightly").last_error
    assert "action 1 (training wakeword): failed in the background" in error and "no chunked data" in error
    assert "no chunked data" in json.loads(manager.state_path.read_text())["state"]["nightly"]["last_error"]
    await manager.close()
