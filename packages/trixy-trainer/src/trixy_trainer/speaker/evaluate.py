"""Evaluation: closed-set top-1 and EER on the test split, few-shot enrolment of held-out speakers, unknown
rejection, and the unknown-speaker threshold that goes into the metadata.

Calibration speakers (``data.calibration_dir/<name>/*.wav``, never trained on, and not the benchmark's speakers) are split in two: the first half is enrolled
from ``enrol_utterances`` recordings each and tested on the rest; the second half plays never-seen "unknown"
speakers, whose scores against every known centroid must stay below the threshold.

With a score normalisation (``score_norm``, :mod:`trixy_trainer.speaker.score_norm`) every score here is T-norm
against the cohort of training voices, as the satellite will score, so the threshold is in those units.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig

from trixy_trainer.data.audio_io import read_audio
from trixy_trainer.errors import AudioFileError
from trixy_trainer.speaker.datamodule import load_split
from trixy_trainer.speaker.model import SpeakerModel
from trixy_trainer.speaker.prepare import load_manifest, slice_speech
from trixy_trainer.speaker.score_norm import Cohort
from trixy_trainer.speaker.scoring import (
    embed_batches,
    equal_error_rate,
    rejection_rate,
    score_matrix,
    threshold_at_far,
    top1_accuracy,
    trial_scores,
)

logger = logging.getLogger(__name__)


def load_heldout(heldout_dir: str | Path, chunk_samples: int, sample_rate: int = 16000, max_files: int = 20) -> dict[str, list[np.ndarray]]:
    """Per held-out speaker, a list of recordings, each a list of slices ``[n, chunk]``."""
    root = Path(heldout_dir)
    out: dict[str, list[np.ndarray]] = {}
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        recordings = []
        for path in sorted(folder.glob("*.wav"))[:max_files]:
            try:
                pieces = slice_speech(read_audio(path, sample_rate), chunk_samples, 1.0, 0.4, sample_rate)
            except AudioFileError:
                continue
            if pieces:
                recordings.append(np.stack(pieces))
        if len(recordings) >= 2:
            out[folder.name] = recordings
    return out


def heldout_figures(
    model: SpeakerModel,
    heldout: dict[str, list[np.ndarray]],
    known: np.ndarray,
    enrol_utterances: int = 3,
    cohort: Cohort | None = None,
) -> dict[str, Any]:
    """Few-shot enrolment of the first half of ``heldout``; the second half are unknown speakers."""
    vectors = cohort.vectors if cohort is not None else None
    names = sorted(heldout)
    enrolled, unknown = names[: (len(names) + 1) // 2], names[(len(names) + 1) // 2 :]
    centres, test_emb, test_lab = [], [], []
    for i, name in enumerate(enrolled):
        recs = heldout[name]
        k = min(enrol_utterances, len(recs) - 1)
        enrol = embed_batches(model, np.concatenate(recs[:k]))
        centre = enrol.mean(axis=0)
        centres.append(centre / max(np.linalg.norm(centre), 1e-12))
        emb = embed_batches(model, np.concatenate(recs[k:]))
        test_emb.append(emb)
        test_lab.append(np.full(len(emb), i))
    c = np.stack(centres) if centres else np.zeros((0, model.embedding_dim), np.float32)
    out: dict[str, Any] = {"heldout_enrolled": len(enrolled), "heldout_unknown": len(unknown)}
    if centres:
        emb, lab = np.concatenate(test_emb), np.concatenate(test_lab)
        scores = score_matrix(emb, c, vectors)  # held-out voices are never in the cohort
        out["heldout_top1"] = top1_accuracy(scores, lab)
        target, nontarget = trial_scores(scores, lab)
        out["heldout_eer"], out["heldout_eer_threshold"] = equal_error_rate(target, nontarget)
        out["_target"], out["_nontarget"] = target, nontarget
    if unknown:
        unk = embed_batches(model, np.concatenate([np.concatenate(heldout[n]) for n in unknown]))
        all_centres = np.concatenate([known, c]) if len(c) else known
        out["_unknown"] = unk
        out["_all_centres"] = all_centres
        out["_all_index"] = cohort.index_for(len(known), extra=len(c)) if cohort is not None else None
    return out


def evaluate_model(
    model: SpeakerModel, cfg: DictConfig, speakers: list[str], centres: np.ndarray, cohort: Cohort | None = None
) -> dict[str, Any]:
    """Figures for the metadata and the unknown threshold (policy ``threshold.policy``: eer or far).

    ``cohort``: score with T-norm against these training voices (None: cosines).
    """
    result: dict[str, Any] = {"score_norm": "tnorm" if cohort is not None else "none"}
    vectors = cohort.vectors if cohort is not None else None
    known_index = cohort.index_for(len(centres)) if cohort is not None else None
    audio, labels, _ = load_split(cfg.data.chunked_dir, "test", speakers)
    targets, nontargets = [], []
    if labels.size:
        emb = embed_batches(model, audio)
        scores = score_matrix(emb, centres, vectors, known_index)
        result["test_top1"] = top1_accuracy(scores, labels)
        target, nontarget = trial_scores(scores, labels)
        result["test_eer"], _ = equal_error_rate(target, nontarget)
        result["test_slices"] = int(labels.size)
        targets.append(target)
        nontargets.append(nontarget)
    chunk = int(load_manifest(cfg.data.chunked_dir)["chunk_samples"])
    heldout = load_heldout(cfg.data.get("calibration_dir") or "", chunk, int(cfg.data.sample_rate))
    held = heldout_figures(model, heldout, centres, cohort=cohort) if heldout else {}
    if "_target" in held:
        targets.append(held.pop("_target"))
        nontargets.append(held.pop("_nontarget"))
    unknown = held.pop("_unknown", None)
    all_centres = held.pop("_all_centres", centres)
    all_index = held.pop("_all_index", known_index)
    unknown_best = score_matrix(unknown, all_centres, vectors, all_index).max(axis=1) if unknown is not None else None
    if unknown_best is not None:
        nontargets.append(unknown_best)
    result.update(held)
    target = np.concatenate(targets) if targets else np.zeros(0)
    nontarget = np.concatenate(nontargets) if nontargets else np.zeros(0)
    policy = str(cfg.threshold.get("policy", "eer"))
    if policy == "far":
        threshold = threshold_at_far(nontarget, float(cfg.threshold.far))
    else:
        _, threshold = equal_error_rate(target, nontarget)
    if not np.isfinite(threshold):
        threshold = 0.5
        logger.warning("no trials to calibrate the unknown threshold: using %.2f", threshold)
    result["unknown_threshold"] = round(float(threshold), 4)
    result["threshold_policy"] = policy
    if unknown_best is not None:
        result["unknown_rejection"] = rejection_rate(unknown_best, threshold)
    if target.size:
        result["false_reject_at_threshold"] = float(np.mean(target < threshold))
    if cfg.get("run_dir"):  # for people: the DET curve of these trials, EER marked (trixy_trainer.plots)
        from trixy_trainer.plots import SPEAKER_DET_PNG, plot_speaker_det

        plot_speaker_det(target, nontarget, Path(cfg.run_dir) / SPEAKER_DET_PNG, float(threshold))
    return {k: _clean(v) for k, v in result.items()}


def _clean(value: Any) -> Any:
    """Round floats for the metadata; NaN (a figure that could not be measured) becomes None."""
    if isinstance(value, float | np.floating):
        return round(float(value), 4) if np.isfinite(value) else None
    return value
