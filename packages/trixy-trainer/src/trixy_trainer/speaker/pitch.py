"""Voice pitch as a speaker feature: a histogram of the voiced frames' fundamental frequency on a log scale.

Why: two voices that differ only in pitch are different people to a household, but an encoder trained on real
speech (GE2E) maps pitch-shifted copies of one voice close together. The F0 distribution is measured the same way
for any voice (no training, nothing learnt from espeak-ng), so it separates such voices without fitting a
synthesiser. Pure torch, exported inside the ONNX graph.

Method: low-pass and decimate to 4 kHz, 64 ms Hann frames every 10 ms, autocorrelation from the power spectrum,
best lag between 60 and 400 Hz; frames whose normalised autocorrelation peak passes ``voicing`` and whose energy is
within 13 dB of the loudest frame are voiced. Each voiced frame adds Gaussian bumps (``sigma_semitones`` wide) at
its log-F0 to ``bins`` centres from 60 to 400 Hz; the mean is L2-normalised, so the cosine of two codes says how
alike two pitch distributions are.
"""

from __future__ import annotations

import math

import torch
from torch import nn

DECIMATE = 4
FRAME = 256  # 64 ms at 4 kHz
N_FFT = 512
HOP = 40  # 10 ms at 4 kHz
F0_MIN, F0_MAX = 60.0, 400.0


def lowpass_kernel(taps: int = 31, cutoff: float = 0.45 / DECIMATE) -> torch.Tensor:
    """Hann-windowed sinc low-pass ``[1, 1, taps]`` (cutoff as a fraction of the input rate) before decimation."""
    n = torch.arange(taps, dtype=torch.float64) - (taps - 1) / 2
    h = 2 * cutoff * torch.sinc(2 * cutoff * n) * torch.hann_window(taps, periodic=False, dtype=torch.float64)
    return (h / h.sum()).reshape(1, 1, -1).to(torch.float32)


class PitchCode(nn.Module):
    """``audio [batch, samples]`` at 16 kHz -> L2-normalised log-F0 histogram ``[batch, bins]`` (zeros if unvoiced)."""

    def __init__(self, sample_rate: int = 16000, bins: int = 16, sigma_semitones: float = 2.0, voicing: float = 0.5) -> None:
        super().__init__()
        if sample_rate != 16000:
            raise ValueError("PitchCode expects 16 kHz audio")
        self.voicing = voicing
        self.bins = bins
        rate = sample_rate / DECIMATE
        self.lag_lo, self.lag_hi = int(rate / F0_MAX), int(rate / F0_MIN) + 1
        n = torch.arange(FRAME, dtype=torch.float64)
        k = torch.arange(N_FFT // 2 + 1, dtype=torch.float64)[:, None]
        window = torch.hann_window(FRAME, periodic=True, dtype=torch.float64)
        angle = 2 * math.pi * k * n / N_FFT
        self.register_buffer("lowpass", lowpass_kernel(), persistent=False)
        self.register_buffer("dft", (torch.cat([torch.cos(angle), -torch.sin(angle)]) * window).unsqueeze(1).float(), persistent=False)
        lags = torch.arange(self.lag_hi, dtype=torch.float64)
        weight = torch.full((N_FFT // 2 + 1,), 2.0, dtype=torch.float64)
        weight[0] = weight[-1] = 1.0
        # autocorrelation r[lag] = sum_k w_k |X_k|^2 cos(2 pi k lag / N): an inverse real DFT as one matrix
        self.register_buffer("idft", (weight[None, :] * torch.cos(2 * math.pi * lags[:, None] * k[:, 0][None, :] / N_FFT)).float(), persistent=False)
        self.register_buffer("log_f0", torch.log2(rate / torch.arange(self.lag_lo, self.lag_hi, dtype=torch.float64)).float(), persistent=False)
        self.register_buffer("centres", torch.linspace(math.log2(F0_MIN), math.log2(F0_MAX), bins), persistent=False)
        self.sigma = sigma_semitones / 12.0

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        x = nn.functional.conv1d(audio.unsqueeze(1), self.lowpass, stride=DECIMATE, padding=self.lowpass.shape[-1] // 2)
        x = nn.functional.pad(x, (0, FRAME))  # at least one frame for any input
        spec = nn.functional.conv1d(x, self.dft, stride=HOP)  # [batch, 2 * bins, frames]
        half = N_FFT // 2 + 1
        power = spec[:, :half].pow(2) + spec[:, half:].pow(2)
        ac = torch.matmul(self.idft, power)  # [batch, lags, frames]
        energy = ac[:, 0].clamp(min=1e-12)  # [batch, frames]
        norm = ac[:, self.lag_lo : self.lag_hi] / energy.unsqueeze(1)
        peak, best = norm.max(dim=1)  # [batch, frames]
        loud = energy > 0.05 * energy.max(dim=1, keepdim=True).values
        voiced = ((peak > self.voicing) & loud).float()
        log_f0 = self.log_f0[best]  # [batch, frames]
        bumps = torch.exp(-((log_f0.unsqueeze(-1) - self.centres) ** 2) / (2 * self.sigma**2))  # [batch, frames, bins]
        hist = (bumps * voiced.unsqueeze(-1)).sum(dim=1)
        return nn.functional.normalize(hist, dim=1, eps=1e-8)
