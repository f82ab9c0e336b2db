"""The speaker module trains with the instantiated model/optimizer/scheduler groups and `L.Trainer(**trainer)`."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from trixy_trainer.config import instantiate_section, load_config
from trixy_trainer.schedules import build_optimization
from trixy_trainer.speaker.module import SpeakerLightningModule

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer" / "speaker"
TINY = ["model.encoder.channels=16", "model.encoder.embedding_dim=16", "model.encoder.scale=4",
        "model.encoder.mfa_channels=32", "model.encoder.attention_channels=8", "model.encoder.se_bottleneck=8"]


def _fit(overrides: list[str], tmp_path: Path) -> tuple[L.Trainer, SpeakerLightningModule]:
    cfg = load_config("config", [*TINY, "trainer.max_epochs=1", *overrides], CONFIG_DIR)
    torch.manual_seed(0)
    model = instantiate_section(cfg, "model", num_speaker=3)
    optimizer, scheduler = build_optimization(cfg)
    module = SpeakerLightningModule(model, {"name": "aam", "margin": 0.2, "scale": 30.0}, optimizer, scheduler,
                                    spec_mask={"freq_mask": cfg.augmentation.freq_mask, "time_mask": cfg.augmentation.time_mask})
    audio = 0.1 * torch.randn(12, 8000)
    data = DataLoader(TensorDataset(audio, torch.arange(12) % 3), batch_size=6)
    trainer = L.Trainer(**cfg.trainer, logger=False, enable_checkpointing=False, default_root_dir=str(tmp_path))
    trainer.fit(module, train_dataloaders=data, val_dataloaders=data)
    return trainer, module


def test_default_groups_train_with_adamw_and_a_per_step_one_cycle(tmp_path: Path) -> None:
    trainer, module = _fit([], tmp_path)
    assert isinstance(trainer.optimizers[0], torch.optim.AdamW)
    config = trainer.lr_scheduler_configs[0]
    assert isinstance(config.scheduler, torch.optim.lr_scheduler.LambdaLR) and config.interval == "step"  # 2 steps: constant
    assert (module.freq_mask, module.time_mask) == (5, 20) and trainer.global_step == 2


def test_swapped_optimizer_and_schedule_train_and_no_masks_with_augmentation_none(tmp_path: Path) -> None:
    trainer, module = _fit(["optimizer=sgd", "scheduler._target_=torch.optim.lr_scheduler.StepLR", "~scheduler.warmup",
                            "+scheduler.step_size=1", "augmentation=none"], tmp_path)
    assert isinstance(trainer.optimizers[0], torch.optim.SGD)
    assert isinstance(trainer.lr_scheduler_configs[0].scheduler, torch.optim.lr_scheduler.StepLR)
    assert (module.freq_mask, module.time_mask) == (0, 0)
