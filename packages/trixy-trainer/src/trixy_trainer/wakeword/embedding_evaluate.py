"""Scoring the speech-embedding head on cached clips: detection rate, false accepts per hour, confusable fires.

Every window of every clip is scored at once (the same numbers the streaming detector produces hop by hop), then
smoothed and counted like the satellite does: a detection is a smoothed score over the class threshold, followed by
a refractory period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_pth
from trixy_trainer.models.embedding_wakeword import EmbeddingHead, embedding_head
from trixy_trainer.wakeword.detection import count_triggers, smooth
from trixy_trainer.wakeword.embedding_corpus import HOP, WINDOW_END_OFFSET, ClipSet

#: thresholds searched for each wake class (dense towards 1: the head's scores saturate)
THRESHOLDS = np.unique(np.round(np.concatenate([np.linspace(0.3, 0.99, 70), 1.0 - np.logspace(-2, -5, 61)]), 7))


def load_head(path: str | Path, password: str | None) -> tuple[dict, EmbeddingHead]:
    """The metadata and the trained head (eval mode, no dropout) of a speech-embedding model's ``.pth``."""
    meta, state = read_pth(path, password, WAKEWORD_REQUIRED_KEYS)
    arch = meta["architecture"]
    head = embedding_head(arch["name"], len(meta["classes"]), {**arch["params"], "dropout": 0.0})
    head.load_state_dict(state)
    return meta, head.eval()


def single_threshold(class_thresholds: dict[str, float]) -> float:
    """The metadata's one ``threshold`` (for tools that use a single value): the highest class threshold, so such a
    tool never fires where the per-class rule would not (the lowest would give "Trixy" system command's 0.5)."""
    return float(max(class_thresholds.values()))


@torch.no_grad()
def clip_probabilities(head: torch.nn.Module, clips: ClipSet, windows: int, batch: int = 4096) -> list[np.ndarray]:
    """Per clip, the probabilities ``[windows_in_clip, classes]`` of every window (one per 80 ms)."""
    head.eval()
    flat = torch.from_numpy(clips.embeddings.astype(np.float32))
    ends = [np.arange(int(clips.offsets[i]) + windows - 1, int(clips.offsets[i + 1])) for i in range(clips.clips)]
    every = torch.from_numpy(np.concatenate(ends)) if ends else torch.zeros(0, dtype=torch.long)
    steps = torch.arange(-(windows - 1), 1)
    out = []
    for start in range(0, every.numel(), batch):
        idx = every[start : start + batch, None] + steps[None, :]
        out.append(torch.softmax(head(flat[idx]), dim=-1).numpy())
    probs = np.concatenate(out) if out else np.zeros((0, 1), np.float32)
    sizes = np.cumsum([e.size for e in ends])[:-1]
    return np.split(probs, sizes)


@dataclass(slots=True)
class EmbeddingEvaluation:
    """Figures for one split at chosen per-class thresholds (stored in the model's ``results`` metadata)."""

    split: str
    thresholds: dict[str, float]
    detection: dict[str, float]
    positives: dict[str, int]
    fa_per_hour: float
    false_accepts: int
    negative_hours: float
    confusable_fire_rate: float
    confusables: int
    per_voice: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict:
        """A JSON-friendly dict."""
        return asdict(self)


def peak_near_wake(probs: np.ndarray, wake_end: int, cls: int, smoothing: int, windows: int = 16) -> float:
    """Highest smoothed score of class ``cls`` from 0.2 s before the phrase's end to 1.25 s after it (0 if none)."""
    if probs.shape[0] == 0:
        return 0.0
    scores = smooth(probs, smoothing)[:, cls]
    ends = (np.arange(probs.shape[0]) + windows - 1) * HOP + WINDOW_END_OFFSET  # row i: window of embeddings ..i+15
    span = (ends >= wake_end - 3200) & (ends <= wake_end + 20000)
    return float(scores[span].max()) if span.any() else 0.0


def detection_curves(
    pos_probs: list[np.ndarray], pos: ClipSet, cls: int, smoothing: int, thresholds: np.ndarray = THRESHOLDS, windows: int = 16
) -> np.ndarray:
    """Detection rate of class ``cls`` for every threshold (``windows``: the head's embeddings per decision)."""
    peaks = np.array([peak_near_wake(p, int(we), cls, smoothing, windows) for p, we in zip(pos_probs, pos.wake_end, strict=True)])
    return np.array([(peaks >= t).mean() if peaks.size else 0.0 for t in thresholds])


def false_accept_counts(
    neg_probs: list[np.ndarray], cls: int, smoothing: int, refractory_hops: int, thresholds: np.ndarray = THRESHOLDS
) -> np.ndarray:
    """Triggers of class ``cls`` on negative clips, for every threshold."""
    peaks_per_clip = [smooth(p, smoothing)[:, cls] for p in neg_probs if p.shape[0]]
    return np.array([sum(count_triggers(s, float(t), refractory_hops) for s in peaks_per_clip) for t in thresholds])


def fire_rates(neg_probs: list[np.ndarray], cls: int, smoothing: int, thresholds: np.ndarray = THRESHOLDS) -> np.ndarray:
    """Share of clips where class ``cls`` fires at all, for every threshold."""
    peaks = np.array([float(smooth(p, smoothing)[:, cls].max()) if p.shape[0] else 0.0 for p in neg_probs])
    return np.array([(peaks >= t).mean() if peaks.size else 0.0 for t in thresholds])


def choose_thresholds(
    head: torch.nn.Module,
    positives: dict[str, ClipSet],
    speech: ClipSet,
    confusables: ClipSet,
    classes: list[str],
    windows: int,
    target_fa_per_hour: float,
    max_confusable_rate: float,
    smoothing: int,
    refractory_hops: int,
    floor: float = 0.5,
) -> dict[str, float]:
    """Per wake class, the lowest threshold whose false accepts on ``speech`` stay within the target (the classes
    share it) and that fires on at most ``max_confusable_rate`` of the confusable clips; then, as a confusable clip
    that fires any wake class is one false wake-up, the classes share that budget too (:func:`share_confusable_budget`)."""
    speech_probs = clip_probabilities(head, speech, windows)
    conf_probs = clip_probabilities(head, confusables, windows)
    hours = speech.seconds() / 3600
    chosen = {}
    wake = classes[:-1]
    # each confusable clip's highest smoothed score per wake class: its fire rate at any threshold, and the budget
    peaks = np.array([[float(smooth(p, smoothing)[:, c].max()) if p.shape[0] else 0.0 for c in range(len(wake))]
                      for p in conf_probs]).reshape(len(conf_probs), len(wake))
    for c, name in enumerate(wake):
        fa = false_accept_counts(speech_probs, c, smoothing, refractory_hops) / max(hours, 1e-9)
        fire = (peaks[:, c][:, None] >= THRESHOLDS).mean(axis=0) if len(peaks) else np.zeros(THRESHOLDS.size)
        ok = np.flatnonzero((fa <= target_fa_per_hour / len(wake) + 1e-9) & (fire <= max_confusable_rate) & (THRESHOLDS >= floor))
        chosen[name] = float(THRESHOLDS[ok[0]]) if ok.size else float(THRESHOLDS[-1])
    return share_confusable_budget(chosen, wake, peaks, max_confusable_rate)


def share_confusable_budget(
    chosen: dict[str, float], wake: list[str], peaks: np.ndarray, max_rate: float
) -> dict[str, float]:
    """Raise thresholds (each to its next value in ``THRESHOLDS``) until at most ``max_rate`` of the confusable
    clips fire **any** wake class. ``peaks [clips, classes]``: each clip's highest smoothed score per class. The class
    raised each time is the one whose threshold the most still-firing clips pass; a class already at the top stays."""
    out = dict(chosen)
    if peaks.size == 0:
        return out
    while True:
        limits = np.array([out[name] for name in wake])
        firing = peaks >= limits  # [clips, classes]
        if firing.any(axis=1).mean() <= max_rate + 1e-9:
            return out
        order = np.argsort(-firing.sum(axis=0), kind="stable")
        for c in order:
            higher = THRESHOLDS[THRESHOLDS > out[wake[c]]]
            if higher.size and firing[:, c].any():
                out[wake[c]] = float(higher[0])
                break
        else:  # every firing class is at its top threshold: nothing more to raise
            return out


def evaluate_split(
    head: torch.nn.Module,
    split: str,
    positives: dict[str, ClipSet],
    speech: ClipSet,
    confusables: ClipSet,
    classes: list[str],
    thresholds: dict[str, float],
    windows: int,
    smoothing: int,
    refractory_hops: int,
) -> EmbeddingEvaluation:
    """Detection per class, FA/h on ``speech`` (any wake class) and the confusable fire rate at ``thresholds``."""
    wake = classes[:-1]
    detection, counts, per_voice = {}, {}, {}
    for c, name in enumerate(wake):
        clips = positives.get(name)
        if clips is None:
            continue
        probs = clip_probabilities(head, clips, windows)
        hits = [peak_near_wake(p, int(we), c, smoothing, windows) >= thresholds[name] for p, we in zip(probs, clips.wake_end, strict=True)]
        detection[name] = float(np.mean(hits)) if hits else 0.0
        counts[name] = len(hits)
        by_voice: dict[str, list[bool]] = {}
        for hit, voice in zip(hits, clips.voices, strict=True):
            by_voice.setdefault(voice.split("+")[0], []).append(hit)
        per_voice[name] = {v: round(float(np.mean(h)), 3) for v, h in sorted(by_voice.items())}
    speech_probs = clip_probabilities(head, speech, windows)
    conf_probs = clip_probabilities(head, confusables, windows)
    false_accepts = 0
    for probs in speech_probs:
        if probs.shape[0] == 0:
            continue
        scores = smooth(probs, smoothing)[:, : len(wake)] - np.array([thresholds[n] for n in wake])[None, :]
        false_accepts += count_triggers(scores.max(axis=1), 0.0, refractory_hops)
    fired = 0
    for probs in conf_probs:
        if probs.shape[0] and np.any(smooth(probs, smoothing)[:, : len(wake)] >= np.array([thresholds[n] for n in wake])[None, :]):
            fired += 1
    hours = speech.seconds() / 3600
    return EmbeddingEvaluation(
        split=split,
        thresholds=dict(thresholds),
        detection=detection,
        positives=counts,
        fa_per_hour=false_accepts / max(hours, 1e-9),
        false_accepts=false_accepts,
        negative_hours=round(hours, 3),
        confusable_fire_rate=fired / max(confusables.clips, 1),
        confusables=confusables.clips,
        per_voice=per_voice,
    )
