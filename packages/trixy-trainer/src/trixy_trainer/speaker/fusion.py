"""GE2E + ECAPA-TDNN + pitch fusion encoder (``model=ge2e_fusion``, technology ``ge2e_fusion``).

Why three parts: the pretrained GE2E encoder (Resemblyzer, real speech) carries what generalises to voices no
synthesiser makes; the ECAPA-TDNN trained on many espeak-ng voices adds fine timbre detail; the pitch code
(:mod:`trixy_trainer.speaker.pitch`) separates voices that differ mainly in pitch, which GE2E merges. Each part's
embedding is L2-normalised and weighted, then concatenated (the :class:`SpeakerModel` normalises the result), so the
cosine score is a weighted sum of the three parts' cosines (``weights`` in the config, chosen on espeak-ng voices
of languages that neither training nor the benchmark use).

The encoder takes raw audio (the model's front end is ``kind: raw``); each branch brings its own features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from trixy_trainer.features import mel_filterbank
from trixy_trainer.speaker.ecapa import EcapaTdnn
from trixy_trainer.speaker.errors import SpeakerConfigError
from trixy_trainer.speaker.ge2e import Ge2eEncoder, Ge2eMel, dft_kernels
from trixy_trainer.speaker.pitch import PitchCode


class ConvLogMel(nn.Module):
    """The ECAPA-TDNN's log-mel (same numbers as :class:`trixy_trainer.features.LogMel` + mean normalisation), with
    the STFT as a convolution: the TorchScript exporter the LSTM needs has no complex STFT."""

    def __init__(self, sample_rate: int = 16000, n_mels: int = 40, win_ms: float = 25.0, hop_ms: float = 10.0,
                 mean_norm: bool = True, kind: str = "logmel", f_min: float = 20.0, log_offset: float = 1e-6) -> None:
        super().__init__()
        if kind != "logmel":
            raise SpeakerConfigError(f"ge2e_fusion's ECAPA front end must be logmel, got {kind!r}")
        self.n_fft = int(round(sample_rate * win_ms / 1000))
        self.hop = int(round(sample_rate * hop_ms / 1000))
        self.n_features = n_mels
        self.mean_norm = mean_norm
        self.log_offset = log_offset
        self.register_buffer("dft", dft_kernels(self.n_fft), persistent=False)
        fb = mel_filterbank(self.n_fft // 2 + 1, f_min, sample_rate / 2, n_mels, sample_rate)
        self.register_buffer("filterbank", fb.t().contiguous(), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        spec = nn.functional.conv1d(audio.unsqueeze(1), self.dft, stride=self.hop)
        bins = self.n_fft // 2 + 1
        feats = torch.log(torch.matmul(self.filterbank, spec[:, :bins].pow(2) + spec[:, bins:].pow(2)) + self.log_offset)
        return feats - feats.mean(dim=-1, keepdim=True) if self.mean_norm else feats


class Ge2eFusionEncoder(nn.Module):
    """``audio [batch, samples]`` -> weighted concatenation of GE2E, ECAPA and pitch embeddings."""

    def __init__(
        self,
        n_features: int = 0,
        weights: Sequence[float] = (1.0, 0.7, 0.6),
        ge2e: Mapping[str, Any] | None = None,
        ecapa: Mapping[str, Any] | None = None,
        ecapa_frontend: Mapping[str, Any] | None = None,
        ecapa_from: str | None = None,
        pitch: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if len(weights) != 3 or min(weights) < 0:
            raise SpeakerConfigError(f"ge2e_fusion weights are [ge2e, ecapa, pitch] >= 0, got {list(weights)}")
        ge2e = dict(ge2e or {})
        self.ge2e_mel = Ge2eMel(volume_norm=str(ge2e.pop("volume_norm", "increase_only")))
        self.ge2e = Ge2eEncoder(**ge2e)
        self.ecapa_frontend = ConvLogMel(**dict(ecapa_frontend or {}))
        self.ecapa = EcapaTdnn(n_features=self.ecapa_frontend.n_features, **dict(ecapa or {}))
        self.pitch = PitchCode(**dict(pitch or {}))
        self.ecapa_from = ecapa_from
        self.register_buffer("weights", torch.tensor([float(w) for w in weights]), persistent=False)
        self.embedding_dim = self.ge2e.embedding_dim + self.ecapa.embedding_dim + self.pitch.bins

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        g = nn.functional.normalize(self.ge2e(self.ge2e_mel(audio)), dim=1, eps=1e-8)
        e = nn.functional.normalize(self.ecapa(self.ecapa_frontend(audio)), dim=1, eps=1e-8)
        p = self.pitch(audio)
        return torch.cat([self.weights[0] * g, self.weights[1] * e, self.weights[2] * p], dim=1)

    def load_pretrained(self, password: str | None = None) -> str:
        """GE2E weights from the resemblyzer wheel, ECAPA weights from ``ecapa_from`` (an ECAPA or fusion .pth);
        both parts are frozen. Returns the pretrained components for the metadata."""
        source = self.ge2e.load_pretrained()
        if self.ecapa_from:
            from trixy_core.modelfiles import read_pth

            _, state = read_pth(self.ecapa_from, password)
            prefix = "encoder.ecapa." if any(k.startswith("encoder.ecapa.") for k in state) else "encoder."
            branch = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
            try:
                self.ecapa.load_state_dict(branch)
            except RuntimeError as exc:
                raise SpeakerConfigError(f"{self.ecapa_from}: its ECAPA-TDNN does not match model.encoder.ecapa ({exc})") from exc
            source += f"; ecapa_tdnn from {self.ecapa_from}"
        for part in (self.ge2e, self.ecapa):
            part.requires_grad_(False)
        self.frozen = True
        return source

    frozen = False

    def train(self, mode: bool = True) -> Ge2eFusionEncoder:
        """Frozen parts stay in eval mode while the rest trains (BatchNorm statistics must not drift)."""
        super().train(mode)
        if self.frozen:
            self.ge2e.eval()
            self.ecapa.eval()
        return self
