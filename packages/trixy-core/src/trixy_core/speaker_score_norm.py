"""Speaker score normalisation (T-norm against a cohort of impostor voices), shared by trainer and satellite.

A raw cosine between a test utterance and an enrolled speaker depends on the test voice as much as on the match:
an unfamiliar voice (another microphone, a synthesiser the model never heard) can score high against everybody.
T-norm rescales each of the test utterance's scores by how that same utterance scores against a fixed **cohort**
of voices that are certainly not the speaker: ``(score - mean(cohort scores)) / std(cohort scores)``. The best
candidate stays the same (for candidates outside the cohort), but the score that the unknown threshold sees now
says "how far above the crowd", which makes the threshold carry over from one kind of voice to another.

The model's metadata key ``score_norm`` holds ``{"method": "tnorm", "cohort": [speaker ids]}``; the cohort
embeddings are those speakers' rows of ``speaker_embeddings`` (for the shipped model: its 100 synthetic training
voices, which are never candidates in a home). ``unknown_threshold`` is then in T-norm units. A candidate that is
itself in the cohort is scored against the cohort without its own row (leave-one-out). Without the key, scores are
plain cosines (every model made before this existed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

METHODS = ("tnorm", "none")
#: fewer cohort voices than this give too noisy a mean/std to normalise with
MIN_COHORT = 10
_STD_FLOOR = 1e-3


class ScoreNormError(ValueError):
    """The ``score_norm`` metadata (or config) is not a valid score normalisation."""


@dataclass(frozen=True, slots=True)
class ScoreNorm:
    """T-norm against the speakers ``cohort`` (ids into the model's speaker list)."""

    cohort: tuple[int, ...]
    method: str = "tnorm"

    def to_metadata(self) -> dict[str, Any]:
        """The metadata value (JSON-ready)."""
        return {"method": self.method, "cohort": list(self.cohort)}


def parse_score_norm(value: Any, num_speakers: int) -> ScoreNorm | None:
    """``score_norm`` metadata -> :class:`ScoreNorm`, or None for absent / ``method: none``; bad values raise."""
    if value is None or value == "" or value == {}:
        return None
    if not isinstance(value, dict):
        raise ScoreNormError(f"score_norm must be an object like {{'method': 'tnorm', 'cohort': [ids]}}, got {value!r}")
    method = value.get("method", "tnorm")
    if method not in METHODS:
        raise ScoreNormError(f"score_norm method {method!r} is unknown (known: {', '.join(METHODS)})")
    if method == "none":
        return None
    cohort = value.get("cohort")
    if not isinstance(cohort, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in cohort):
        raise ScoreNormError("score_norm cohort must be a list of speaker ids")
    if len(set(cohort)) != len(cohort):
        raise ScoreNormError("score_norm cohort lists a speaker id twice")
    bad = [i for i in cohort if not 0 <= i < num_speakers]
    if bad:
        raise ScoreNormError(f"score_norm cohort ids {bad[:5]} are outside the model's {num_speakers} speakers")
    if len(cohort) < MIN_COHORT:
        raise ScoreNormError(f"score_norm cohort has {len(cohort)} speakers; T-norm needs at least {MIN_COHORT}")
    return ScoreNorm(tuple(cohort), str(method))


def tnorm_scores(
    embeddings: np.ndarray,
    centres: np.ndarray,
    cohort: np.ndarray,
    cohort_index: np.ndarray | None = None,
) -> np.ndarray:
    """T-normalised scores ``[n, k]`` of ``embeddings [n, d]`` against ``centres [k, d]``.

    ``cohort [m, d]`` are the impostor embeddings (L2-normalised); ``cohort_index[j]`` is candidate j's row in the
    cohort, or -1 when it is not in it (then that row is left out of j's statistics: leave-one-out).
    """
    emb = np.atleast_2d(np.asarray(embeddings, np.float64))
    raw = emb @ np.asarray(centres, np.float64).T
    against = emb @ np.asarray(cohort, np.float64).T  # [n, m]
    m = against.shape[1]
    if m < 2:
        raise ScoreNormError(f"T-norm needs at least 2 cohort embeddings, got {m}")
    total = against.sum(axis=1, keepdims=True)
    squares = (against**2).sum(axis=1, keepdims=True)
    mean = np.repeat(total / m, raw.shape[1], axis=1)
    var = np.repeat(squares / m, raw.shape[1], axis=1) - mean**2
    if cohort_index is not None:
        index = np.asarray(cohort_index, int)
        inside = np.flatnonzero(index >= 0)
        if inside.size:
            own = against[:, index[inside]]  # [n, j]: each candidate's own cohort score, left out
            loo_mean = (total - own) / (m - 1)
            var[:, inside] = (squares - own**2) / (m - 1) - loo_mean**2
            mean[:, inside] = loo_mean
    std = np.sqrt(np.maximum(var, 0.0)) + _STD_FLOOR
    return ((raw - mean) / std).astype(np.float32)


def cohort_index_for(candidates: int, cohort_ids: tuple[int, ...] | list[int]) -> np.ndarray:
    """Per candidate id (0..candidates-1), its row in the cohort or -1."""
    index = np.full(candidates, -1, int)
    for row, sid in enumerate(cohort_ids):
        if sid < candidates:
            index[sid] = row
    return index
