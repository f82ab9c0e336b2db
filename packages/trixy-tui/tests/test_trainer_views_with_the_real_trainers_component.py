"""The F6 views on the `trainers` component that trixy-trainer installs through the core's entry point (found by
`create_application`, never imported by the TUI): list, model metadata, a start that fails for lack of data."""

from __future__ import annotations

import pytest

from trixy_tui.screens.trainer_detail import TrainerView
from trixy_tui.screens.trainers import TrainersView
from trixy_tui.widgets import InfoTable


@pytest.fixture
def real_trainers(core_app):
    trainers = core_app.get("trainers")
    if trainers is None or type(trainers).__module__ != "trixy_trainer.component":
        pytest.skip("trixy-trainer (its trixy.components entry point) is not installed")
    yield trainers
    for handle in trainers.values():
        handle.stop()
        handle.join(30)


async def test_real_trainers_are_listed_show_their_model_and_report_a_failed_start(core_app, kit, real_trainers,
                                                                                  trixy_root, monkeypatch):
    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "trixy-test")
    kit.write_model(trixy_root / "models" / "wakeword" / "trixy" / "trixy.pth", sample_rate=16000,
                    technology="repcnn", classes=["trixy", "system_command", "none"], threshold=0.7)
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TrainersView)
        table = pilot.app.screen.query_one("#trainers-table")
        assert {table.get_row_at(i)[0] for i in range(table.row_count)} == {"wakeword", "speaker"}
        assert all(table.get_row_at(i)[1] == "never run" for i in range(table.row_count))
        table.focus()
        table.move_cursor(row=table.get_row_index("wakeword"))
        await pilot.press("enter")
        await pilot.pause()
        view = pilot.app.screen
        assert isinstance(view, TrainerView) and view.item_name == "wakeword"
        assert view.query_one("#trainer-info", InfoTable).values["Model file"].endswith("trixy/trixy.pth")
        await pilot.press("f2")
        await pilot.pause()
        meta = view.query_one("#trainer-model", InfoTable).values
        assert meta["technology"] == "repcnn" and meta["threshold"] == "0.7"
        await pilot.press("f3")
        await pilot.pause()
        assert view.query_one("#param-batch_size").value == "64", "defaults come from the real handle"
        view.query_one("#param-max_epochs").value = "1"
        real_trainers["wakeword"].overrides = ["data=wakeword", "model=repcnn"]  # the recipe that reads prepared data
        await kit.click(pilot, "#train-start")  # this root holds no prepared data: the run fails and says so
        assert real_trainers["wakeword"].join(60)
        await kit.wait_for(lambda: view.query_one("#trainer-status", InfoTable).values.get("Last run result")
                           == "failed", pilot, 10)
        assert real_trainers["wakeword"].last_run["error"]
