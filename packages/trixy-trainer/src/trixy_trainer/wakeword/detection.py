"""Detector scoring shared by evaluation and benchmarks: sliding windows, smoothing, refractory counting.

Mirrors the satellite's streaming detector (``trixy_satellite.wakeword``): a score per hop for the window ending
at that hop, a moving average over ``smoothing_hops``, a trigger when a wake class reaches the threshold, then a
refractory period in which no new trigger counts.
"""

from __future__ import annotations

import numpy as np
import torch


@torch.no_grad()
def long_logmel(frontend: torch.nn.Module, audio: np.ndarray, segment_frames: int = 6000) -> torch.Tensor:
    """Log-mel frames ``[n_mels, frames]`` of arbitrarily long audio, computed in segments (identical frames)."""
    s = frontend.settings
    tensor = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
    total = s.frames_for(tensor.numel())
    parts = []
    for first in range(0, total, segment_frames):
        count = min(segment_frames, total - first)
        start = first * s.hop_length
        piece = tensor[start : start + (count - 1) * s.hop_length + s.win_length]
        parts.append(frontend(piece[None])[0])
    return torch.cat(parts, dim=1)


@torch.no_grad()
def window_probabilities(
    net: torch.nn.Module, audio: np.ndarray, chunk_samples: int, hop_samples: int, batch: int = 512
) -> np.ndarray:
    """Probabilities ``[windows, classes]`` for every window ``[k*hop, k*hop + chunk)`` of ``audio``.

    The mel frames are computed once for the whole signal and shared by overlapping windows (the hop is a
    multiple of the feature shift), exactly like the streaming detector; results equal per-window runs.
    """
    s = net.frontend.settings
    if hop_samples % s.hop_length:
        raise ValueError(f"hop_samples must be a multiple of {s.hop_length}")
    if audio.size < chunk_samples:
        audio = np.pad(audio, (chunk_samples - audio.size, 0))
    mel = long_logmel(net.frontend, audio)
    frames = s.frames_for(chunk_samples)
    windows = mel.unfold(1, frames, hop_samples // s.hop_length).permute(1, 0, 2)  # [W, n_mels, frames]
    out = [torch.softmax(net.backbone(windows[i : i + batch].contiguous()), dim=-1) for i in range(0, windows.shape[0], batch)]
    return torch.cat(out).numpy()


def smooth(probabilities: np.ndarray, hops: int) -> np.ndarray:
    """Causal moving average over the last ``hops`` rows (the first rows average what exists)."""
    if hops <= 1:
        return probabilities
    cumsum = np.cumsum(np.vstack([np.zeros((1, probabilities.shape[1])), probabilities]), axis=0)
    idx = np.arange(1, probabilities.shape[0] + 1)
    lo = np.maximum(idx - hops, 0)
    return (cumsum[idx] - cumsum[lo]) / (idx - lo)[:, None]


def count_triggers(scores: np.ndarray, threshold: float, refractory_hops: int) -> int:
    """Number of triggers of a 1-D score sequence with a refractory period (in hops)."""
    count, blocked_until = 0, -1
    for i in np.flatnonzero(scores >= threshold):
        if i > blocked_until:
            count += 1
            blocked_until = i + refractory_hops
    return count


def false_accepts_per_threshold(
    wake_scores: np.ndarray, thresholds: np.ndarray, refractory_hops: int
) -> np.ndarray:
    """Triggers on negative audio for each threshold (``wake_scores``: max over wake classes per hop)."""
    return np.array([count_triggers(wake_scores, float(t), refractory_hops) for t in thresholds])


def choose_class_thresholds(fa_per_hour: np.ndarray, frr: np.ndarray, target_fa_per_hour: float) -> list[int]:
    """Per-class threshold indices that minimise the mean false-reject rate while the classes' false accepts per
    hour add up to at most ``target_fa_per_hour``.

    ``fa_per_hour`` and ``frr`` are ``[classes, thresholds]`` (thresholds ascending, so both curves are monotone);
    two wake classes are searched exhaustively; one class, or three and more (each gets an equal share of
    the target), class by class. Where no combination meets
    the target, every class gets its strictest threshold.
    """
    classes, count = fa_per_hour.shape
    if classes == 1:
        ok = np.flatnonzero(fa_per_hour[0] <= target_fa_per_hour)
        return [int(ok[0]) if ok.size else count - 1]
    if classes == 2:
        total = fa_per_hour[0][:, None] + fa_per_hour[1][None, :]
        cost = frr[0][:, None] + frr[1][None, :]
        cost = np.where(total <= target_fa_per_hour + 1e-9, cost, np.inf)
        if not np.isfinite(cost).any():
            return [count - 1, count - 1]
        i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        return [int(i), int(j)]
    share = target_fa_per_hour / classes
    picks = []
    for c in range(classes):
        ok = np.flatnonzero(fa_per_hour[c] <= share)
        picks.append(int(ok[0]) if ok.size else count - 1)
    return picks
