"""Speaker front end: the shared log-mel (40 bands, 25 ms / 10 ms) plus optional MFCC and mean normalisation, or
(``kind=ge2e_mel``) the power mel the pretrained GE2E encoder expects, or (``kind=raw``) the audio itself for
encoders that bring their own features.

Reuses :class:`trixy_trainer.features.LogMel` (pure torch, exported inside the ONNX graph) so wake-word and speaker
models share one feature definition. Per-utterance mean normalisation (CMN) removes a fixed channel/microphone
colouring, which matters more for speaker recognition than for wake words.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from trixy_trainer.features import FeatureSettings, LogMel
from trixy_trainer.speaker.ge2e import Ge2eMel


def dct_matrix(n_mfcc: int, n_mels: int) -> torch.Tensor:
    """Orthonormal DCT-II matrix ``[n_mfcc, n_mels]`` turning log-mel into MFCC (scipy ``dct(norm='ortho')``)."""
    n = torch.arange(n_mels, dtype=torch.float64)
    k = torch.arange(n_mfcc, dtype=torch.float64)[:, None]
    basis = torch.cos(math.pi / n_mels * (n + 0.5) * k) * math.sqrt(2.0 / n_mels)
    basis[0] /= math.sqrt(2.0)
    return basis.to(torch.float32)


class SpeakerFrontEnd(nn.Module):
    """Raw PCM ``[batch, samples]`` in [-1, 1] -> features ``[batch, n_features, frames]``."""

    def __init__(
        self,
        sample_rate: int = 16000,
        n_mels: int = 40,
        win_ms: float = 25.0,
        hop_ms: float = 10.0,
        kind: str = "logmel",
        n_mfcc: int = 40,
        mean_norm: bool = True,
        volume_norm: str = "increase_only",
    ) -> None:
        super().__init__()
        if kind not in ("logmel", "mfcc", "ge2e_mel", "raw"):
            raise ValueError(f"front end kind must be 'logmel', 'mfcc', 'ge2e_mel' or 'raw', got {kind!r}")
        win = int(round(sample_rate * win_ms / 1000))
        hop = int(round(sample_rate * hop_ms / 1000))
        self.settings = FeatureSettings(
            sample_rate=sample_rate, n_mels=n_mels, win_length=win, hop_length=hop, n_fft=win, f_max=sample_rate / 2
        )
        self.logmel = LogMel(self.settings)
        self.kind = kind
        self.mean_norm = mean_norm
        self.n_features = n_mfcc if kind == "mfcc" else n_mels
        self.register_buffer("dct", dct_matrix(n_mfcc, n_mels) if kind == "mfcc" else torch.empty(0), persistent=False)
        # the pretrained GE2E encoder was trained on Resemblyzer's power mel (centred frames, Slaney scale), not ours
        self.ge2e_mel = Ge2eMel(sample_rate, n_mels, win_ms, hop_ms, volume_norm) if kind == "ge2e_mel" else None

    @property
    def min_samples(self) -> int:
        """Shortest input that yields one frame."""
        return self.settings.win_length

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        if self.kind == "raw":  # the encoder brings its own features (ge2e_fusion)
            return audio
        if self.ge2e_mel is not None:
            return self.ge2e_mel(audio)
        feats = self.logmel(audio)
        if self.kind == "mfcc":
            feats = torch.matmul(self.dct, feats)
        if self.mean_norm:
            feats = feats - feats.mean(dim=-1, keepdim=True)
        return feats
