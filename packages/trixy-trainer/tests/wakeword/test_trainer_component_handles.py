"""The `trainers` component: found through the core's entry point, real tiny wake-word training through a handle
(progress, events, stop, last run, model info), parameter checks, and the scheduler's trainer runner."""

from __future__ import annotations

import asyncio
import threading
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from trixy_core.application import create_application
from trixy_core.events.data import TrainingProgress
from trixy_trainer.component import TrainerHandle, Trainers, build_trainers, install
from trixy_trainer.errors import ConfigError


def tiny_overrides(chunked: Path) -> list[str]:
    return [
        "data=wakeword", "model=repcnn", f"data.chunked_dir={chunked}", "data.num_workers=0", "data.samples_per_epoch=16",
        "trainer.accelerator=cpu", "trainer.devices=1", "evaluation.split=train", "evaluation.max_positives=4",
        "export.formats=[onnx]",
    ]


def test_entry_point_registers_trainers_and_runner_on_servers_only(tmp_path: Path) -> None:
    names = {ep.name: ep.value for ep in entry_points(group="trixy.components")}
    assert names.get("trainers") == "trixy_trainer.component:install"
    server = create_application("server", root=tmp_path / "server", setup_logging=False)
    assert isinstance(server.trainers, Trainers) and set(server.trainers) == {"wakeword", "speaker"}
    handle = server.trainers["wakeword"]
    assert handle.name == "wakeword" and not handle.running and handle.last_run is None
    assert handle.model_path is None  # no model in a fresh root
    assert handle.default_params == {"batch_size": 64, "min_epochs": 1, "max_epochs": 30, "resume": False}
    assert callable(server.trainer_runner)
    with pytest.raises(ConfigError, match="no trainer named 'nope'"):
        server.trainer_runner("nope", {})
    client = create_application("client", root=tmp_path / "client", setup_logging=False)
    install(client)
    assert client.get("trainers") is None


def test_parameters_map_to_hydra_overrides_and_bad_ones_are_refused(tmp_path: Path) -> None:
    handle = build_trainers(tmp_path)["wakeword"]
    overrides = handle.config_overrides({"batch_size": 8, "min_epochs": 2, "max_epochs": 4, "resume": True})
    assert overrides == ["trainer.min_epochs=2", "trainer.max_epochs=4", "resume=last"]
    with pytest.raises(ConfigError, match="min_epochs"):
        handle.start({"min_epochs": 5, "max_epochs": 2})
    with pytest.raises(ConfigError, match="batch_size"):
        handle.start({"batch_size": 0})
    with pytest.raises(ConfigError, match="unknown parameter"):
        handle.start({"epochs": 3})
    with pytest.raises(ConfigError, match="bad trainer configuration"):
        handle.start({"overrides": ["model=no_such_model"]})
    assert not handle.running and handle.last_run is None
    speaker = build_trainers(tmp_path)["speaker"]
    cfg = speaker._compose(speaker.config_overrides({"batch_size": 10}))
    speaker._set_batch(cfg, 10)
    assert cfg.data.speakers_per_batch == 5  # 10 slices = 5 speakers x 2 utterances


async def test_tiny_training_reports_progress_events_stops_and_exports_a_readable_model(
    tiny_chunked: Path, tmp_path: Path
) -> None:
    root = tmp_path / "trixy"
    app = create_application("server", root=root, setup_logging=False)
    handle: TrainerHandle = app.trainers["wakeword"]
    handle.overrides = tiny_overrides(tiny_chunked)
    events: list[TrainingProgress] = []
    first_epoch = threading.Event()
    app.event_handler.subscribe("training progress", lambda name, data: events.append(data))
    await app.start()
    try:
        original = handle._on_epoch

        def on_epoch(report) -> None:  # stop from "outside" once the first epoch is reported
            original(report)
            first_epoch.set()

        handle._on_epoch = on_epoch
        result = app.trainer_runner("wakeword", {"batch_size": 8, "min_epochs": 1, "max_epochs": 6})
        assert result is handle.outcome and not result.done() and handle.running
        with pytest.raises(ConfigError, match="already running"):
            handle.start({})
        assert await asyncio.to_thread(first_epoch.wait, 30)
        handle.pause()
        assert handle.paused
        handle.stop()  # releases the pause too
        assert await asyncio.to_thread(handle.join, 60)
    finally:
        await app.stop()
    assert handle.last_run["status"] == "stopped", handle.last_run
    assert 1 <= handle.last_run["epochs"] < 6 and handle.last_run["duration_s"] > 0
    assert handle.history and handle.history[0].epoch == 1 and handle.history[0].max_epochs == 6
    assert handle.progress is handle.history[-1] and handle.progress.loss is not None
    assert [e.epoch for e in events if e.status == "running"] == [p.epoch for p in handle.history]
    assert events[-1].status == "stopped" and events[-1].trainer == "wakeword"
    model = handle.model_path
    assert model == root / "models" / "wakeword" / "trixy" / "trixy.onnx"
    info = handle.model_info()
    assert info["classes"] == ["trixy", "system_command", "none"] and info["epochs"] >= 1
    assert (root / "trainer" / "runs" / "wakeword" / "checkpoints" / "last.ckpt").is_file()


def test_a_failing_run_is_recorded_not_raised(tmp_path: Path) -> None:
    handle = build_trainers(tmp_path)["wakeword"]
    handle.overrides = ["data=wakeword", "model=repcnn", f"data.chunked_dir={tmp_path / 'missing'}"]
    handle.start({"max_epochs": 1})
    assert handle.join(30)
    assert handle.last_run["status"] == "failed" and handle.last_run["error"]
    assert handle.progress is None


def test_the_final_progress_event_already_sees_the_run_as_over(tmp_path: Path) -> None:
    """A view redrawn by the run's last event shows its result: the handle no longer says running then."""
    handle = build_trainers(tmp_path)["wakeword"]
    seen: list[tuple[str | None, bool, dict | None]] = []
    handle._emit = lambda name, progress: seen.append((progress.status, handle.running, handle.last_run))
    handle.overrides = ["data=wakeword", "model=repcnn", f"data.chunked_dir={tmp_path / 'missing'}"]
    handle.start({"max_epochs": 1})
    assert handle.join(30)
    assert len(seen) == 1 and seen[0][0] == "failed" and seen[0][1] is False and seen[0][2]["status"] == "failed"


async def test_scheduled_training_that_fails_in_the_background_records_last_error(tmp_path: Path) -> None:
    """A schedule's training action returns at once; the real run fails later in its thread (no data): the
    schedule's `last_error` says so, in memory and in the state file."""
    import json

    app = create_application("server", root=tmp_path, setup_logging=False, overrides=["scheduler.enabled=false"])
    handle: TrainerHandle = app.trainers["wakeword"]
    handle.overrides = ["data=wakeword", "model=repcnn", f"data.chunked_dir={tmp_path / 'missing'}"]
    async with app:
        app.scheduler.add({"name": "nightly training", "triggers": [{"type": "time", "at": "03:00"}],
                           "actions": [{"type": "training", "trainer": "wakeword", "params": {"max_epochs": 1}}]})
        await app.scheduler.run_now("nightly training")
        assert handle.outcome is not None
        assert await asyncio.to_thread(handle.join, 60)
        schedule = app.scheduler.get("nightly training")
        for _ in range(500):
            if schedule.last_error:
                break
            await asyncio.sleep(0.01)
        assert handle.last_run["status"] == "failed"
        assert "training wakeword" in schedule.last_error and "failed in the background" in schedule.last_error
        assert handle.last_run["error"] in schedule.last_error
    state = json.loads((tmp_path / "state" / "schedules.json").read_text())
    assert state["state"]["nightly training"]["last_error"] == schedule.last_error
