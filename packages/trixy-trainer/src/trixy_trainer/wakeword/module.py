"""Lightning module for wake-word classification (cross-entropy over custom / system_command / none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F

from trixy_trainer.features.logmel import FeatureSettings
from trixy_trainer.models.registry import build_backbone
from trixy_trainer.models.wakeword_net import WakewordNet


def build_wakeword_net(model_cfg: Mapping[str, Any], num_classes: int, features: FeatureSettings) -> WakewordNet:
    """Front end + the backbone named in ``model_cfg.architecture``."""
    params = dict(model_cfg.get("params", {}) or {})
    backbone = build_backbone(str(model_cfg["architecture"]), features.n_mels, num_classes, **params)
    return WakewordNet(backbone, features)


class WakewordModule(L.LightningModule):
    """Trains a :class:`WakewordNet`; logs loss/accuracy for progress reports and checkpoints."""

    def __init__(
        self,
        model_cfg: Mapping[str, Any],
        num_classes: int = 3,
        features: Mapping[str, Any] | None = None,
        lr: float = 3e-3,
        weight_decay: float = 1e-3,
        label_smoothing: float = 0.05,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.features = FeatureSettings(**(features or {}))
        self.net = build_wakeword_net(model_cfg, num_classes, self.features)

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
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        max_epochs = max(1, int(self.trainer.max_epochs or 1)) if self.trainer is not None else 1
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_epochs, eta_min=self.hparams.lr * 0.02)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}
