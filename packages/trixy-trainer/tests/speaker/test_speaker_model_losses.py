"""ECAPA-TDNN / TitaNet-lite shapes on dynamic lengths, the MFCC DCT, and the three losses."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.fft import dct

from trixy_trainer.speaker.frontend import SpeakerFrontEnd, dct_matrix
from trixy_trainer.speaker.losses import build_loss
from trixy_trainer.speaker.model import build_model

SMALL = {"channels": 16, "embedding_dim": 12}


@pytest.mark.parametrize("arch", ["ecapa_tdnn", "titanet_lite"])
@pytest.mark.parametrize("samples", [3000, 16000])
def test_model_gives_normalised_embedding_and_logits_for_any_length(arch: str, samples: int) -> None:
    enc = dict(SMALL, scale=4) if arch == "ecapa_tdnn" else dict(SMALL)
    model = build_model({"architecture": arch, "encoder": enc}, num_speaker=5).eval()
    with torch.no_grad():
        emb, logits = model(torch.randn(3, samples) * 0.1)
    assert emb.shape == (3, 12) and logits.shape == (3, 5)
    assert torch.allclose(emb.norm(dim=1), torch.ones(3), atol=1e-5)


def test_mfcc_front_end_matches_scipy_dct() -> None:
    assert np.allclose(dct_matrix(13, 40).numpy() @ np.arange(40.0), dct(np.arange(40.0), norm="ortho")[:13], atol=1e-4)
    fe = SpeakerFrontEnd(kind="mfcc", n_mfcc=20)
    assert fe(torch.randn(2, 4000)).shape == (2, 20, 1 + (4000 - 400) // 160)


def test_grow_appends_rows_and_keeps_existing_ones() -> None:
    model = build_model({"architecture": "ecapa_tdnn", "encoder": dict(SMALL, scale=4)}, num_speaker=3)
    before = model.prototypes.detach().clone()
    model.grow(torch.ones(2, 12))
    assert model.num_speaker == 5
    assert torch.equal(model.prototypes[:3], before)
    assert model.eval()(torch.randn(1, 4000))[1].shape == (1, 5)


@pytest.mark.parametrize("name", ["aam", "ge2e", "triplet"])
def test_losses_prefer_clustered_embeddings(name: str) -> None:
    torch.manual_seed(0)
    loss = build_loss(name)
    labels = torch.arange(4).repeat_interleave(3)
    centres = torch.nn.functional.normalize(torch.randn(4, 16), dim=1)
    clustered = centres[labels] + 0.01 * torch.randn(12, 16)
    scattered = torch.randn(12, 16, requires_grad=True)
    good = loss(clustered, labels, centres)
    bad = loss(scattered, labels, centres)
    assert torch.isfinite(bad) and good.item() < bad.detach().item()
    bad.backward()
    assert scattered.grad is not None and torch.isfinite(scattered.grad).all()


def test_unknown_loss_or_architecture_is_rejected() -> None:
    with pytest.raises(ValueError, match="loss"):
        build_loss("softmaxx")
    with pytest.raises(ValueError, match="architecture"):
        build_model({"architecture": "resnet9000"}, 2)
