"""`WakeListener`: runs the wake-word detector on every microphone chunk while the satellite is idle.

On a detection it names the speaker (speaker identification on the last 1.5 s) and hands everything to the
`ConversationRecorder`, which pauses detection (it is no longer idle), buffers, and talks to the server. When the
recorder is idle again (or the server is back) detection resumes: the detector is reset and primed with the last
model window of microphone audio (its detections dropped), so it does not start from digital silence, which would
make a wake word in the first ~2 s after every conversation less detectable. With a `DetectionKeeper`
(`audio.keep_detections`) the audio around each detection is also kept as a WAV. Near misses (a wake score of at
least `audio.keep_near_misses` that did not fire) are reported in the log and the debug output, so a person the
model hears badly sees that it nearly did, and kept as WAVs with the keeper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from trixy_core.logging import debug_print
from trixy_satellite.listening.command_start import command_start_s
from trixy_satellite.listening.detection_keeper import DetectionKeeper
from trixy_satellite.listening.speaker_window import SpeakerWindow

logger = logging.getLogger(__name__)


class WakeListener:
    """Detector + speaker window + recorder: the satellite's wake -> record loop."""

    def __init__(self, detector: Any, recorder: Any, *, speaker: SpeakerWindow | None = None,
                 connected: Callable[[], bool] = lambda: True, keeper: DetectionKeeper | None = None,
                 near_miss_floor: float | None = None) -> None:
        self.detector = detector
        self.keeper = keeper
        #: near misses from this score are reported (and kept with the keeper); None: the keeper's floor, 0: off
        self.near_miss_floor = float(near_miss_floor if near_miss_floor is not None else
                                     keeper.near_miss_floor if keeper is not None else 0.0)
        self._watch_near_misses(detector)
        self.recorder = recorder
        self.speaker = speaker or SpeakerWindow()
        self.connected = connected
        self.detections = 0
        self.near_misses = 0
        self.recent = SpeakerWindow(seconds=self._window_s(detector))  # what primes the detector on resuming
        self._paused = False
        recorder.on_state_change.append(self._state_changed)

    @staticmethod
    def _window_s(detector: Any) -> float:
        """The model's window plus one hop: primed with it, the detector is warmed up (whole hops are scored)."""
        model = getattr(detector, "model", None)
        samples, rate = getattr(model, "chunk_samples", None), getattr(model, "sample_rate", None)
        hop = getattr(getattr(detector, "settings", None), "hop_samples", 0)
        if not (isinstance(samples, int) and isinstance(rate, int) and rate > 0):
            return 2.5
        return float(samples + (hop if isinstance(hop, int) else 0)) / float(rate)

    def _watch_near_misses(self, detector: Any) -> None:
        """Have ``detector`` report near misses from `near_miss_floor` (a detector without the method: none)."""
        watch = getattr(detector, "watch_near_misses", None)
        if self.near_miss_floor and callable(watch):
            watch(self.near_miss_floor)

    def use_detector(self, detector: Any) -> None:
        """Listen with ``detector`` from the next chunk on (a model update); it is primed with the recent audio."""
        self.detector = detector
        self._watch_near_misses(detector)
        heard = self.recent.audio()
        self.recent = SpeakerWindow(seconds=self._window_s(detector))
        if heard.size:
            self.recent.feed(heard.tobytes())
        self._paused = True

    def feed(self, chunk: bytes) -> None:
        """Every microphone chunk (pump consumer); detection runs only while idle and connected."""
        self.speaker.feed(chunk)
        if self.keeper is not None:
            self.keeper.feed(chunk)
        if self.recorder.state != "idle" or not self.connected():
            self._paused = True  # detection pauses during a conversation, and without a server nobody would answer
            self.recent.feed(chunk)
            return
        if self._paused:
            self._resume()
        self.recent.feed(chunk)
        detections = self.detector.feed(chunk)
        if self.near_miss_floor:
            for miss in getattr(self.detector, "take_near_misses", list)():
                self.near_misses += 1
                keep = self.keeper is not None and bool(self.keeper.near_miss_floor)
                logger.info("near miss: wake word %r scored %.2f, under its threshold%s", miss.name, miss.score,
                            " (kept for sorting)" if keep else "")
                debug_print(f"near miss: wake word {miss.name!r} scored {miss.score:.2f}, not enough to wake "
                            "(say it again; audio.keep_detections keeps such moments to train on)")
                if keep:
                    self.keeper.detected(miss.name, miss.score, near_miss=True)
        for detection in detections:
            self.detections += 1
            if self.keeper is not None:
                self.keeper.detected(detection.name, detection.score)
            speaker_id, speaker_name, speaker_score = self.speaker.identify()
            debug_print(f"wake word {detection.name!r} (score {detection.score:.2f}, {detection.loudness_dbfs:.1f} dBFS), "
                   f"speaker {speaker_name or 'unknown'} ({speaker_score:.2f})")
            # loudness_db=None: the recorder measures the loudest 20 ms of the last second, the same measure as for a
            # server-triggered wake word, so satellites are compared on one scale (the detector's window RMS is
            # diluted by the silence in its window)
            if self.recorder.wake_word_detected(detection.wakeword_id, detection.name, score=detection.score,
                                                speaker_id=speaker_id, speaker_name=speaker_name, loudness_db=None,
                                                speaker_score=speaker_score, audio_since_s=self._latency_s(detection)):
                break

    def _latency_s(self, detection: Any) -> float:
        """Where the command's recording starts, in seconds before now: the quietest moment of the 0.3 s before the
        window that fired ended (`command_start_s`), so a command that began before the detector reported keeps its
        first word and the wake word's tail stays out (0 when the detector does not say when it fired). The recorder
        sends what it kept of that (1 s by default)."""
        fed, at = getattr(self.detector, "stream_time_s", None), getattr(detection, "stream_time_s", None)
        if not isinstance(fed, float) or not isinstance(at, float):
            return 0.0
        since = min(max(0.0, fed - at), 1.0)
        return command_start_s(self.recent.audio(), self.recent.sample_rate, since)

    def _resume(self) -> None:
        """Detection starts again: a clean detector, primed with the last window of audio (not digital silence)."""
        self._paused = False
        self.detector.reset()
        prime = getattr(self.detector, "prime", None)
        audio = self.recent.audio()
        if prime is not None and audio.size:
            dropped = prime(audio)
            if dropped:
                logger.debug("%d detection(s) in the audio heard while paused dropped", dropped)

    def _state_changed(self, state: str) -> None:
        if state == "idle":
            self._paused = True  # the next chunk resumes detection (also after a wake word the server declined)
