"""F5 Schedule and the schedule sub-main view against the real schedule manager (and its schedules.json)."""

from __future__ import annotations

import json

from textual.widgets import Input, TextArea

from trixy_tui.screens.schedule_detail import ScheduleView
from trixy_tui.screens.schedules import SchedulesView
from trixy_tui.widgets import InfoTable


async def open_schedules(pilot) -> SchedulesView:
    await pilot.press("f5")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SchedulesView)
    return pilot.app.screen


def stored(core_app) -> dict:
    return {s["name"]: s for s in json.loads(core_app.scheduler.path.read_text())["schedules"]}


async def test_list_shows_never_and_disabled_then_the_last_run_time(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_schedules(pilot)
        rows = {r[0]: r for r in view.rows()}
        assert rows["greet on connect"][1] == "never"
        assert rows["nightly reload"][1] == "disabled"
        assert rows["greet on connect"][3] == "event satellite connected"
        view.select("greet on connect")
        await kit.click(pilot, "#sched-run")
        await kit.wait_for(lambda: core_app.scheduler.get("greet on connect").runs == 1, pilot)
        view.refresh_view()
        rows = {r[0]: r for r in view.rows()}
        assert rows["greet on connect"][1][:2] == "20", "the last trigger time replaces 'never'"


async def test_add_form_adds_a_schedule_and_remove_deletes_it(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_schedules(pilot)
        view.query_one("#sched-name", Input).value = "tea time"
        view.query_one("#sched-description", Input).value = "Remind me."
        view.query_one("#sched-trigger", Input).value = '{"type": "weekday", "days": ["mon"], "at": "16:00"}'
        await kit.click(pilot, "#sched-add")
        assert "tea time" in stored(core_app)
        assert stored(core_app)["tea time"]["triggers"][0]["days"] == ["mon"]
        assert "tea time" in [r[0] for r in view.rows()]
        view.select("tea time")
        await kit.click(pilot, "#sched-remove")
        assert core_app.scheduler.get("tea time") is None and "tea time" not in stored(core_app)


async def test_invalid_schedule_is_refused_inline_and_nothing_is_added(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_schedules(pilot)
        before = core_app.scheduler.path.read_bytes()
        view.query_one("#sched-name", Input).value = "bad"
        view.query_one("#sched-trigger", Input).value = '{"type": "time", "at": "25:99"}'
        await kit.click(pilot, "#sched-add")
        error = view.query_one("#sched-add-error")
        assert error.display and "bad" in error.render().plain
        view.query_one("#sched-trigger", Input).value = "{not json"
        await kit.click(pilot, "#sched-add")
        assert "not valid JSON" in error.render().plain
        assert core_app.scheduler.get("bad") is None
        assert core_app.scheduler.path.read_bytes() == before


async def test_enable_disable_button_toggles_the_selected_schedule(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_schedules(pilot)
        view.select("nightly reload")
        await kit.click(pilot, "#sched-toggle")
        assert core_app.scheduler.get("nightly reload").enabled
        assert stored(core_app)["nightly reload"]["enabled"] is True
        await kit.click(pilot, "#sched-toggle")
        assert not core_app.scheduler.get("nightly reload").enabled


async def test_schedule_sub_view_shows_info_and_saves_edited_triggers_and_actions(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_schedules(pilot)
        view.select("greet on connect")
        await kit.click(pilot, "#sched-open")
        detail = pilot.app.screen
        assert isinstance(detail, ScheduleView)
        await kit.wait_for(lambda: detail.title, pilot)  # set when the view has mounted
        assert detail.title == "Trixy Server - Schedule: greet on connect"
        info = detail.query_one("#sched-info", InfoTable).values
        assert info["Description"] == "Log when a satellite connects." and info["Last triggered"] == "never"
        await kit.click(pilot, "#sched-detail-run")
        await kit.wait_for(lambda: core_app.scheduler.get("greet on connect").runs == 1, pilot)
        detail.refresh_view()
        info = detail.query_one("#sched-info", InfoTable).values
        assert info["Runs"] == "1" and info["Last duration"].endswith(" s") and info["Last result"] == "ok"
        await kit.click(pilot, "#sched-detail-toggle")
        assert not core_app.scheduler.get("greet on connect").enabled

        await pilot.press("f2")
        await pilot.pause()
        assert detail.pane == "triggers"
        area = detail.query_one("#sched-triggers-json", TextArea)
        area.text = json.dumps([{"type": "event", "event": "satellite connected"}, {"type": "time", "at": "08:15"}])
        await kit.click(pilot, "#sched-save-triggers")
        assert [t.describe() for t in core_app.scheduler.get("greet on connect").triggers] == [
            "event satellite connected", "time 08:15"]
        assert core_app.scheduler.get("greet on connect").runs == 1, "editing keeps the run history"

        await pilot.press("f3")
        await pilot.pause()
        area = detail.query_one("#sched-actions-json", TextArea)
        area.text = json.dumps([{"type": "nonsense"}])
        await kit.click(pilot, "#sched-save-actions")
        error = detail.query_one("#sched-actions-error")
        assert error.display and "unknown action type" in error.render().plain
        assert core_app.scheduler.get("greet on connect").actions[0].kind == "function", "unchanged"
        area.text = json.dumps([{"type": "event", "event": "say", "data": {"text": "hi"}}])
        await kit.click(pilot, "#sched-save-actions")
        assert stored(core_app)["greet on connect"]["actions"][0]["event"] == "say"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SchedulesView)
