"""Speaker identification on the satellite: numpy + onnxruntime only (no torch).

The Trixy speaker ONNX model maps ``audio [batch, samples]`` to an L2-normalised ``embedding`` and ``logits``. The
identifier scores the embedding of the wake-word audio (optionally averaged with the command audio) against the
enrolled speakers' mean embeddings from the metadata (and any added at runtime with :meth:`enroll`) by cosine;
below ``unknown_threshold`` the speaker is unknown. A model whose metadata has ``score_norm`` (T-norm against a
cohort of its training voices, :mod:`trixy_core.speaker_score_norm`) is scored in T-norm units, as its threshold
was chosen; older models score plain cosines. Each utterance is first cut to its spoken part
(``speech_region``), as the trainer's slices are (``trim=False`` embeds the audio as given); models exported since
2026-12-06 make the same cut inside their graph too, so models exported before get it here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trixy_core.speaker_enrolment import enrolment_centre, enrolment_views
from trixy_core.speaker_score_norm import ScoreNormError, cohort_index_for, parse_score_norm, tnorm_scores
from trixy_satellite.speaker.errors import SpeakerModelError
from trixy_satellite.speaker.speech_region import speech_region
from trixy_satellite.speaker.technology import check_technology, peek_metadata

logger = logging.getLogger(__name__)

UNKNOWN_NAME = "unknown"
UNKNOWN_ID = -1


@dataclass(slots=True, frozen=True)
class SpeakerMatch:
    """Who spoke: ``name``/``id`` of the best enrolled speaker, or ``unknown``/-1 when ``score`` < threshold.

    ``score`` is in the threshold's units: T-norm when the model has ``score_norm``, else cosine.
    """

    name: str
    id: int
    score: float
    known: bool
    candidate: str  # best-scoring enrolled speaker even when unknown (for logs/TUI)


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "[{-0123456789" or text in ("true", "false", "null"):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
    return value


def speakers_from_props(meta: dict[str, Any]) -> list[str]:
    """Speaker names in id order from ``num_speaker`` + ``speaker001``... (id = key number - 1)."""
    try:
        count = int(meta["num_speaker"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SpeakerModelError("model metadata has no valid num_speaker: not a Trixy speaker model") from exc
    names = []
    for index in range(count):
        key = f"speaker{index + 1:03d}"
        if key not in meta:
            raise SpeakerModelError(f"model metadata says num_speaker={count} but lacks {key}; re-export the model")
        names.append(str(meta[key]))
    return names


def to_float_audio(audio: np.ndarray) -> np.ndarray:
    """int16 PCM or float audio -> float32 mono in [-1, 1]."""
    arr = np.asarray(audio)
    if arr.ndim == 2:  # [samples, channels] -> mono
        arr = arr.mean(axis=1) if arr.shape[1] <= 8 else arr.mean(axis=0)
    if arr.ndim != 1:
        raise SpeakerModelError(f"audio must be 1-D (mono samples), got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer):
        return (arr.astype(np.float32) / 32768.0).clip(-1.0, 1.0)
    return arr.astype(np.float32).clip(-1.0, 1.0)


class SpeakerIdentifier:
    """Load a Trixy speaker ONNX model and identify speakers from wake-word (and command) audio.

    Candidates by ``speaker_source`` in the metadata: ``enrolled`` always, ``trained`` (real people the model was
    trained on) unless ``include_trained=False``, ``synthetic`` (espeak-ng voices of the shipped model) only with
    ``include_synthetic=True`` (benchmarks, tests).
    """

    def __init__(
        self,
        model_path: str | Path,
        threshold: float | None = None,
        threads: int = 1,
        max_window_s: float | None = None,
        include_trained: bool = True,
        include_synthetic: bool = False,
        trim: bool = True,
    ) -> None:
        import onnxruntime

        self.trim = trim
        self.path = Path(model_path)
        if not self.path.is_file():
            raise SpeakerModelError(f"{self.path}: speaker model not found (ship models/voice_recognition/<name>/*.onnx)")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self.session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            technology = peek_metadata(self.path, "technology")
            if technology is not None:  # a model file, but one this runtime cannot load: say what it needs
                check_technology(self.path, {"technology": technology})
            raise SpeakerModelError(f"{self.path}: not a readable ONNX model ({exc})") from exc
        inputs = [i.name for i in self.session.get_inputs()]
        outputs = [o.name for o in self.session.get_outputs()]
        if inputs != ["audio"] or "embedding" not in outputs:
            raise SpeakerModelError(f"{self.path}: expected input 'audio' and output 'embedding', got {inputs} -> {outputs}")
        raw = dict(self.session.get_modelmeta().custom_metadata_map)
        self.metadata = {k: _decode(v) for k, v in raw.items()}
        check_technology(self.path, self.metadata)
        self.speakers = speakers_from_props(self.metadata)
        self.sample_rate = int(self.metadata.get("sample_rate", 16000))
        self.threshold = float(threshold if threshold is not None else self.metadata.get("unknown_threshold", 0.5))
        # window length for long audio: the model's own (embedding_window_s: GE2E was trained on 1.6 s partials)
        window_s = max_window_s if max_window_s is not None else float(self.metadata.get("embedding_window_s", 4.0))
        self.max_window = int(window_s * self.sample_rate)
        self.min_samples = int(0.1 * self.sample_rate)
        self.centroids = self._centroids()
        try:
            norm = parse_score_norm(self.metadata.get("score_norm"), len(self.speakers))
        except ScoreNormError as exc:
            raise SpeakerModelError(f"{self.path}: {exc}; re-export or re-calibrate the model") from exc
        if norm is not None and self.centroids.shape[1] == 0:
            raise SpeakerModelError(f"{self.path}: score_norm needs speaker_embeddings for its cohort; re-export the model")
        self.score_norm = norm
        # a copy: enrolling a name that is also a cohort voice must not move the cohort
        self.cohort = self.centroids[list(norm.cohort)].copy() if norm is not None else None
        sources = self.metadata.get("speaker_source")
        if not isinstance(sources, list) or len(sources) != len(self.speakers):
            sources = ["trained"] * len(self.speakers)
        # synthetic training voices (the shipped model's) are not people in this home: never match them by default
        allowed = {"enrolled"} | ({"trained"} if include_trained else set()) | ({"synthetic"} if include_synthetic else set())
        self.active = np.asarray([s in allowed for s in sources], bool)

    def _centroids(self) -> np.ndarray:
        stored = self.metadata.get("speaker_embeddings")
        if stored:
            arr = np.asarray(stored, dtype=np.float32)
            if arr.shape[0] != len(self.speakers):
                raise SpeakerModelError(
                    f"{self.path}: {arr.shape[0]} speaker embeddings for {len(self.speakers)} speakers; re-export the model"
                )
            return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)
        logger.warning("%s has no speaker_embeddings: enrol speakers with SpeakerIdentifier.enroll()", self.path)
        return np.zeros((len(self.speakers), 0), np.float32)

    @property
    def embedding_dim(self) -> int:
        """Size of the embedding output."""
        return int(self.session.get_outputs()[[o.name for o in self.session.get_outputs()].index("embedding")].shape[1] or 0)

    def _speech(self, x: np.ndarray) -> np.ndarray:
        """The part of ``x`` the embedding reads: its speech region when trimming is on."""
        return speech_region(x, self.sample_rate, self.min_samples) if self.trim else x

    def embed(self, audio: np.ndarray, sample_rate: int | None = None) -> np.ndarray:
        """Normalised embedding of one utterance; long audio is cut into windows whose embeddings are averaged."""
        if sample_rate is not None and sample_rate != self.sample_rate:
            raise SpeakerModelError(f"audio is {sample_rate} Hz but the model expects {self.sample_rate} Hz; resample first")
        x = self._speech(to_float_audio(audio))
        if x.size < self.min_samples:
            raise SpeakerModelError(f"audio too short for speaker identification ({x.size} samples, need {self.min_samples})")
        if x.size <= self.max_window:
            windows = x[None, :]
        else:
            hop = self.max_window // 2
            starts = range(0, x.size - self.max_window + 1, hop)
            windows = np.stack([x[s : s + self.max_window] for s in starts])
        (emb,) = self.session.run(["embedding"], {"audio": windows.astype(np.float32)})
        mean = emb.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def enrolment_centre(self, utterances: Sequence[np.ndarray], sample_rate: int | None = None,
                         views: bool = True) -> np.ndarray:
        """A speaker's normalised centre from a few utterances (and, with ``views``, their enrolment views)."""
        embs = np.stack([self.embed(u, sample_rate) for u in utterances])
        if not views:
            return enrolment_centre(embs)
        copies = [v for u in utterances for v in enrolment_views(self._speech(to_float_audio(u)), self.sample_rate)]
        return enrolment_centre(embs, np.stack([self.embed(v) for v in copies]) if copies else None)

    def scores(self, embedding: np.ndarray) -> np.ndarray:
        """Score of ``embedding`` against every speaker (id order; inactive ones get a floor): T-norm when the
        model has ``score_norm``, else cosine."""
        floor = -1.0 if self.score_norm is None else -1e6
        if self.centroids.shape[1] == 0:
            return np.full(len(self.speakers), floor, np.float32)
        if self.score_norm is None:
            raw = self.centroids @ embedding
        else:
            index = cohort_index_for(len(self.speakers), self.score_norm.cohort)
            raw = tnorm_scores(embedding[None, :], self.centroids, self.cohort, index)[0]
        return np.where(self.active, raw, floor).astype(np.float32)

    def identify(
        self,
        wake_audio: np.ndarray,
        command_audio: np.ndarray | None = None,
        sample_rate: int | None = None,
        command_weight: float = 1.0,
    ) -> SpeakerMatch:
        """Identify who said the wake word (the command audio, when given, adds evidence)."""
        emb = self.embed(wake_audio, sample_rate)
        if command_audio is not None and to_float_audio(command_audio).size >= self.min_samples:
            emb = emb + command_weight * self.embed(command_audio, sample_rate)
            emb = emb / max(float(np.linalg.norm(emb)), 1e-12)
        return self.match(emb)

    def match(self, embedding: np.ndarray) -> SpeakerMatch:
        """Best enrolled speaker for an embedding, or unknown below the threshold."""
        if not self.speakers or not self.active.any():
            return SpeakerMatch(UNKNOWN_NAME, UNKNOWN_ID, -1.0, False, "")  # nobody to match: no score
        scores = self.scores(embedding)
        best = int(np.argmax(scores))
        score = float(scores[best])
        if score < self.threshold:
            return SpeakerMatch(UNKNOWN_NAME, UNKNOWN_ID, score, False, self.speakers[best])
        return SpeakerMatch(self.speakers[best], best, score, True, self.speakers[best])

    def enroll(self, name: str, utterances: Sequence[np.ndarray], sample_rate: int | None = None, views: bool = True) -> int:
        """Add (or refresh) a speaker at runtime from a few utterances; returns its id. Not saved in the model file
        (use ``trixy-train speaker enroll`` to store it). With ``views`` (the default) the centre also averages each
        utterance as other microphones, rooms and noise would give it (:mod:`trixy_core.speaker_enrolment`)."""
        if not utterances:
            raise SpeakerModelError(f"no utterances to enrol {name!r}")
        centre = self.enrolment_centre(utterances, sample_rate, views)
        if self.centroids.shape[1] == 0:
            self.centroids = np.zeros((len(self.speakers), centre.size), np.float32)
        if name in self.speakers:
            sid = self.speakers.index(name)
            self.centroids[sid] = centre
            self.active[sid] = True
            return sid
        self.speakers.append(name)
        self.centroids = np.vstack([self.centroids, centre[None].astype(np.float32)])
        self.active = np.append(self.active, True)
        return len(self.speakers) - 1
