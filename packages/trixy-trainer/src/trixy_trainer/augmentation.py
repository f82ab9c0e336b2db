"""Waveform augmentation (audiomentations + two fast numpy transforms) built from the Hydra ``augmentation`` group; every part can be switched off.

Background mixing uses the prepared background/negative chunks of the training split, so noise never leaks from
validation or test recordings. Reverb is a synthetic room impulse response (exponentially decaying noise).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import fftconvolve

logger = logging.getLogger(__name__)

Augment = Callable[[np.ndarray, int], np.ndarray]


class SyntheticReverb:
    """Room-like reverb: convolve with exponentially decaying noise (RT60 drawn per call) and mix wet/dry."""

    def __init__(self, min_rt60: float = 0.15, max_rt60: float = 0.8, p: float = 0.3, seed: int | None = None) -> None:
        self.min_rt60, self.max_rt60, self.p = min_rt60, max_rt60, p
        self.rng = np.random.default_rng(seed)

    def __call__(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        if self.rng.random() >= self.p:
            return samples
        rt60 = self.rng.uniform(self.min_rt60, self.max_rt60)
        n = int(rt60 * sample_rate)
        t = np.arange(n) / sample_rate
        ir = self.rng.normal(size=n) * np.exp(-6.9 * t / rt60)
        ir[0] = 1.0
        ir /= np.sqrt(np.sum(ir**2))
        wet = fftconvolve(samples, ir)[: samples.size]
        mix = self.rng.uniform(0.2, 0.8)
        out = (1 - mix) * samples + mix * wet
        peak = max(float(np.max(np.abs(samples))), 1e-6)
        return (out * peak / max(float(np.max(np.abs(out))), 1e-6)).astype(np.float32)


class BackgroundMixer:
    """Mix a random clip from ``noise_dirs`` at a random SNR (a fast stand-in for AddBackgroundNoise, which
    rescans its folders on every call and costs ~90 ms per sample here)."""

    def __init__(self, noise_dirs: Sequence[Path], min_snr_db: float, max_snr_db: float, p: float, seed: int | None = None) -> None:
        self.files = sorted(f for d in noise_dirs for f in Path(d).glob("*.wav"))
        self.min_snr_db, self.max_snr_db, self.p = min_snr_db, max_snr_db, p
        self.rng = np.random.default_rng(seed)

    def __call__(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        if not self.files or self.rng.random() >= self.p:
            return samples
        import soundfile as sf

        noise, _ = sf.read(str(self.files[int(self.rng.integers(len(self.files)))]), dtype="float32")
        if noise.ndim > 1:
            noise = noise.mean(axis=1)
        if noise.size < samples.size:
            noise = np.resize(noise, samples.size)
        start = int(self.rng.integers(0, noise.size - samples.size + 1))
        noise = noise[start : start + samples.size]
        signal_rms = float(np.sqrt(np.mean(samples**2))) + 1e-9
        noise_rms = float(np.sqrt(np.mean(noise**2))) + 1e-9
        snr_db = self.rng.uniform(self.min_snr_db, self.max_snr_db)
        return (samples + noise * (signal_rms / noise_rms / 10 ** (snr_db / 20))).astype(np.float32)


def build_augmentation(cfg: Mapping[str, Any], noise_dirs: Sequence[Path]) -> Augment | None:
    """Return a callable ``(samples, sample_rate) -> samples`` or None when augmentation is disabled."""
    if not cfg.get("enabled", True):
        return None
    import audiomentations as am

    transforms: list[Any] = []
    bg = cfg.get("background_noise", {})
    mixer = None
    if bg.get("p", 0) > 0:
        mixer = BackgroundMixer(noise_dirs, float(bg.get("min_snr_db", 0.0)), float(bg.get("max_snr_db", 20.0)), float(bg["p"]))
    color = cfg.get("color_noise", {})
    if color.get("p", 0) > 0:
        transforms.append(am.AddColorNoise(min_snr_db=color.get("min_snr_db", 5.0), max_snr_db=color.get("max_snr_db", 40.0), p=color["p"]))
    pitch = cfg.get("pitch", {})
    if pitch.get("p", 0) > 0:
        transforms.append(am.PitchShift(min_semitones=pitch.get("min_semitones", -2.0), max_semitones=pitch.get("max_semitones", 2.0), p=pitch["p"]))
    speed = cfg.get("speed", {})
    if speed.get("p", 0) > 0:
        transforms.append(am.TimeStretch(min_rate=speed.get("min_rate", 0.85), max_rate=speed.get("max_rate", 1.15), leave_length_unchanged=True, p=speed["p"]))
    mic = cfg.get("mic_filter", {})
    if mic.get("p", 0) > 0:
        transforms.append(am.BandPassFilter(min_center_freq=300.0, max_center_freq=2500.0, p=mic["p"]))
    reverb = cfg.get("reverb", {})
    gain = cfg.get("gain", {})
    compose = am.Compose(transforms) if transforms else None
    rev = SyntheticReverb(reverb.get("min_rt60", 0.15), reverb.get("max_rt60", 0.8), reverb.get("p", 0.0)) if reverb.get("p", 0) > 0 else None
    gain_p = float(gain.get("p", 0.0))
    gain_range = (float(gain.get("min_gain_db", -18.0)), float(gain.get("max_gain_db", 6.0)))
    rng = np.random.default_rng()

    def augment(samples: np.ndarray, sample_rate: int) -> np.ndarray:
        out = samples.astype(np.float32)
        if rev is not None:
            out = rev(out, sample_rate)
        if mixer is not None:
            out = mixer(out, sample_rate)
        if compose is not None:
            out = compose(samples=out, sample_rate=sample_rate)
        if gain_p > 0 and rng.random() < gain_p:
            out = out * np.float32(10 ** (rng.uniform(*gain_range) / 20))
        return np.clip(out, -1.0, 1.0).astype(np.float32)

    return augment
