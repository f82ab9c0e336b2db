"""Streaming wake-word detection over live audio: hop-wise scores, smoothing, refractory period, loudness.

Feed PCM of any block size; every ``hop`` samples the detector scores the window that ends there. With the
streaming graph only the new mel frames are computed in numpy and the CNN runs on the cached frame buffer;
without it the full window is scored each hop (same numbers, more CPU). Timing is counted in samples, so tests
need no clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from trixy_satellite.wakeword.errors import WakewordError
from trixy_satellite.wakeword.features import LogMelFrames
from trixy_satellite.wakeword.model import WakewordModel
from trixy_satellite.wakeword.near_miss import NearMissTracker, WakewordNearMiss


@dataclass(slots=True, frozen=True)
class WakewordDetection:
    """One detected wake word."""

    wakeword_id: int  # index into the model's classes
    name: str  # class name, e.g. "trixy" or "system_command"
    score: float  # smoothed probability that crossed the threshold
    loudness_dbfs: float  # RMS level of the detection window (dB full scale), for arbitration between satellites
    peak_dbfs: float  # peak level of the detection window
    stream_time_s: float  # end of the detection window, in seconds of audio fed so far


@dataclass(slots=True)
class DetectorSettings:
    """Tuning of the streaming detector; defaults come from the model metadata where present."""

    hop_samples: int = 1280  # 80 ms at 16 kHz
    smoothing_hops: int = 2
    refractory_s: float = 1.5
    threshold: float | None = None  # None: the model's per-class thresholds (else its single threshold)


#: the speech-embedding models' technology and the step of their embeddings (80 ms): one probability row per step
EMBEDDING_TECHNOLOGY = "oww-embedding"
EMBEDDING_STEP_SAMPLES = 1280


def _context(stored: list, rows: int) -> np.ndarray:
    """A streaming graph's initial context ``[1, rows, width]`` from the metadata: every row (a dithered silent
    history), or one row to repeat (models exported before the dither)."""
    array = np.asarray(stored, np.float32)
    if array.ndim == 1:
        return np.tile(array, (1, rows, 1))
    if array.ndim != 2 or array.shape[0] != rows:
        raise WakewordError(f"stream metadata: a context of {rows} rows expected, got shape {array.shape}")
    return np.ascontiguousarray(array[None])


def _dbfs(value: float) -> float:
    return 20.0 * math.log10(value) if value > 1e-6 else -120.0


class WakewordDetector:
    """Stateful detector: ``feed(pcm)`` returns the detections completed by that audio."""

    def __init__(self, model: WakewordModel, settings: DetectorSettings | None = None) -> None:
        self.model = model
        detector_meta = dict(model.metadata.get("detector") or {})
        if settings is None:
            hop = int(detector_meta.get("hop_samples", 1280))
            if model.stream_session is None and str(model.metadata.get("technology", "")) == EMBEDDING_TECHNOLOGY:
                # the metadata's hop is the streaming graph's block (four 80 ms steps, one row each); the full-window
                # graph scores one step per run, so without the streaming file it must run every step to score the
                # same windows (scoring every fourth window missed half of the wake words)
                hop = EMBEDDING_STEP_SAMPLES
            settings = DetectorSettings(
                hop_samples=hop,
                smoothing_hops=int(detector_meta.get("smoothing_hops", 2)),
                refractory_s=float(detector_meta.get("refractory_s", 1.5)),
            )
        self.settings = settings
        self.threshold = float(settings.threshold if settings.threshold is not None else model.threshold)
        #: per wake class; an explicit ``settings.threshold`` applies to every class
        self.thresholds = np.array(
            [self.threshold] * (len(model.classes) - 1) if settings.threshold is not None else model.class_thresholds, np.float32
        )
        self.classes = model.classes
        self.none_index = len(self.classes) - 1
        stream = model.stream_metadata
        self._graph = str(stream.get("graph", "")) if model.stream_session is not None else ""
        self._streaming = (self._graph == "mel" and settings.hop_samples % int((stream.get("features") or {}).get("hop_length", 160)) == 0) or (
            self._graph == "speech-embedding" and settings.hop_samples == int(stream.get("stream_hop_samples", -1))
        )
        #: score rows per hop: the speech-embedding graph scores every 80 ms step of a block
        self._rows = int(stream.get("stream_block_hops", 1)) if self._streaming and self._graph == "speech-embedding" else 1
        if settings.hop_samples <= 0 or settings.hop_samples > model.chunk_samples:
            raise WakewordError(f"hop_samples must be in 1..{model.chunk_samples}, got {settings.hop_samples}")
        self._refractory = int(settings.refractory_s * model.sample_rate)
        self._near_misses: NearMissTracker | None = None
        self.reset()

    def watch_near_misses(self, floor: float | None) -> None:
        """Also report wake scores that reach ``floor`` without firing (`take_near_misses()`); None or 0: stop."""
        self._near_misses = NearMissTracker(floor, self.classes, self.model.sample_rate) if floor else None

    @property
    def near_miss_floor(self) -> float | None:
        """The score from which near misses are reported (None: not watching)."""
        return self._near_misses.floor if self._near_misses is not None else None

    def take_near_misses(self) -> list[WakewordNearMiss]:
        """Near misses completed by the audio fed so far, oldest first (empty unless `watch_near_misses`)."""
        return self._near_misses.take() if self._near_misses is not None else []

    @property
    def streaming(self) -> bool:
        """True when the cached-frame streaming graph is in use."""
        return self._streaming

    def reset(self) -> None:
        """Forget all audio and state (e.g. after the satellite paused detection)."""
        self._history = np.zeros(self.model.chunk_samples, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._scores: deque[np.ndarray] = deque(maxlen=max(1, self.settings.smoothing_hops))
        self._samples_seen = 0
        self._blocked_until = -1
        self._last_rows = np.zeros((0, len(self.classes)), np.float32)
        if self._near_misses is not None:
            self._near_misses.reset()
        if self._streaming and self._graph == "speech-embedding":
            meta = self.model.stream_metadata
            self._audio_samples = int(meta["stream_audio_samples"])
            self._lag = int(meta.get("stream_lag_samples", 128))
            inputs = {i.name: i.shape for i in self.model.stream_session.get_inputs()}
            mel_rows, emb_rows = int(inputs["mel_context"][1]), int(inputs["embedding_context"][1])
            self._mel_ctx = _context(meta["mel_context"], mel_rows)
            self._emb_ctx = _context(meta["embedding_context"], emb_rows)
        elif self._streaming:
            meta = self.model.stream_metadata
            self._frontend = LogMelFrames(meta.get("features") or {})
            self._new_frames = self.settings.hop_samples // self._frontend.hop_length
            frames = int(meta["stream_frames"])
            # zeros in the history give exactly these frames, so streaming equals full-window scoring from the start
            self._mel = np.full((1, self._frontend.n_mels, frames), math.log(self._frontend.log_offset), np.float32)

    def _score_hop(self) -> np.ndarray:
        """Probabilities ``[rows, classes]`` for the hop just added (one row per 80 ms step it covers)."""
        if self._streaming and self._graph == "speech-embedding":
            end = self._history.size - self._lag
            audio = self._history[end - self._audio_samples : end][None]
            probs, self._mel_ctx, self._emb_ctx = self.model.stream_session.run(
                None, {"audio": audio, "mel_context": self._mel_ctx, "embedding_context": self._emb_ctx}
            )
            return probs[0]
        if self._streaming:
            new = self._frontend.frames(self._history, self._new_frames)
            self._mel[0, :, : -self._new_frames] = self._mel[0, :, self._new_frames :]
            self._mel[0, :, -self._new_frames :] = new
            return self.model.stream_session.run(["probabilities"], {"mel": self._mel})[0]
        return self.model.predict_last_window(self._history[None, :])

    def feed(self, pcm: np.ndarray | bytes) -> list[WakewordDetection]:
        """Add audio (int16 PCM bytes/array or float in [-1, 1]) and return new detections."""
        if isinstance(pcm, bytes | bytearray | memoryview):
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        else:
            array = np.asarray(pcm)
            samples = array.astype(np.float32) / 32768.0 if array.dtype == np.int16 else array.astype(np.float32, copy=False)
        if samples.ndim != 1:
            raise WakewordError(f"feed() expects mono audio, got shape {samples.shape}")
        self._pending = np.concatenate([self._pending, samples]) if self._pending.size else samples
        hop = self.settings.hop_samples
        detections: list[WakewordDetection] = []
        while self._pending.size >= hop:
            block, self._pending = self._pending[:hop], self._pending[hop:]
            self._history = np.concatenate([self._history[hop:], block])
            rows = self._score_hop()
            self._last_rows = rows
            step = hop // len(rows)
            for r, row in enumerate(rows):
                at = self._samples_seen + (r + 1) * step
                self._scores.append(row)
                smoothed = np.mean(self._scores, axis=0)
                wake = smoothed[: self.none_index]
                over = wake >= self.thresholds
                best = int(np.argmax(np.where(over, wake, -1.0)))
                blocked = at <= self._blocked_until
                fired = bool(over[best]) and not blocked
                if self._near_misses is not None:
                    self._near_misses.step(wake, at, blocked, fired)
                if fired:
                    self._blocked_until = at + self._refractory
                    window = self._history[max(0, self._history.size - self.model.chunk_samples) :]
                    rms = float(np.sqrt(np.mean(np.square(window, dtype=np.float64))))
                    detections.append(
                        WakewordDetection(
                            wakeword_id=best,
                            name=self.classes[best],
                            score=float(wake[best]),
                            loudness_dbfs=_dbfs(rms),
                            peak_dbfs=_dbfs(float(np.max(np.abs(window)))),
                            stream_time_s=at / self.model.sample_rate,
                        )
                    )
            self._samples_seen += hop
        return detections

    def flush(self) -> list[WakewordDetection]:
        """End of the stream (a file, a closed microphone): score the audio still waiting for a whole hop as if
        digital silence followed, up to the end of that hop, and return its detections.

        The detector scores whole hops only (320 ms blocks for the streaming speech-embedding graphs), so without
        this the last part of a file is never scored: a file that ends within 0.2 s of the wake word was detected
        40-54 % of the time, 94 % with ``flush()`` (``benchmarks/wakeword_conditions.py``). A live stream never
        needs it. Detections may lie up to one hop past the audio's end (``stream_time_s`` counts the padding)."""
        if self._pending.size == 0:
            return []
        return self.feed(np.zeros((-self._pending.size) % self.settings.hop_samples, np.float32))

    def prime(self, pcm: np.ndarray | bytes) -> int:
        """Feed audio that was heard while detection was paused, dropping its detections; returns how many were dropped.

        After a ``reset()`` the window holds digital silence, and scores stay low until a whole window of real audio
        has come in (see ``warmed_up``). Priming with the last seconds of the microphone instead (the satellite does
        after every conversation) makes the next wake word as detectable as one in the middle of a stream. Scores,
        smoothing and the refractory period follow the primed audio exactly as if it had been listened to, so a wake
        word at its very end does not fire again on the next hop. Near misses in it are dropped too."""
        dropped = len(self.feed(pcm))
        if self._near_misses is not None:
            self._near_misses.take()
        return dropped

    @property
    def stream_time_s(self) -> float:
        """Seconds of audio fed so far (since the start or the last ``reset()``), the part not yet scored included.

        A detection's ``stream_time_s`` is the end of the window that fired; the difference is the detector's
        latency (up to a block, 320 ms for the speech-embedding models, plus the smoothing)."""
        return (self._samples_seen + self._pending.size) / self.model.sample_rate

    @property
    def warmed_up(self) -> bool:
        """True once a whole model window of real audio has been fed since the start or the last ``reset()``.

        Before that the window still holds the digital silence it starts from, which no microphone gives: scores
        are lower (a wake word in the first ~2 s after a start or a reset is detected less reliably)."""
        return self._samples_seen >= self.model.chunk_samples

    def last_rows(self) -> np.ndarray:
        """Raw probabilities ``[rows, classes]`` of the last hop, one row per 80 ms step it covered."""
        return self._last_rows

    def last_scores(self) -> np.ndarray | None:
        """The most recent raw probabilities (for level meters and debugging)."""
        return self._scores[-1] if self._scores else None
