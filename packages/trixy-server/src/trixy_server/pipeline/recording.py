"""`RecordingBook`: which satellite is recording which conversation turn, and the audio captured for it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trixy_server.capture import AudioCapture

logger = logging.getLogger(__name__)

STOP_REASONS = {"silence": "silence", "timeout": "max_length", "stopped": "stopped", "aborted": "abort"}
"""Protocol `RecordingEndReason` -> the `stop_reason` of `raw audio input received`."""


def trim_trailing_silence(pcm: bytes, *, threshold_db: float = -40.0, keep_s: float = 0.3, chunk_ms: int = 20,
                          sample_rate: int = 16000) -> bytes:
    """Cut what follows the last speech chunk (louder than `threshold_db`), keeping `keep_s`; all-quiet audio is
    returned as it is (speech-to-text then reports that nothing was said)."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
    step = sample_rate * chunk_ms // 1000
    frames = len(samples) // step
    if frames == 0:
        return pcm
    blocks = samples[: frames * step].astype(np.float64).reshape(frames, step)
    rms = np.sqrt(np.mean(blocks * blocks, axis=1)) / 32768.0
    loud = np.nonzero(rms > 10 ** (threshold_db / 20))[0]
    if loud.size == 0:
        return pcm
    end = min(len(samples), (int(loud[-1]) + 1) * step + int(keep_s * sample_rate))
    return samples[:end].tobytes()


#: the most lead audio a satellite's ``command_lead_ms`` is believed for (more is counted as the command itself)
MAX_LEAD_MS = 1000


def split_lead(pcm: bytes, lead_ms: int, sample_rate: int = 16000) -> tuple[bytes, bytes]:
    """``(lead, command)``: the first ``lead_ms`` of 16-bit ``pcm`` (whole samples, at most :data:`MAX_LEAD_MS`, never
    all of it) and the rest."""
    lead_ms = min(max(0, int(lead_ms)), MAX_LEAD_MS)
    cut = min(lead_ms * sample_rate // 1000 * 2, len(pcm) // 2 * 2)
    if cut >= len(pcm):
        return b"", pcm
    return pcm[:cut], pcm[cut:]


@dataclass(slots=True)
class ActiveRecording:
    """One utterance being recorded: started by StartStreaming (turn 0) or ListenAgain (later turns)."""

    satellite: Any
    conversation_id: str
    turn: int
    capture: AudioCapture
    speaker_id: int = -1
    speaker_name: str = ""
    wake_word_id: int = 0
    started_at: float = field(default_factory=time.monotonic)
    lead_ms: int = 0
    """The first ``lead_ms`` of the audio come before where the satellite judged the command to start."""


class RecordingBook:
    """At most one recording per satellite; a new one replaces (and closes) the old."""

    def __init__(self, network_server: Any) -> None:
        self.server = network_server
        self._by_satellite: dict[str, ActiveRecording] = {}

    def start(self, satellite: Any, conversation_id: str, turn: int, *, speaker_id: int = -1, speaker_name: str = "",
              wake_word_id: int = 0, max_seconds: float = 120.0, lead_ms: int = 0) -> ActiveRecording:
        """Open a capture of `satellite`'s microphone before the command that starts its stream is sent."""
        self.cancel(satellite.id)
        capture = self.server.capture(satellite, max_seconds=max_seconds)
        recording = ActiveRecording(satellite, conversation_id, turn, capture, speaker_id, speaker_name, wake_word_id,
                                    lead_ms=lead_ms)
        self._by_satellite[satellite.id] = recording
        return recording

    def get(self, satellite_id: str) -> ActiveRecording | None:
        """The satellite's recording in progress, if any."""
        return self._by_satellite.get(satellite_id)

    def finish(self, satellite_id: str, conversation_id: str) -> ActiveRecording | None:
        """Take the recording that a `RecordingDone` ends (None: unknown or of another conversation)."""
        recording = self._by_satellite.get(satellite_id)
        if recording is None or recording.conversation_id != conversation_id:
            return None
        del self._by_satellite[satellite_id]
        return recording

    def cancel(self, satellite_id: str) -> ActiveRecording | None:
        """Forget a satellite's recording (conversation ended, satellite gone)."""
        recording = self._by_satellite.pop(satellite_id, None)
        if recording is not None:
            recording.capture.close()
        return recording

    def for_conversation(self, conversation_id: str) -> list[ActiveRecording]:
        """Recordings that belong to a conversation."""
        return [r for r in self._by_satellite.values() if r.conversation_id == conversation_id]

    def close(self) -> None:
        """Close every capture."""
        for satellite_id in list(self._by_satellite):
            self.cancel(satellite_id)
