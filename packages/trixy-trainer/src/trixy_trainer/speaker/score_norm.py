"""Which training voices form the T-norm cohort of a speaker model (config ``score_norm``), and its metadata.

``score_norm.method``: ``none`` (plain cosines, the default since 2026-12-08) or ``tnorm``. ``score_norm.cohort``:
``synthetic`` (default: the espeak-ng voices made by ``speaker synth``, never candidates in a home) or ``all`` (every
trained speaker; each candidate is then scored without its own row). Fewer than
:data:`trixy_core.speaker_score_norm.MIN_COHORT` such voices: no normalisation, with a warning. The arithmetic is
:mod:`trixy_core.speaker_score_norm`, shared with the satellite.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trixy_core.speaker_score_norm import MIN_COHORT, ScoreNorm, cohort_index_for
from trixy_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

COHORT_CHOICES = ("synthetic", "all")


@dataclass(frozen=True)
class Cohort:
    """The cohort's speaker ids and their (L2-normalised) embeddings."""

    ids: tuple[int, ...]
    vectors: np.ndarray

    def index_for(self, candidates: int, extra: int = 0) -> np.ndarray:
        """Cohort row per candidate id 0..candidates-1 (-1 outside), then ``extra`` candidates outside it."""
        return np.concatenate([cohort_index_for(candidates, self.ids), np.full(extra, -1, int)])

    def to_score_norm(self) -> ScoreNorm:
        """The metadata form."""
        return ScoreNorm(self.ids)


def check_settings(settings: Mapping[str, Any] | None) -> tuple[str, str]:
    """``(method, cohort)`` of the ``score_norm`` config section; a bad key or value is a :class:`ConfigError`."""
    if settings is not None and not isinstance(settings, Mapping):
        raise ConfigError(f"score_norm must be a section with method and cohort, got {settings!r}")
    settings = dict(settings or {})
    unknown = sorted(set(settings) - {"method", "cohort"})
    if unknown:
        raise ConfigError(f"score_norm has unknown keys {unknown} (known: method, cohort)")
    method = str(settings.get("method", "none"))
    if method not in ("tnorm", "none"):
        raise ConfigError(f"score_norm.method must be tnorm or none, got {method!r}")
    which = str(settings.get("cohort", "synthetic"))
    if which not in COHORT_CHOICES:
        raise ConfigError(f"score_norm.cohort must be one of {', '.join(COHORT_CHOICES)}, got {which!r}")
    return method, which


def choose_cohort(settings: Mapping[str, Any] | None, sources: Sequence[str], centres: np.ndarray) -> Cohort | None:
    """The cohort for ``settings`` (the ``score_norm`` config section), or None for plain cosines."""
    method, which = check_settings(settings)
    if method == "none":
        return None
    wanted = {"synthetic"} if which == "synthetic" else {"synthetic", "trained"}
    ids = tuple(i for i, source in enumerate(sources) if source in wanted and i < len(centres))
    if len(ids) < MIN_COHORT:
        logger.warning("score_norm: only %d %s training voices (T-norm needs %d): scoring with plain cosines",
                       len(ids), which, MIN_COHORT)
        return None
    vectors = np.asarray(centres, np.float32)[list(ids)]
    return Cohort(ids, vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))
