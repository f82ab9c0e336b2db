"""Front end against an independent reference, RepCNN re-parameterisation, alternative architecture."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trixy_trainer.features.logmel import FeatureSettings, LogMel, mel_filterbank
from trixy_trainer.models import build_backbone
from trixy_trainer.models.repcnn import RepConv1d


def test_filterbank_matches_librosa_htk_reference() -> None:
    librosa = pytest.importorskip("librosa")
    ours = mel_filterbank(201, 20.0, 8000.0, 40, 16000).numpy()
    ref = librosa.filters.mel(sr=16000, n_fft=400, n_mels=40, fmin=20.0, fmax=8000.0, htk=True, norm=None).T
    assert np.allclose(ours, ref, atol=1e-5)


def test_logmel_shape_and_values_match_numpy_stft() -> None:
    settings = FeatureSettings()
    audio = torch.randn(2, 16000) * 0.1
    mel = LogMel(settings)(audio)
    assert mel.shape == (2, 40, settings.frames_for(16000)) == (2, 40, 98)
    frame = audio[0, 160 * 5 : 160 * 5 + 400].numpy() * torch.hann_window(400, periodic=True).numpy()
    power = np.abs(np.fft.rfft(frame)) ** 2
    expected = np.log(mel_filterbank(201, 20.0, 8000.0, 40, 16000).numpy().T @ power + 1e-6)
    assert np.allclose(mel[0, :, 5].numpy(), expected, atol=1e-3)


def test_repcnn_reparameterised_model_gives_same_outputs_and_is_smaller() -> None:
    torch.manual_seed(0)
    model = build_backbone("repcnn", 40, 3)
    model.train()
    for _ in range(3):  # give BatchNorm non-trivial running statistics
        model(torch.randn(16, 40, 158))
    model.eval()
    x = torch.randn(4, 40, 158)
    with torch.no_grad():
        before = model(x)
    params_before = sum(p.numel() for p in model.parameters())
    convs_before = sum(isinstance(m, torch.nn.Conv1d) for m in model.modules())
    model.reparameterize()
    with torch.no_grad():
        after = model(x)
    assert torch.allclose(before, after, atol=1e-4)
    assert sum(p.numel() for p in model.parameters()) < params_before
    assert sum(isinstance(m, torch.nn.Conv1d) for m in model.modules()) < convs_before
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in model.blocks.modules())


def test_repconv_with_groups_and_stride_folds_exactly() -> None:
    conv = RepConv1d(8, 8, 5, stride=1, groups=8)
    conv.train()
    conv(torch.randn(4, 8, 30))
    conv.eval()
    x = torch.randn(2, 8, 30)
    with torch.no_grad():
        expected = conv(x)
        conv.reparameterize()
        assert torch.allclose(conv(x), expected, atol=1e-5)


def test_alternative_architecture_is_selectable() -> None:
    model = build_backbone("tcresnet", 40, 3)
    assert model(torch.randn(2, 40, 158)).shape == (2, 3)
    with pytest.raises(Exception, match="unknown model architecture"):
        build_backbone("nope", 40, 3)
