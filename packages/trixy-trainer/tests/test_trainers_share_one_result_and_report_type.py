"""Both trainers return the same `TrainResult`; the per-epoch report is `EpochReport`, not a second class named like
the core's `TrainingProgress` event data."""

from __future__ import annotations

import typing

from trixy_core.events.data import TrainingProgress
from trixy_trainer import progress
from trixy_trainer.result import TrainResult
from trixy_trainer.speaker.train import train_speakers
from trixy_trainer.wakeword.train import train_wakeword


def test_both_trainers_return_the_one_train_result() -> None:
    assert typing.get_type_hints(train_wakeword)["return"] is TrainResult
    assert typing.get_type_hints(train_speakers)["return"] is TrainResult


def test_epoch_report_is_not_named_like_the_core_event_data() -> None:
    assert not hasattr(progress, "TrainingProgress")
    assert progress.EpochReport is not TrainingProgress
