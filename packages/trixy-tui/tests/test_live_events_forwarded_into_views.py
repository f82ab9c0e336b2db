"""The TUI is driven by the application's events: the app subscribes while it runs and hands each event to the view
on screen; a view takes only its own `LIVE_EVENTS` (and a trainer view only its own trainer's progress)."""

from __future__ import annotations

from trixy_core.events import names
from trixy_core.events.data import TrainingProgress
from trixy_tui.live import LIVE_PATTERNS, OWNER
from trixy_tui.screens.trainer_detail import TrainerView
from trixy_tui.screens.trainers import TrainersView


async def test_app_subscribes_while_running_and_unsubscribes_on_exit(core_app, kit):
    handler = core_app.event_handler
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.pause()
        assert sorted(s.pattern for s in handler.subscriptions(OWNER)) == sorted(LIVE_PATTERNS)
    assert handler.subscriptions(OWNER) == []


async def test_trainer_views_redraw_on_their_events_only(core_app, kit):
    trainer = kit.LoopTrainer("speaker")  # no emit: this test raises the events itself
    core_app.register("trainers", {"speaker": trainer}, replace=True)
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        view = pilot.app.screen
        assert isinstance(view, TrainersView) and view.POLL_S is None
        table = view.query_one("#trainers-table")
        trainer.last_run = {"finished_at": 0, "status": "stopped"}
        await core_app.event_handler.trigger(names.SCHEDULE_FINISHED, {})  # not one of the view's events
        await pilot.pause()
        assert table.get_row_at(0)[1] == "never run"
        await core_app.event_handler.trigger(names.TRAINING_PROGRESS, TrainingProgress("speaker", status="stopped"))
        await kit.wait_for(lambda: table.get_row_at(0)[1].endswith(": stopped"), pilot)

        view.select("speaker")
        await pilot.press("enter")
        await pilot.pause()
        detail = pilot.app.screen
        assert isinstance(detail, TrainerView) and detail.POLL_S is None
        other = TrainingProgress("wakeword", epoch=2, max_epochs=9)
        await core_app.event_handler.trigger(names.TRAINING_PROGRESS, other)
        await pilot.pause()
        assert detail.progress is None
        mine = TrainingProgress("speaker", epoch=3, max_epochs=9)
        await core_app.event_handler.trigger(names.TRAINING_PROGRESS, mine)
        await kit.wait_for(lambda: detail.progress is mine, pilot)


async def test_a_burst_of_events_costs_a_few_redraws_not_one_each(core_app, kit):
    trainer = kit.LoopTrainer("speaker")
    core_app.register("trainers", {"speaker": trainer}, replace=True)
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        view = pilot.app.screen
        table = view.query_one("#trainers-table")
        redraws: list[int] = []
        draw = view.refresh_view
        view.refresh_view = lambda: (redraws.append(1), draw())[1]
        burst = [core_app.event_handler.trigger(names.TRAINING_PROGRESS, TrainingProgress("speaker", epoch=i,
                                                                                         max_epochs=50))
                 for i in range(50)]
        for dispatch in burst:
            await dispatch
        trainer.last_run = {"finished_at": 0, "status": "finished"}
        await core_app.event_handler.trigger(names.TRAINING_PROGRESS, TrainingProgress("speaker", status="finished"))
        await kit.wait_for(lambda: table.get_row_at(0)[1].endswith(": finished"), pilot)
        assert 1 <= len(redraws) <= 5, f"{len(redraws)} redraws for 51 events"
