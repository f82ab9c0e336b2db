"""Every Hydra model and loss choice composes and builds, and command-line overrides win over files."""

from __future__ import annotations

import pytest
import torch

from trixy_trainer.config import to_container
from trixy_trainer.speaker.losses import build_loss
from trixy_trainer.speaker.model import build_model, count_parameters
from trixy_trainer.speaker.train import speaker_config


@pytest.mark.parametrize(("model", "loss"), [("ecapa_tdnn", "aam"), ("titanet_lite", "ge2e"), ("ecapa_mfcc", "triplet")])
def test_group_choices_compose_and_build(model: str, loss: str) -> None:
    cfg = speaker_config([f"model={model}", f"loss={loss}"])
    net = build_model(to_container(cfg.model), 3).eval()
    loss_cfg = to_container(cfg.loss)
    criterion = build_loss(loss_cfg.pop("name"), **loss_cfg)
    emb, logits = net(torch.randn(2, 4000) * 0.1)
    assert logits.shape == (2, 3) and torch.isfinite(criterion(emb, torch.tensor([0, 1]), net.prototypes))
    if model == "ecapa_mfcc":
        assert cfg.model.frontend.kind == "mfcc" and net.frontend.kind == "mfcc"


def test_overrides_win_and_the_shipped_model_stays_small() -> None:
    cfg = speaker_config(["trainer.max_epochs=3", "model.encoder.channels=32", "data.speakers_per_batch=7"])
    assert cfg.trainer.max_epochs == 3 and cfg.model.encoder.channels == 32 and cfg.data.speakers_per_batch == 7
    default = build_model(to_container(speaker_config().model), 100)
    assert count_parameters(default) * 4 < 2_000_000  # float32 weights of the default stay under 2 MB
