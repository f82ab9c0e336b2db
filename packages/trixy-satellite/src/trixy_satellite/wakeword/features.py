"""Incremental log-mel frames in numpy for the streaming detector (mirrors the trainer's torch front end).

Only the frames that a new hop completes are computed (one small FFT each); the settings come from the model's
``features`` metadata, and the satellite tests check the result against the full ONNX graph's own front end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def mel_filterbank(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int) -> np.ndarray:
    """Triangular HTK-mel filterbank ``[n_mels, n_freqs]`` (same formula as ``trixy_trainer.features``)."""
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_pts = np.linspace(2595.0 * math.log10(1.0 + f_min / 700.0), 2595.0 * math.log10(1.0 + f_max / 700.0), n_mels + 2)
    f_pts = 700.0 * (10 ** (m_pts / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(np.minimum(down, up), 0.0).T.astype(np.float32)


class LogMelFrames:
    """Computes log-mel frames ``[n_mels, count]`` for frames that end at the end of a given audio slice."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.sample_rate = int(settings.get("sample_rate", 16000))
        self.n_mels = int(settings.get("n_mels", 40))
        self.win_length = int(settings.get("win_length", 400))
        self.hop_length = int(settings.get("hop_length", 160))
        self.n_fft = int(settings.get("n_fft", 400))
        self.log_offset = float(settings.get("log_offset", 1e-6))
        n = np.arange(self.win_length)
        self.window = (0.5 - 0.5 * np.cos(2 * np.pi * n / self.win_length)).astype(np.float32)  # periodic Hann
        self.filterbank = mel_filterbank(
            self.n_fft // 2 + 1,
            float(settings.get("f_min", 20.0)),
            float(settings.get("f_max", self.sample_rate / 2)),
            self.n_mels,
            self.sample_rate,
        )

    def samples_for(self, frames: int) -> int:
        """Audio samples needed to compute ``frames`` consecutive frames."""
        return self.win_length + (frames - 1) * self.hop_length

    def frames(self, audio: np.ndarray, count: int) -> np.ndarray:
        """The last ``count`` frames of ``audio`` (which must hold ``samples_for(count)`` samples or more)."""
        start = audio.size - self.samples_for(count)
        index = start + np.arange(count)[:, None] * self.hop_length + np.arange(self.win_length)[None, :]
        spectrum = np.fft.rfft(audio[index] * self.window, n=self.n_fft, axis=1)
        power = spectrum.real**2 + spectrum.imag**2
        return np.log(self.filterbank @ power.T.astype(np.float32) + self.log_offset).astype(np.float32)
