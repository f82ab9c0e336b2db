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
    """Wraps a :class:`SpeakerModel` with its loss and optimiser settings."""

    def __init__(self, model: SpeakerModel, loss_cfg: Mapping[str, Any], optim_cfg: Mapping[str, Any]) -> None:
        super().__init__()
        self.model = model
        loss_cfg = dict(loss_cfg)
        self.loss_name = str(loss_cfg.pop("name", "aam"))
        self.criterion = build_loss(self.loss_name, **loss_cfg)
        self.optim_cfg = dict(optim_cfg)
        self.history: list[dict[str, float]] = []

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        audio, labels = batch
        feats = self.model.frontend(audio)
        if feats.dim() == 3:  # raw-audio front ends (ge2e_fusion) have nothing to mask
            feats = spec_mask(feats, int(self.optim_cfg.get("freq_mask", 5)), int(self.optim_cfg.get("time_mask", 20)))
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
        lr = float(self.optim_cfg.get("lr", 2e-3))
        optimizer = torch.optim.AdamW(self.parameters(), lr=lr, weight_decay=float(self.optim_cfg.get("weight_decay", 2e-5)))
        total = int(self.trainer.estimated_stepping_batches) if self.trainer is not None else 1000
        scheduler = one_cycle_schedule(optimizer, lr, total, float(self.optim_cfg.get("warmup", 0.1)))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}


MIN_ONE_CYCLE_STEPS = 4
"""Below this many steps there is no room for a warm-up and a decay: the rate stays constant."""


def one_cycle_schedule(
    optimizer: torch.optim.Optimizer, max_lr: float, total_steps: int, warmup: float
) -> torch.optim.lr_scheduler.LRScheduler:
    """OneCycleLR whose warm-up is a whole number of steps, at least 2 and leaving at least 2 for the decay.

    OneCycleLR ends its warm-up at step ``warmup * total - 1``; where that lands on 0 (0.1 x 10 steps: a one-epoch
    fine-tune) or on the last step, it divides by zero. Rounding the warm-up to whole steps in [2, total - 2] keeps
    both phases at least one step long, for any epoch count and batch count.
    """
    total = max(1, int(total_steps))
    if total < MIN_ONE_CYCLE_STEPS:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _step: 1.0)
    warm_steps = min(max(2, round(max(0.0, warmup) * total)), total - 2)
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total,
                                               pct_start=warm_steps / total)
