"""`WakeListener`: runs the wake-word detector on every microphone chunk while the satellite is idle.

On a detection it names the speaker (speaker identification on the last 1.5 s) and hands everything to the
`ConversationRecorder`, which pauses detection (it is no longer idle), buffers, and talks to the server. When the
recorder is idle again the detector is reset: detection resumes with a clean state. With a `DetectionKeeper`
(`audio.keep_detections`) the audio around each detection is also kept as a WAV.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from trixy_core.logging import debug_print
from trixy_satellite.listening.detection_keeper import DetectionKeeper
from trixy_satellite.listening.speaker_window import SpeakerWindow

logger = logging.getLogger(__name__)


class WakeListener:
    """Detector + speaker window + recorder: the satellite's wake -> record loop."""

    def __init__(self, detector: Any, recorder: Any, *, speaker: SpeakerWindow | None = None,
                 connected: Callable[[], bool] = lambda: True, keeper: DetectionKeeper | None = None) -> None:
        self.detector = detector
        self.keeper = keeper
        self.recorder = recorder
        self.speaker = speaker or SpeakerWindow()
        self.connected = connected
        self.detections = 0
        recorder.on_state_change.append(self._state_changed)

    def feed(self, chunk: bytes) -> None:
        """Every microphone chunk (pump consumer); detection runs only while idle and connected."""
        self.speaker.feed(chunk)
        if self.keeper is not None:
            self.keeper.feed(chunk)
        if self.recorder.state != "idle" or not self.connected():
            return  # detection pauses during a conversation, and without a server nobody would answer
        for detection in self.detector.feed(chunk):
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
                                                speaker_score=speaker_score):
                break

    def _state_changed(self, state: str) -> None:
        if state == "idle":
            self.detector.reset()
