"""Lightning module for wake-word classification (cross-entropy over custom / system_command / none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F

from trixy_trainer.features.logmel import FeatureSettings
from trixy_trainer.models.registry import cnn_wakeword_net
from trixy_trainer.models.wakeword_net import WakewordNet
from trixy_trainer.schedules import OptimizerFactory, SchedulerFactory, configure_optimizers


def build_wakeword_net(model_cfg: Mapping[str, Any], num_classes: int, features: FeatureSettings) -> WakewordNet:
    """Front end + the backbone named in ``model_cfg.architecture`` (a .pth's ``architecture`` metadata)."""
    return cnn_wakeword_net(str(model_cfg["architecture"]), num_classes, model_cfg.get("params"), features.to_dict())


class WakewordModule(L.LightningModule):
    """Trains a :class:`WakewordNet` (built from the ``model`` group) with the ``optimizer``/``scheduler`` partials;
    logs loss/accuracy for progress reports and checkpoints.

    ``model_cfg`` (architecture + params) is recorded in checkpoints so ``trixy-train export`` rebuilds the network.
    """

    def __init__(
        self,
        net: WakewordNet,
        optimizer: OptimizerFactory,
        scheduler: SchedulerFactory | None = None,
        label_smoothing: float = 0.05,
        model_cfg: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["net", "optimizer", "scheduler"])
        self.net = net
        self.features = net.frontend.settings
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        return self.net(audio)

    def _step(self, batch: tuple[torch.Tensor, torch.Tensor], stage: str) -> torch.Tensor:
        audio, labels = batch
        logits = self.net(audio)
        smoothing = self.hparams.label_smoothing if stage == "train" else 0.0
        loss = F.cross_entropy(logits, labels, label_smoothing=smoothing)
        acc = (logits.argmax(dim=1) == labels).float().mean()
        self.log(f"{stage}_loss", loss, prog_bar=True, on_step=False, on_epoch=True, batch_size=labels.numel())
        self.log(f"{stage}_acc", acc, prog_bar=True, on_step=False, on_epoch=True, batch_size=labels.numel())
        return loss

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._step(batch, "val")

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._step(batch, "test")

    def configure_optimizers(self) -> Any:
        return configure_optimizers(self.parameters(), self.optimizer_factory, self.scheduler_factory, "epoch", self._trainer)
