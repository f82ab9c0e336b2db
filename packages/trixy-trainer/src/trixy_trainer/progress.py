"""Training progress reporting and stop/pause/resume control, shared by all trainers (TUI and CLI use it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import lightning as L

from trixy_trainer.control import TrainingControl


@dataclass(slots=True, frozen=True)
class EpochReport:
    """One progress report, sent after every epoch (the trainer handle turns it into the core's `TrainingProgress`
    event data, which adds the trainer's name and the run's status)."""

    epoch: int  # 1-based epochs completed
    max_epochs: int
    loss: float
    accuracy: float
    epoch_s: float  # duration of the last epoch
    eta_s: float  # estimated seconds until max_epochs
    val_loss: float | None = None
    val_accuracy: float | None = None


ProgressCallback = Callable[[EpochReport], None]

__all__ = ["ProgressCallback", "ProgressReporter", "TrainingControl", "EpochReport"]


class ProgressReporter(L.Callback):
    """Lightning callback: reports :class:`EpochReport` and applies :class:`TrainingControl`."""

    def __init__(self, callback: ProgressCallback | None, control: TrainingControl | None) -> None:
        self.callback = callback
        self.control = control
        self._epoch_start = 0.0
        self._durations: list[float] = []

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._epoch_start = time.monotonic()

    def on_train_batch_end(self, trainer: L.Trainer, *args: object) -> None:
        if self.control is None:
            return
        if self.control.paused:
            paused_at = time.monotonic()
            self.control.wait_if_paused()
            self._epoch_start += time.monotonic() - paused_at
        if self.control.stopped:
            trainer.should_stop = True

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._report(trainer)
        if self.control is not None and self.control.stopped:
            trainer.should_stop = True

    def _report(self, trainer: L.Trainer) -> None:
        if self.callback is None or self._epoch_start == 0.0:
            return
        metrics = trainer.callback_metrics
        duration = time.monotonic() - self._epoch_start
        self._durations.append(duration)
        epoch = trainer.current_epoch + 1
        max_epochs = int(trainer.max_epochs or epoch)
        mean = sum(self._durations[-3:]) / len(self._durations[-3:])

        def value(name: str) -> float | None:
            return float(metrics[name]) if name in metrics else None

        self.callback(
            EpochReport(
                epoch=epoch,
                max_epochs=max_epochs,
                loss=value("train_loss") or 0.0,
                accuracy=value("train_acc") or 0.0,
                epoch_s=duration,
                eta_s=max(0, max_epochs - epoch) * mean,
                val_loss=value("val_loss"),
                val_accuracy=value("val_acc"),
            )
        )
