"""The speech-embedding head: one MLP (the layout of every older model), an ensemble of members, a centred input."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from trixy_trainer.config import instantiate_section, load_config
from trixy_trainer.errors import ConfigError
from trixy_trainer.models.embedding_wakeword import EmbeddingHead

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def test_one_member_keeps_the_single_head_state_layout() -> None:
    head = EmbeddingHead(3, windows=16, hidden=32, dropout=0.0)
    assert {k.split(".")[0] for k in head.state_dict()} == {"layers"}
    x = torch.randn(5, 16, 96)
    assert torch.equal(head(x), head.layers(x))


def test_ensemble_output_is_the_log_of_the_members_mean_probabilities() -> None:
    torch.manual_seed(0)
    head = EmbeddingHead(3, windows=16, hidden=32, dropout=0.0, members=3).eval()
    x = torch.randn(7, 16, 96)
    each = torch.softmax(head.member_logits(x), dim=-1)
    assert each.shape == (3, 7, 3) and not torch.allclose(each[0], each[1])  # members start from other weights
    assert torch.allclose(torch.softmax(head(x), dim=-1), each.mean(dim=0), atol=1e-6)


def test_centred_head_ignores_what_every_window_step_shares() -> None:
    torch.manual_seed(1)
    head = EmbeddingHead(3, windows=16, hidden=32, dropout=0.0, members=2, center=True).eval()
    x = torch.randn(4, 16, 96)
    shifted = x + torch.randn(4, 1, 96) * 5  # the same offset at every step (a voice or a room)
    assert torch.allclose(head(x), head(shifted), atol=1e-4)
    plain = EmbeddingHead(3, windows=16, hidden=32, dropout=0.0).eval()
    assert not torch.allclose(plain(x), plain(shifted), atol=1e-4)


def test_model_group_builds_members_and_refuses_none() -> None:
    cfg = load_config("wakeword", ["model.params.members=3", "model.params.center=true"], CONFIG_DIR)
    head = instantiate_section(cfg, "model", num_classes=3)
    assert head.size == 3 and head.center and len(head.members) == 3
    bad = load_config("wakeword", ["model.params.members=0"], CONFIG_DIR)
    with pytest.raises(ConfigError, match="at least one member"):
        instantiate_section(bad, "model", num_classes=3)
