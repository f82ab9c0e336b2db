"""Evaluation: false-reject rate at a target false-accepts-per-hour, DET curve PNG, threshold choice.

Positives are the test-split chunks of each wake class, embedded in ``context_s`` of silence on both sides and
scanned with the sliding detector; negatives are one long stream made of the test-split negative and background
chunks (held-out voices), scanned the same way.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from trixy_trainer.wakeword.datamodule import list_chunks
from trixy_trainer.wakeword.detection import (
    choose_class_thresholds,
    false_accepts_per_threshold,
    smooth,
    window_probabilities,
)

logger = logging.getLogger(__name__)

#: Candidate thresholds: even steps up to 0.99, then log-spaced towards 1 (a well-trained model's negatives and
#: positives part in the last few thousandths).
THRESHOLDS = np.unique(np.round(np.concatenate([np.linspace(0.05, 0.99, 95), 1.0 - np.logspace(-2, -4, 41)]), 6))


@dataclass(slots=True)
class EvaluationResult:
    """Figures stored in the model metadata under ``results``."""

    threshold: float
    target_fa_per_hour: float
    frr: dict[str, float]
    fa_per_hour: float
    negative_hours: float
    positives: dict[str, int]
    accuracy: float
    det_curve: str | None = None
    #: per wake class: the threshold of that class alone (the classes' false accepts together stay at the target)
    class_thresholds: dict[str, float] = field(default_factory=dict)
    class_frr: dict[str, float] = field(default_factory=dict)
    class_fa_per_hour: float = 0.0
    curve: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict:
        """Metadata-friendly dict (without the full curve)."""
        data = asdict(self)
        data.pop("curve")
        return data


def _load(paths: list[Path]) -> list[np.ndarray]:
    return [sf.read(str(p), dtype="float32")[0] for p in paths]


@torch.no_grad()
def evaluate_wakeword(
    net: torch.nn.Module,
    chunked_dir: str | Path,
    chunk_samples: int,
    classes: list[str],
    split: str = "test",
    hop_samples: int = 1280,
    smoothing_hops: int = 2,
    refractory_s: float = 1.5,
    target_fa_per_hour: float = 1.0,
    context_s: float = 0.5,
    det_png: str | Path | None = None,
    max_positives: int = 2000,
    negative_audio: np.ndarray | None = None,
) -> EvaluationResult:
    """Score ``net`` on ``split``; choose the lowest threshold with FA/h <= target; optionally save the DET PNG."""
    net.eval()
    sr = 16000
    items = list_chunks(chunked_dir, split)
    pad = np.zeros(int(context_s * sr), np.float32)
    frr_curves: dict[str, np.ndarray] = {}
    positives: dict[str, int] = {}
    correct, total = 0, 0
    for label in (0, 1):
        paths = [p for p, y in items if y == label][:max_positives]
        if not paths:
            continue
        maxima = []
        for clip in _load(paths):
            probs = window_probabilities(net, np.concatenate([pad, clip, pad]), chunk_samples, hop_samples)
            maxima.append(smooth(probs, smoothing_hops)[:, label].max())
            centre = window_probabilities(net, clip, chunk_samples, 160)
            correct += int(centre.argmax(axis=1)[0] == label)
            total += 1
        maxima_arr = np.array(maxima)
        frr_curves[classes[label]] = np.array([(maxima_arr < t).mean() for t in THRESHOLDS])
        positives[classes[label]] = len(paths)
    if negative_audio is None:
        neg_paths = [p for p, y in items if y == 2]
        clips = _load(neg_paths)
        for clip in clips[:500]:
            centre = window_probabilities(net, clip, chunk_samples, 160)
            correct += int(centre.argmax(axis=1)[0] == 2)
            total += 1
        rng = np.random.default_rng(0)
        order = rng.permutation(len(clips))
        negative_audio = np.concatenate([clips[i] for i in order]) if clips else np.zeros(sr, np.float32)
    hours = negative_audio.size / sr / 3600
    probs = smooth(window_probabilities(net, negative_audio, chunk_samples, hop_samples), smoothing_hops)
    wake = probs[:, :2].max(axis=1)
    refractory_hops = int(round(refractory_s * sr / hop_samples))
    fa_counts = false_accepts_per_threshold(wake, THRESHOLDS, refractory_hops)
    fa_per_hour = fa_counts / max(hours, 1e-9)
    ok = np.flatnonzero(fa_per_hour <= target_fa_per_hour)
    index = int(ok[0]) if ok.size else len(THRESHOLDS) - 1
    threshold = float(THRESHOLDS[index])
    frr = {name: float(curve[index]) for name, curve in frr_curves.items()}
    labels = [label for label in (0, 1) if classes[label] in frr_curves]
    class_fa = np.array([false_accepts_per_threshold(probs[:, label], THRESHOLDS, refractory_hops) / max(hours, 1e-9) for label in labels])
    picks = choose_class_thresholds(class_fa, np.array([frr_curves[classes[label]] for label in labels]), target_fa_per_hour)
    class_thresholds = {classes[label]: float(THRESHOLDS[k]) for label, k in zip(labels, picks, strict=True)}
    class_frr = {classes[label]: float(frr_curves[classes[label]][k]) for label, k in zip(labels, picks, strict=True)}
    result = EvaluationResult(
        threshold=threshold,
        target_fa_per_hour=target_fa_per_hour,
        frr=frr,
        fa_per_hour=float(fa_per_hour[index]),
        negative_hours=round(hours, 4),
        positives=positives,
        accuracy=correct / max(total, 1),
        class_thresholds=class_thresholds,
        class_frr=class_frr,
        class_fa_per_hour=float(sum(class_fa[i][k] for i, k in enumerate(picks))),
        curve={"thresholds": THRESHOLDS.tolist(), "fa_per_hour": fa_per_hour.tolist(), **{k: v.tolist() for k, v in frr_curves.items()}},
    )
    if det_png is not None:
        result.det_curve = str(save_det_curve(result, det_png))
    logger.info("evaluation on %s: threshold %.3f FRR %s at %.2f FA/h over %.2f h", split, threshold, frr, result.fa_per_hour, hours)
    logger.info("per-class thresholds %s: FRR %s at %.2f FA/h", class_thresholds, class_frr, result.class_fa_per_hour)
    return result


def load_negative_audio(path: str | Path, sample_rate: int = 16000) -> np.ndarray:
    """One negative stream from a WAV file or every WAV in a folder (sorted), resampled to ``sample_rate`` mono."""
    from trixy_trainer.data.audio_io import read_audio
    from trixy_trainer.errors import DatasetError

    path = Path(path)
    files = sorted(path.rglob("*.wav")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        raise DatasetError(f"{path}: no negative audio (a WAV file or a folder of WAVs) for the evaluation")
    return np.concatenate([read_audio(f, sample_rate) for f in files]).astype(np.float32)


def save_det_curve(result: EvaluationResult, path: str | Path) -> Path:
    """Plot false-reject rate against false accepts per hour for each wake class."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    fa = np.maximum(np.array(result.curve["fa_per_hour"]), 1e-2)
    for name in result.positives:
        ax.plot(fa, np.maximum(np.array(result.curve[name]) * 100, 1e-2), label=name)
    ax.axvline(result.target_fa_per_hour, color="grey", linestyle="--", label=f"{result.target_fa_per_hour:g} FA/h")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"false accepts per hour ({result.negative_hours:.2f} h of negatives)")
    ax.set_ylabel("false-reject rate (%)")
    ax.set_title(f"DET curve (threshold {result.threshold:.3f})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
