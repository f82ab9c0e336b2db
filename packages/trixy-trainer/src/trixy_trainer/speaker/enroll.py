"""Enrolment without training: a speaker is added from a few utterances by averaging their embeddings.

With ``views`` (the default, ``enroll.views``) the centre also averages each slice as other microphones, rooms and
noise would give it (:mod:`trixy_core.speaker_enrolment`, the same rule as the satellite's
``SpeakerIdentifier.enroll``). The centre becomes the speaker's row in ``speaker_embeddings`` and a new prototype row in the classifier
(so ``logits`` grows with ``num_speaker``); existing ids never change. The unknown-speaker cosine threshold stays
in ``unknown_threshold``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trixy_core.speaker_enrolment import enrolment_centre, enrolment_views
from trixy_core.speaker_score_norm import MIN_COHORT
from trixy_trainer.data.audio_io import read_audio
from trixy_trainer.errors import AudioFileError
from trixy_trainer.speaker.errors import EnrolmentError
from trixy_trainer.speaker.model import SpeakerModel
from trixy_trainer.speaker.prepare import slice_speech
from trixy_trainer.speaker.scoring import embed_batches
from trixy_trainer.speaker.speakers import speaker_metadata, speakers_from_metadata

logger = logging.getLogger(__name__)

EMBEDDING_DECIMALS = 5


def rounded(vectors: np.ndarray) -> list[list[float]]:
    """Embeddings as JSON-friendly lists (5 decimals keep cosine scores exact to ~1e-5)."""
    return np.round(np.asarray(vectors, dtype=np.float64), EMBEDDING_DECIMALS).tolist()


def utterance_slices(paths: Sequence[str | Path], chunk_samples: int, sample_rate: int) -> np.ndarray:
    """Read, trim and slice enrolment recordings; unreadable files are skipped with a warning."""
    pieces: list[np.ndarray] = []
    for path in paths:
        try:
            audio = read_audio(path, sample_rate)
        except AudioFileError as exc:
            logger.warning("enrolment: skipping %s", exc)
            continue
        pieces.extend(slice_speech(audio, chunk_samples, 0.5, 0.2, sample_rate))
    return np.stack(pieces) if pieces else np.zeros((0, chunk_samples), np.float32)


def slice_views(utterances: np.ndarray, sample_rate: int) -> np.ndarray:
    """The enrolment views of every slice ``[n, samples]``, made from its non-silent span (a short recording's slice
    is zero-padded: the padding stays silent) and padded back: ``[n * len(VIEWS), samples]``."""
    out = []
    for piece in np.asarray(utterances, dtype=np.float32):
        voiced = np.flatnonzero(piece)
        if voiced.size == 0:
            continue
        start, stop = int(voiced[0]), int(voiced[-1]) + 1
        for view in enrolment_views(piece[start:stop], sample_rate):
            padded = np.zeros_like(piece)
            padded[start:stop] = view
            out.append(padded)
    return np.stack(out) if out else np.zeros((0, np.asarray(utterances).shape[-1]), np.float32)


def _leave_cohort(meta: dict[str, Any], sid: int, name: str) -> None:
    """A re-enrolled voice is a person now, no longer an impostor of the T-norm cohort (``score_norm``)."""
    norm = meta.get("score_norm")
    if not isinstance(norm, Mapping) or sid not in (norm.get("cohort") or []):
        return
    cohort = [i for i in norm["cohort"] if i != sid]
    if len(cohort) < MIN_COHORT:
        raise EnrolmentError(f"re-enrolling {name!r} would leave the score_norm cohort {len(cohort)} voices "
                             f"(needs {MIN_COHORT}): enrol under a new name instead")
    meta["score_norm"] = {**dict(norm), "cohort": cohort}


def enroll_speaker(
    model: SpeakerModel, meta: Mapping[str, Any], name: str, utterances: np.ndarray, replace: bool = False,
    views: bool = True,
) -> dict[str, Any]:
    """Add (or with ``replace`` re-enrol) ``name`` from ``utterances [n, samples]``; returns the new metadata."""
    if len(utterances) == 0:
        raise EnrolmentError(f"no usable speech to enrol {name!r}: give a few clear recordings of at least 1 s")
    names = speakers_from_metadata(meta)
    new_meta = dict(meta)
    embeddings = [list(e) for e in meta.get("speaker_embeddings") or []]
    sources = list(meta.get("speaker_source") or ["trained"] * len(names))
    view_embeddings = embed_batches(model, slice_views(utterances, int(meta.get("sample_rate", 16000)))) if views else None
    centre = enrolment_centre(embed_batches(model, utterances), view_embeddings)
    if name in names:
        if not replace:
            raise EnrolmentError(f"speaker {name!r} is already known (id {names.index(name)}); use replace to re-enrol")
        sid = names.index(name)
        with torch.no_grad():
            model.prototypes.data[sid] = torch.from_numpy(centre.astype(np.float32))
        embeddings[sid] = rounded(centre[None])[0]
        sources[sid] = "enrolled"
        _leave_cohort(new_meta, sid, name)
    else:
        model.grow(torch.from_numpy(centre[None].astype(np.float32)))
        names.append(name)
        embeddings.append(rounded(centre[None])[0])
        sources.append("enrolled")
    new_meta.update(speaker_metadata(names))
    new_meta["speaker_embeddings"] = embeddings
    new_meta["speaker_source"] = sources
    new_meta.setdefault("enrolment", {})
    new_meta["enrolment"] = {**dict(new_meta["enrolment"]), name: {"utterances": int(len(utterances)), "views": bool(views)}}
    logger.info("enrolled %s as id %d from %d slices", name, names.index(name), len(utterances))
    return new_meta
