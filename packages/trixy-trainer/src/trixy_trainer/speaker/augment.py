"""Speaker augmentation (audiomentations): noise, reverberation, loudness, microphone simulation; each on/off.

Nothing here changes who is speaking (no pitch shift or time stretch): the model must learn the voice, not the
room, the level or the microphone. Reverb uses synthetic exponentially decaying impulse responses, so no IR files
are needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from audiomentations import (
    AddColorNoise,
    BandPassFilter,
    ClippingDistortion,
    Compose,
    Gain,
    LowPassFilter,
    OneOf,
    SevenBandParametricEQ,
)
from audiomentations.core.transforms_interface import BaseWaveformTransform
from scipy.signal import fftconvolve


class SyntheticReverb(BaseWaveformTransform):
    """Convolve with a random room impulse response: direct path + exponentially decaying noise tail."""

    supports_multichannel = False

    def __init__(self, min_rt60: float = 0.15, max_rt60: float = 0.8, min_wet_db: float = -12.0, max_wet_db: float = 0.0, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.min_rt60, self.max_rt60 = min_rt60, max_rt60
        self.min_wet_db, self.max_wet_db = min_wet_db, max_wet_db

    def randomize_parameters(self, samples: np.ndarray, sample_rate: int) -> None:
        super().randomize_parameters(samples, sample_rate)
        if self.parameters["should_apply"]:
            self.parameters["rt60"] = float(np.random.uniform(self.min_rt60, self.max_rt60))
            self.parameters["wet"] = float(10 ** (np.random.uniform(self.min_wet_db, self.max_wet_db) / 20))
            self.parameters["seed"] = int(np.random.randint(0, 2**31 - 1))

    def apply(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        rng = np.random.default_rng(self.parameters["seed"])
        rt60 = self.parameters["rt60"]
        n = int(rt60 * sample_rate)
        t = np.arange(n) / sample_rate
        tail = rng.normal(size=n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
        tail[: int(0.003 * sample_rate)] = 0.0  # early gap before reflections
        ir = self.parameters["wet"] * tail / (np.sqrt(np.sum(tail**2)) + 1e-9)
        ir[0] = 1.0
        out = fftconvolve(samples, ir)[: samples.size]
        peak = float(np.max(np.abs(out))) or 1.0
        in_peak = float(np.max(np.abs(samples))) or 1.0
        return (out * (in_peak / peak)).astype(np.float32)


def build_augmentation(cfg: Mapping[str, Any] | None) -> Compose | None:
    """Build the pipeline from ``config/trainer/speaker/augmentation`` (``enabled`` and per-effect ``p``)."""
    cfg = dict(cfg or {})
    if not cfg.get("enabled", True):
        return None

    def prob(key: str, default: float) -> float:
        section = cfg.get(key, {}) or {}
        return float(section.get("p", default)) if section.get("enabled", True) else 0.0

    transforms: list[Any] = []
    if (p := prob("reverb", 0.4)) > 0:
        r = cfg.get("reverb", {}) or {}
        transforms.append(SyntheticReverb(float(r.get("min_rt60", 0.15)), float(r.get("max_rt60", 0.8)), p=p))
    if (p := prob("mic", 0.5)) > 0:
        transforms.append(
            OneOf(
                [
                    BandPassFilter(min_center_freq=600, max_center_freq=2000, min_bandwidth_fraction=1.2, max_bandwidth_fraction=1.9, p=1.0),
                    SevenBandParametricEQ(min_gain_db=-8, max_gain_db=8, p=1.0),
                    LowPassFilter(min_cutoff_freq=3000, max_cutoff_freq=7000, p=1.0),
                ],
                p=p,
            )
        )
    if (p := prob("noise", 0.5)) > 0:
        n = cfg.get("noise", {}) or {}
        transforms.append(AddColorNoise(min_snr_db=float(n.get("min_snr_db", 5)), max_snr_db=float(n.get("max_snr_db", 40)), p=p))
    if (p := prob("clipping", 0.1)) > 0:
        transforms.append(ClippingDistortion(min_percentile_threshold=0, max_percentile_threshold=10, p=p))
    if (p := prob("loudness", 0.8)) > 0:
        g = cfg.get("loudness", {}) or {}
        transforms.append(Gain(min_gain_db=float(g.get("min_gain_db", -18)), max_gain_db=float(g.get("max_gain_db", 6)), p=p))
    if not transforms:
        return None
    return Compose(transforms, p=float(cfg.get("p", 1.0)))


def augment(pipeline: Compose | None, audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Apply ``pipeline`` (or nothing) and keep the result in [-1, 1]."""
    if pipeline is None:
        return audio
    out = pipeline(samples=audio.astype(np.float32), sample_rate=sample_rate)
    return np.clip(out, -1.0, 1.0).astype(np.float32)
