"""The schedules the `scheduler` groups build run the same rates as the modules' former hand-written ones."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch

from trixy_trainer.config import load_config
from trixy_trainer.schedules import build_optimization, configure_optimizers, one_cycle_schedule

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config" / "trainer"


def rates(optimizer: torch.optim.Optimizer, scheduler, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        out.append(optimizer.param_groups[0]["lr"])
    return out


def test_wakeword_cosine_gets_the_epoch_count_from_lightning_and_decays_to_five_percent() -> None:
    cfg = load_config("wakeword", ["trainer.max_epochs=24"], CONFIG_DIR)
    optimizer, scheduler = build_optimization(cfg)
    trainer = L.Trainer(**cfg.trainer, logger=False, enable_checkpointing=False)
    built = configure_optimizers([torch.nn.Parameter(torch.ones(1))], optimizer, scheduler, "epoch", trainer)
    assert built["lr_scheduler"]["interval"] == "epoch"
    ours = rates(built["optimizer"], built["lr_scheduler"]["scheduler"], 24)
    reference_opt = torch.optim.AdamW([torch.nn.Parameter(torch.ones(1))], lr=0.003, weight_decay=0.001)
    reference = torch.optim.lr_scheduler.CosineAnnealingLR(reference_opt, T_max=24, eta_min=0.003 * 0.05)
    assert ours == pytest.approx(rates(reference_opt, reference, 24))
    assert ours[-1] == pytest.approx(0.003 * 0.05)


def test_speaker_one_cycle_peaks_at_the_optimiser_rate_over_the_steps_lightning_counts() -> None:
    cfg = load_config("config", [], CONFIG_DIR / "speaker")
    optimizer, scheduler = build_optimization(cfg)
    opt = optimizer([torch.nn.Parameter(torch.ones(1))])
    ours = rates(opt, scheduler(opt, total_steps=50), 50)
    reference_opt = torch.optim.AdamW([torch.nn.Parameter(torch.ones(1))], lr=0.003, weight_decay=2e-5)
    assert ours == pytest.approx(rates(reference_opt, one_cycle_schedule(reference_opt, 0.003, 50, 0.1), 50))
    assert max(ours) == pytest.approx(0.003)
