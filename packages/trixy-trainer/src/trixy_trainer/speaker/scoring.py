"""Embedding, scoring and metrics: centroids, top-1 identification, equal error rate, unknown threshold.

Pure numpy apart from :func:`embed_batches`, so the benchmark can share the metrics with the satellite path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trixy_core.speaker_score_norm import tnorm_scores


def embed_batches(model, audio: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """L2-normalised embeddings ``[n, dim]`` of ``audio [n, samples]`` with a torch :class:`SpeakerModel`."""
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(audio), batch_size):
            emb, _ = model(torch.from_numpy(np.ascontiguousarray(audio[start : start + batch_size], dtype=np.float32)))
            out.append(emb.numpy())
    dim = int(model.embedding_dim)
    return np.concatenate(out) if out else np.zeros((0, dim), np.float32)


def normalize(x: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def centroids(embeddings: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Normalised mean embedding per label ``[count, dim]`` (zeros for labels without data)."""
    out = np.zeros((count, embeddings.shape[1]), np.float32)
    for label in range(count):
        rows = embeddings[labels == label]
        if len(rows):
            out[label] = normalize(rows.mean(axis=0))
    return out


def score_matrix(
    embeddings: np.ndarray,
    centres: np.ndarray,
    cohort: np.ndarray | None = None,
    cohort_index: np.ndarray | None = None,
) -> np.ndarray:
    """Scores ``[n, k]``: cosines, or T-norm against ``cohort`` (see :mod:`trixy_core.speaker_score_norm`)."""
    if cohort is None:
        return embeddings @ centres.T
    return tnorm_scores(embeddings, centres, cohort, cohort_index)


def top1_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Closed-set identification accuracy from ``scores [n, speakers]`` (:func:`score_matrix`)."""
    if len(labels) == 0:
        return float("nan")
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def trial_scores(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Verification trials from ``scores [n, speakers]``: (target scores, non-target scores)."""
    mask = np.zeros_like(scores, dtype=bool)
    mask[np.arange(len(labels)), labels] = True
    return scores[mask], scores[~mask]


def equal_error_rate(target: np.ndarray, nontarget: np.ndarray) -> tuple[float, float]:
    """Return ``(eer, threshold)``: the rate where false rejects equal false accepts, and the score there."""
    if len(target) == 0 or len(nontarget) == 0:
        return float("nan"), float("nan")
    thresholds = np.unique(np.concatenate([target, nontarget]))
    far = 1.0 - np.searchsorted(np.sort(nontarget), thresholds, side="left") / len(nontarget)
    frr = np.searchsorted(np.sort(target), thresholds, side="left") / len(target)
    i = int(np.argmin(np.abs(far - frr)))
    return float((far[i] + frr[i]) / 2.0), float(thresholds[i])


def threshold_at_far(nontarget: np.ndarray, far: float) -> float:
    """Smallest score threshold at which at most ``far`` of non-target scores are accepted."""
    if len(nontarget) == 0:
        return float("nan")
    return float(np.quantile(nontarget, 1.0 - far))


def rejection_rate(best_scores: np.ndarray, threshold: float) -> float:
    """Share of (unknown-speaker) utterances whose best score against the known speakers stays below ``threshold``."""
    if len(best_scores) == 0:
        return float("nan")
    return float(np.mean(best_scores < threshold))


def split_enrolment(labels: np.ndarray, per_speaker: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices for enrolment (``per_speaker`` per label) and the rest for testing."""
    rng = np.random.default_rng(seed)
    enrol: list[int] = []
    for label in np.unique(labels):
        idx = np.flatnonzero(labels == label)
        enrol.extend(rng.choice(idx, size=min(per_speaker, max(1, len(idx) - 1)), replace=False).tolist())
    mask = np.zeros(len(labels), bool)
    mask[enrol] = True
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def summarize(values: Sequence[float]) -> float:
    """Mean ignoring NaNs (NaN when empty)."""
    arr = np.asarray([v for v in values if v == v], dtype=np.float64)
    return float(arr.mean()) if arr.size else float("nan")
