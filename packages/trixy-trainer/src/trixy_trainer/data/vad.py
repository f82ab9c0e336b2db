"""Energy-based voice activity: find where speech starts and ends in a clip (used to trim and measure words)."""

from __future__ import annotations

import numpy as np


def speech_bounds(
    audio: np.ndarray, sample_rate: int = 16000, frame_ms: float = 10.0, rel_db: float = -35.0, floor_db: float = 12.0
) -> tuple[int, int] | None:
    """Return ``(start, end)`` sample indices of the active region, or None when the clip is silent.

    A frame is active when its energy is within ``rel_db`` of the loudest frame and ``floor_db`` above the
    estimated noise floor (10th percentile frame energy).
    """
    frame = max(1, int(sample_rate * frame_ms / 1000))
    n = audio.size // frame
    if n == 0:
        return None
    frames = audio[: n * frame].reshape(n, frame).astype(np.float64)
    energy_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    peak = float(energy_db.max())
    if peak < -70:
        return None
    noise = float(np.percentile(energy_db, 10))
    threshold = max(peak + rel_db, noise + floor_db)
    active = np.flatnonzero(energy_db >= threshold)
    if active.size == 0:
        return None
    return int(active[0] * frame), int(min(audio.size, (active[-1] + 1) * frame))


def trim_silence(audio: np.ndarray, sample_rate: int = 16000) -> np.ndarray:
    """Return the active part of ``audio`` (empty when silent)."""
    bounds = speech_bounds(audio, sample_rate)
    if bounds is None:
        return audio[:0]
    return audio[bounds[0] : bounds[1]]
