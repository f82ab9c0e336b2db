"""Log-mel spectrogram front end in pure torch (no torchaudio), exportable to ONNX with the dynamo exporter.

Frames are taken without centre padding: ``frames = 1 + (samples - win_length) // hop_length``, so the features of a
stream can be computed hop by hop and match the full-window features exactly (the streaming detector relies on it).

No ``from __future__ import annotations`` here, on purpose: this module is interned in the ``.pt`` exports
(torch.package), where it is not in ``sys.modules``; ``@dataclass`` resolves *string* annotations through
``sys.modules[cls.__module__]`` and fails there ("'NoneType' object has no attribute '__dict__'"). With real
annotations the dataclass never looks, and the ``.pt`` loads without trixy-trainer installed.
"""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(slots=True)
class FeatureSettings:
    """Front-end parameters; stored in the model metadata under ``features``."""

    sample_rate: int = 16000
    n_mels: int = 40
    win_length: int = 400  # 25 ms
    hop_length: int = 160  # 10 ms
    n_fft: int = 400
    f_min: float = 20.0
    f_max: float = 8000.0
    log_offset: float = 1e-6

    def to_dict(self) -> dict:
        """Plain dict for metadata."""
        return asdict(self)

    def frames_for(self, samples: int) -> int:
        """Number of feature frames for ``samples`` input samples."""
        return 1 + (samples - self.win_length) // self.hop_length


def _hz_to_mel(hz: float | torch.Tensor) -> float | torch.Tensor:
    return 2595.0 * (torch.log10(1.0 + hz / 700.0) if isinstance(hz, torch.Tensor) else math.log10(1.0 + hz / 700.0))


def mel_filterbank(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int) -> torch.Tensor:
    """Triangular HTK-mel filterbank ``[n_freqs, n_mels]`` (the torchaudio ``melscale_fbanks`` formula, norm=None)."""
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs, dtype=torch.float64)
    m_pts = torch.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
    f_pts = 700.0 * (10 ** (m_pts / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return torch.clamp(torch.minimum(down, up), min=0.0).to(torch.float32)


class LogMel(nn.Module):
    """``audio [batch, samples]`` -> ``log-mel [batch, n_mels, frames]``."""

    def __init__(self, settings: FeatureSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or FeatureSettings()
        s = self.settings
        self.register_buffer("window", torch.hann_window(s.win_length, periodic=True), persistent=False)
        fb = mel_filterbank(s.n_fft // 2 + 1, s.f_min, s.f_max, s.n_mels, s.sample_rate)
        self.register_buffer("filterbank", fb.t().contiguous(), persistent=False)  # [n_mels, n_freqs]

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        s = self.settings
        spec = torch.stft(
            audio,
            n_fft=s.n_fft,
            hop_length=s.hop_length,
            win_length=s.win_length,
            window=self.window,
            center=False,
            return_complex=True,
        )
        power = spec.real.pow(2) + spec.imag.pow(2)  # [batch, n_freqs, frames]
        mel = torch.matmul(self.filterbank, power)
        return torch.log(mel + s.log_offset)
