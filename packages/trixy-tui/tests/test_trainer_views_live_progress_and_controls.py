"""F6 ML Trainer and the trainer sub-main view: list with last run / live epoch, model metadata from a real model
file, live progress (bar, epoch time, ETA, loss/accuracy plot), start/pause/resume/stop with parameters."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, ProgressBar, Sparkline

from trixy_tui.screens.trainer_detail import TrainerView
from trixy_tui.screens.trainers import TrainersView
from trixy_tui.widgets import InfoTable


@pytest.fixture
def trainers(core_app, kit, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "trixy-test")
    model = kit.write_model(tmp_path / "models" / "wakeword.pth", sample_rate=16000, technology="repcnn",
                            classes=["custom", "system_command", "none"], threshold=0.8, author="tests",
                            description="test wake word")
    emit = core_app.event_handler.emit
    handles = {"wakeword": kit.LoopTrainer("wakeword", model, emit=emit), "speaker": kit.LoopTrainer("speaker", emit=emit)}
    core_app.register("trainers", handles, replace=True)  # replaces trixy-trainer's real handles
    yield handles
    for handle in handles.values():
        handle.stop()
        handle.join()


async def open_trainer(pilot, name: str) -> TrainerView:
    await pilot.press("f6")
    await pilot.pause()
    view = pilot.app.screen
    assert isinstance(view, TrainersView)
    table = view.query_one("#trainers-table")
    table.focus()
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TrainerView)
    return pilot.app.screen


async def test_trainer_list_shows_never_run_then_live_epoch_then_last_run(core_app, kit, trainers):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = pilot.app.screen.query_one("#trainers-table")
        assert [table.get_row_at(i)[1] for i in range(2)] == ["never run", "never run"]
        trainers["speaker"].epoch_s = 0.3
        trainers["speaker"].start({"max_epochs": 3, "batch_size": 8, "min_epochs": 1, "resume": False})
        await kit.wait_for(lambda: "(running)" in table.get_row_at(table.get_row_index("speaker"))[1], pilot)
        assert table.get_row_at(table.get_row_index("speaker"))[1].startswith("epoch ")
        trainers["speaker"].join()
        await kit.wait_for(lambda: table.get_row_at(table.get_row_index("speaker"))[1].endswith(": finished"), pilot)


async def test_model_info_pane_reads_the_model_metadata(core_app, kit, trainers):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = pilot.app.screen.query_one("#trainers-table")
        table.move_cursor(row=table.get_row_index("wakeword"))
        await kit.click(pilot, "#trainer-open")
        view = pilot.app.screen
        assert isinstance(view, TrainerView) and view.item_name == "wakeword"
        await kit.wait_for(lambda: view.title, pilot)  # set when the view has mounted
        assert view.title == "Trixy Server - ML Trainer: wakeword"
        assert view.query_one("#trainer-info", InfoTable).values["State"] == "never run"
        await pilot.press("f2")
        await pilot.pause()
        meta = view.query_one("#trainer-model", InfoTable).values
        assert meta["technology"] == "repcnn" and meta["threshold"] == "0.8" and meta["author"] == "tests"
        assert "training_date" in meta and "computer_name" in meta
        await pilot.press("escape")
        await open_trainer(pilot, "speaker")
        await pilot.press("f2")
        await pilot.pause()
        assert "no model file" in pilot.app.screen.query_one("#trainer-model", InfoTable).values["Model"]


async def test_model_info_without_the_password_says_why(core_app, kit, trainers, monkeypatch):
    monkeypatch.delenv("TRIXY_MODEL_PASSWORD")
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_trainer(pilot, "wakeword")
        await pilot.press("f2")
        await pilot.pause()
        assert "TRIXY_MODEL_PASSWORD" in view.query_one("#trainer-model", InfoTable).values["Model"]


async def test_start_pause_resume_stop_with_parameters_and_live_progress(core_app, kit, trainers):
    handle = trainers["wakeword"]
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_trainer(pilot, "wakeword")
        await pilot.press("f3")
        await pilot.pause()
        assert view.query_one("#param-batch_size", Input).value == "16", "defaults come from the trainer"
        view.query_one("#param-batch_size", Input).value = "64"
        view.query_one("#param-max_epochs", Input).value = "200"
        view.query_one("#param-resume", Checkbox).value = True
        await kit.click(pilot, "#train-start")
        assert handle.started_with == {"batch_size": 64, "min_epochs": 1, "max_epochs": 200, "resume": True}
        await kit.wait_for(lambda: len(handle.history) >= 3, pilot)
        await kit.click(pilot, "#train-pause")
        assert handle.paused
        await kit.wait_for(lambda: view.query_one("#trainer-status", InfoTable).values.get("State") == "paused", pilot)
        status = view.query_one("#trainer-status", InfoTable).values
        assert status["Epoch"].endswith(" of 200") and status["Epoch time"].endswith("s")
        assert status["Time left (ETA)"] != "-"
        bar = view.query_one("#trainer-progress", ProgressBar)
        assert bar.total == 200 and bar.progress >= 3
        losses = view.query_one("#plot-loss", Sparkline).data
        assert len(losses) >= 3 and losses[0] > losses[-1], "the loss plot falls as the model trains"
        assert view.query_one("#plot-acc", Sparkline).data[-1] > 0.8
        await kit.click(pilot, "#train-resume")
        assert not handle.paused
        await kit.click(pilot, "#train-stop")
        handle.join()
        assert handle.last_run["status"] == "stopped"
        await kit.wait_for(lambda: view.query_one("#trainer-status", InfoTable).values.get("Last run result")
                           == "stopped", pilot)


async def test_invalid_training_parameters_are_refused_inline(core_app, kit, trainers):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_trainer(pilot, "wakeword")
        await pilot.press("f3")
        await pilot.pause()
        view.query_one("#param-min_epochs", Input).value = "9"
        view.query_one("#param-max_epochs", Input).value = "3"
        await kit.click(pilot, "#train-start")
        error = view.query_one("#trainer-param-error")
        assert error.display and "Min epochs" in error.render().plain
        assert not trainers["wakeword"].running


async def test_trainer_views_without_a_trainers_component_say_not_available(core_app, kit):
    core_app.unregister("trainers")  # trixy-trainer, where installed, registers real ones
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert "not available" in pilot.app.screen.query_one("#trainers-missing").render().plain
