"""`ConversationRecorder`: the satellite's side of a conversation — wake word, buffering, streaming, silence.

Plugs into the client (commands from the server) and the microphone pump (chunks). A wake-word detector calls
`wake_word_detected(...)`; the server's `TriggerWakeWord` does the same by hand. The energy-based silence detector
here is deliberately simple; a VAD can replace `is_speech`.
"""

from __future__ import annotations

import collections
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trixy_protocol import (
    AbortStreaming,
    ListenAgain,
    RecordingDone,
    RecordingEndReason,
    StandDown,
    StartStreaming,
    StopStreaming,
    TriggerWakeWord,
    WakeWordDetected,
    now_us,
)
from trixy_satellite.audio.format import MIC_FORMAT
from trixy_satellite.client import SatelliteClient
from trixy_satellite.connection import LinkLost

logger = logging.getLogger(__name__)


def chunk_dbfs(chunk: bytes) -> float:
    """Loudness of a chunk in dBFS (-120 for digital silence)."""
    if not chunk:
        return -120.0
    samples = np.frombuffer(chunk, dtype="<i2").astype(np.float32)
    rms = float(np.sqrt(np.mean(samples * samples))) / 32768.0
    return 20 * math.log10(rms) if rms > 1e-6 else -120.0


@dataclass(slots=True)
class LastWakeWord:
    """The latest wake word this satellite reported to the server (shown in the TUI, sent in `SatelliteStatus`)."""

    wake_word_id: int
    wake_word_name: str
    score: float
    timestamp: float
    """Unix time of the detection (or of the trigger by hand)."""
    speaker_id: int | None = None
    speaker_name: str = ""
    speaker_score: float | None = None
    system_command: bool = False
    triggered_by_hand: bool = False
    """True when the server or the local TUI triggered it (`TriggerWakeWord`, "Trigger wake word"), not the detector."""
    loudness_db: float = -120.0

    def as_dict(self) -> dict[str, object]:
        """Plain values (for `SatelliteStatus.extra`)."""
        return {name: getattr(self, name) for name in self.__slots__}


class ConversationRecorder:
    """State machine: idle -> waiting (wake word sent, buffering) -> streaming -> idle."""

    def __init__(self, client: SatelliteClient, *, pre_roll_s: float = 0.0, level_window_s: float = 1.0,
                 selection_timeout_s: float = 10.0, speech_threshold_db: float = -40.0, command_lead_s: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.pre_roll_s = pre_roll_s
        """Audio from before the detection sent with the buffer. 0 by default: the buffer is the audio since the
        wake word (a piece of the wake word in front of the command confuses a grammar-based recogniser)."""
        self.command_lead_s = command_lead_s
        """After a detected wake word, this much more audio from before where the command was judged to start is
        sent first, and its length is told to the server (``WakeWordDetected.command_lead_ms``), which hands it to
        speech-to-text apart from the command (``RawAudioInputReceived.lead_pcm``): when the cut fell inside the
        command's first sound, decoding from a little earlier recovers it."""
        self.level_window_s = level_window_s
        """Audio before the detection used to measure its loudness when the detector gives none."""
        self.selection_timeout_s = selection_timeout_s
        self.speech_threshold_db = speech_threshold_db
        self.clock = clock
        self.state = "idle"
        self.conversation_id = ""
        self.turn = 0
        self.on_state_change: list[Callable[[str], None]] = []
        self.identify_speaker: Callable[[], tuple[int | None, str, float]] | None = None
        """Names the speaker of the latest audio when a detection comes without one (e.g. `TriggerWakeWord`)."""
        self.last_wake_word: LastWakeWord | None = None
        """The latest wake word reported to the server (None = none since the start)."""
        self.on_wake_word: list[Callable[[LastWakeWord], None]] = []
        self._pre_roll: collections.deque[bytes] = collections.deque()
        self._pre_roll_bytes = 0
        self._buffer: list[bytes] = []
        self._lead_chunks = 0
        """How many of the buffer's first chunks are lead only: sent, but not heard for speech and silence."""
        self._waiting_since = 0.0
        self._pending_listen: ListenAgain | None = None
        self._reset_stream_state()
        client.on(StartStreaming, self._on_start)
        client.on(StopStreaming, lambda c: self._finish(RecordingEndReason.STOPPED, c.conversation_id))
        client.on(AbortStreaming, lambda c: self._finish(RecordingEndReason.ABORTED, c.conversation_id))
        client.on(StandDown, self._on_stand_down)
        client.on(TriggerWakeWord, lambda c: self.trigger_wake_word(c.wake_word_name))
        client.on(ListenAgain, self._on_listen_again)
        client.disconnected_callbacks.append(lambda _c, _r: self._lost())

    def _reset_stream_state(self) -> None:
        self._sent_bytes = 0
        self._heard_speech = False
        self._silence_s = 0.0
        self._peak_db = -120.0
        self._max_s = 60.0
        self._silence_limit = 3.0
        self._streamed_s = 0.0

    def _set_state(self, state: str) -> None:
        self.state = state
        if self.client.player is not None:
            self.client.player.conversation_active = state in ("waiting", "streaming")
        for callback in list(self.on_state_change):
            callback(state)

    # -- the wake-word detector's entry point ---------------------------------------------------------------------
    def trigger_wake_word(self, wake_word_name: str = "custom") -> bool:
        """Behave as if `wake_word_name` was heard (by hand: the server's `TriggerWakeWord`, the TUI's button)."""
        return self.wake_word_detected(1 if wake_word_name == "system_command" else 0, wake_word_name, score=1.0,
                                       triggered_by_hand=True)

    def wake_word_detected(self, wake_word_id: int, wake_word_name: str, *, score: float = 1.0,
                           speaker_id: int | None = None, speaker_name: str = "", loudness_db: float | None = None,
                           speaker_score: float | None = None, triggered_by_hand: bool = False,
                           audio_since_s: float = 0.0) -> bool:
        """Report a detection to the server and keep buffering; False when busy or not connected.

        ``audio_since_s``: the command may have started that long ago (the detector's latency: the window that fired
        ended then, and the detector reports at the end of its block); the buffer starts there, or ``pre_roll_s``
        back if that is longer, so a command said right after the wake word keeps its first word. After a detection
        (``audio_since_s`` > 0) the buffer reaches ``command_lead_s`` further back, and the server is told how much
        of it comes before the command."""
        if self.state != "idle" or not self.client.connected:
            return False
        if speaker_id is None and self.identify_speaker is not None:
            speaker_id, speaker_name, speaker_score = self.identify_speaker()
        recent = list(self._pre_roll)
        level_chunks = recent[len(recent) - self._chunks_for(self.level_window_s, recent):]
        command_s = max(self.pre_roll_s, audio_since_s)
        lead_s = max(0.0, self.command_lead_s) if audio_since_s > 0 else 0.0
        self._buffer = recent[len(recent) - self._chunks_for(command_s + lead_s, recent):]
        buffered_s = MIC_FORMAT.seconds(sum(len(c) for c in self._buffer))
        lead_ms = int(round(max(0.0, buffered_s - command_s) * 1000)) if lead_s else 0
        self._lead_chunks = _whole_chunks_within(self._buffer, MIC_FORMAT.bytes_for(lead_ms / 1000))
        loud = float(loudness_db if loudness_db is not None else
                     max((chunk_dbfs(c) for c in level_chunks), default=-120.0))  # numpy floats cannot travel
        timestamp_us = now_us()
        speaker_score = None if speaker_score is None or speaker_id is None else float(speaker_score)
        try:
            self.client.send(WakeWordDetected(wake_word_id=int(wake_word_id), wake_word_name=wake_word_name,
                                              speaker_id=None if speaker_id is None else int(speaker_id),
                                              speaker_name=speaker_name, score=float(score),
                                              loudness_db=loud, timestamp_us=timestamp_us,
                                              speaker_score=speaker_score,
                                              system_command=wake_word_name == "system_command",
                                              command_lead_ms=lead_ms))
        except LinkLost:
            return False
        self._waiting_since = self.clock()
        self.last_wake_word = LastWakeWord(
            wake_word_id=int(wake_word_id), wake_word_name=wake_word_name, score=float(score),
            timestamp=timestamp_us / 1_000_000, speaker_id=None if speaker_id is None else int(speaker_id),
            speaker_name=speaker_name, speaker_score=speaker_score, system_command=wake_word_name == "system_command",
            triggered_by_hand=triggered_by_hand, loudness_db=loud)
        self._set_state("waiting")
        for callback in list(self.on_wake_word):
            try:
                callback(self.last_wake_word)
            except Exception:  # a listener's bug must not break the conversation
                logger.exception("wake-word callback failed")
        return True

    @staticmethod
    def _chunks_for(seconds: float, chunks: list[bytes]) -> int:
        """How many of the newest `chunks` make up `seconds` of audio."""
        count, total, limit = 0, 0, MIC_FORMAT.bytes_for(seconds)
        for chunk in reversed(chunks):
            if total >= limit:
                break
            total += len(chunk)
            count += 1
        return count

    # -- microphone -----------------------------------------------------------------------------------------------
    def feed(self, chunk: bytes) -> None:
        """Every microphone chunk passes here (called by the pump)."""
        if self.state == "streaming":
            self._stream(chunk)
            return
        if self.state == "waiting":
            self._buffer.append(chunk)
            if self.clock() - self._waiting_since > self.selection_timeout_s:
                logger.info("no selection from the server in %.0f s: dropping the buffer", self.selection_timeout_s)
                self._buffer = []
                self._set_state("idle")
            return
        self._pre_roll.append(chunk)
        self._pre_roll_bytes += len(chunk)
        while self._pre_roll_bytes > MIC_FORMAT.bytes_for(max(self.pre_roll_s, self.level_window_s)) and self._pre_roll:
            self._pre_roll_bytes -= len(self._pre_roll.popleft())
        if self._pending_listen is not None and not (self.client.player and self.client.player.speaking):
            command, self._pending_listen = self._pending_listen, None
            self._begin(command.conversation_id, command.turn, command.max_duration_s, command.silence_s, [])

    def is_speech(self, chunk: bytes) -> bool:
        """Energy VAD: louder than `speech_threshold_db`."""
        return chunk_dbfs(chunk) > self.speech_threshold_db

    def _stream(self, chunk: bytes) -> None:
        self._send(chunk)
        seconds = MIC_FORMAT.seconds(len(chunk))
        self._streamed_s += seconds
        if self.is_speech(chunk):
            self._heard_speech = True
            self._silence_s = 0.0
        elif self._heard_speech:
            self._silence_s += seconds
        if self._heard_speech and self._silence_s >= self._silence_limit:
            self._finish(RecordingEndReason.SILENCE, self.conversation_id)
        elif self._streamed_s >= self._max_s:
            self._finish(RecordingEndReason.TIMEOUT, self.conversation_id)

    def _send(self, chunk: bytes, *, lead: bool = False) -> None:
        if self.client.send_audio(chunk):
            self._sent_bytes += len(chunk)
            if not lead:
                self._peak_db = max(self._peak_db, chunk_dbfs(chunk))

    # -- server commands ------------------------------------------------------------------------------------------
    def _on_start(self, command: StartStreaming) -> None:
        buffered = self._buffer if command.send_buffer else []
        lead = self._lead_chunks if command.send_buffer else 0
        self._begin(command.conversation_id, command.turn, command.max_duration_s, command.silence_s, buffered, lead)

    def _on_listen_again(self, command: ListenAgain) -> None:
        if command.after_playback and self.client.player is not None and self.client.player.speaking:
            self._pending_listen = command
            return
        self._begin(command.conversation_id, command.turn, command.max_duration_s, command.silence_s, [])

    def _begin(self, conversation_id: str, turn: int, max_s: float, silence_s: float, buffered: list[bytes],
               lead_chunks: int = 0) -> None:
        self._reset_stream_state()
        self.conversation_id = conversation_id
        self.turn = turn
        self._max_s = max_s
        self._silence_limit = silence_s
        self._buffer = []
        self._lead_chunks = 0
        self._set_state("streaming")
        for chunk in buffered[:lead_chunks]:  # the wake word's tail: it must not count as the command's speech
            self._send(chunk, lead=True)
        for chunk in buffered[lead_chunks:]:
            self._stream(chunk)
            if self.state != "streaming":
                break

    def _finish(self, reason: RecordingEndReason, conversation_id: str) -> None:
        if self.state != "streaming" or conversation_id != self.conversation_id:
            return
        done = RecordingDone(conversation_id=conversation_id, reason=reason,
                             duration_s=MIC_FORMAT.seconds(self._sent_bytes), audio_bytes=self._sent_bytes,
                             peak_db=self._peak_db, turn=self.turn)
        self._set_state("idle")
        try:
            self.client.send(done)
        except LinkLost:
            logger.info("recording %s ended but the server is gone", conversation_id)

    def _on_stand_down(self, command: StandDown) -> None:
        if self.state == "waiting":
            self._buffer = []
            self._set_state("idle")

    def _lost(self) -> None:
        self._buffer = []
        self._pending_listen = None
        if self.state != "idle":
            self._set_state("idle")


def _whole_chunks_within(chunks: list[bytes], limit: int) -> int:
    """How many of the first ``chunks`` fit entirely within ``limit`` bytes."""
    count = total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            break
        count += 1
    return count
