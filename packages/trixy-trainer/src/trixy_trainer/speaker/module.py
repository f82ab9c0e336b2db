"""Lightning module for speaker embeddings: AAM-softmax / GE2E / triplet on the :class:`SpeakerModel`.

Training adds SpecAugment-style masking on the features (time and frequency bands). Validation reports
closed-set top-1 over the prototype rows (``val_acc``) and the loss.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning as L
import torch
from torch.nn import functional as F

from trixy_trainer.schedules import OptimizerFactory, SchedulerFactory, configure_optimizers
from trixy_trainer.speaker.losses import build_loss
from trixy_trainer.speaker.model import SpeakerModel


def spec_mask(feats: torch.Tensor, freq_width: int, time_width: int) -> torch.Tensor:
    """Zero one random frequency band and one random time span per example (SpecAugment)."""
    b, f, t = feats.shape
    out = feats.clone()
    if freq_width > 0:
        widths = torch.randint(0, freq_width + 1, (b,))
        starts = (torch.rand(b) * (f - widths).clamp(min=1)).long()
        rows = torch.arange(f)[None, :]
        out = out.masked_fill(((rows >= starts[:, None]) & (rows < (starts + widths)[:, None]))[:, :, None], 0.0)
    if time_width > 0:
        widths = torch.randint(0, time_width + 1, (b,))
        starts = (torch.rand(b) * (t - widths).clamp(min=1)).long()
        cols = torch.arange(t)[None, :]
        out = out.masked_fill(((cols >= starts[:, None]) & (cols < (starts + widths)[:, None]))[:, None, :], 0.0)
    return out


class SpeakerLightningModule(L.LightningModule):
    """Wraps a :class:`SpeakerModel` with its loss, the ``optimizer``/``scheduler`` partials (the schedule steps per
    batch) and SpecAugment widths (``spec_mask``: ``freq_mask``/``time_mask`` of the ``augmentation`` group)."""

    def __init__(
        self,
        model: SpeakerModel,
        loss_cfg: Mapping[str, Any],
        optimizer: OptimizerFactory,
        scheduler: SchedulerFactory | None = None,
        spec_mask: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        loss_cfg = dict(loss_cfg)
        self.loss_name = str(loss_cfg.pop("name", "aam"))
        self.criterion = build_loss(self.loss_name, **loss_cfg)
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        masks = dict(spec_mask or {})
        self.freq_mask, self.time_mask = int(masks.get("freq_mask", 0)), int(masks.get("time_mask", 0))
        self.history: list[dict[str, float]] = []

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        audio, labels = batch
        feats = self.model.frontend(audio)
        if feats.dim() == 3:  # raw-audio front ends (ge2e_fusion) have nothing to mask
            feats = spec_mask(feats, self.freq_mask, self.time_mask)
        embedding = self.model.encoder(feats)
        loss = self.criterion(embedding, labels, self.model.prototypes)
        with torch.no_grad():
            acc = (self.model.cosine(embedding).argmax(dim=1) == labels).float().mean()
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True, batch_size=len(labels))
        self.log("train_acc", acc, on_step=False, on_epoch=True, batch_size=len(labels))
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        audio, labels = batch
        embedding, logits = self.model(audio)
        if self.criterion.needs_prototypes:
            loss = F.cross_entropy(logits, labels)
        else:
            loss = self.criterion(embedding, labels, None)
        acc = (logits.argmax(dim=1) == labels).float().mean()
        self.log("val_loss", loss, prog_bar=True, on_epoch=True, batch_size=len(labels))
        self.log("val_acc", acc, prog_bar=True, on_epoch=True, batch_size=len(labels))

    def configure_optimizers(self) -> Any:
        return configure_optimizers(self.parameters(), self.optimizer_factory, self.scheduler_factory, "step", self._trainer)
