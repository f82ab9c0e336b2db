"""Recording control for a conversation: start, stop, abort, done, and listen again (multi-turn)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..registry import register_command


class RecordingEndReason(enum.StrEnum):
    """Why a recording ended."""

    SILENCE = "silence"
    """silence after speech for silence_s seconds"""
    TIMEOUT = "timeout"
    """max_duration_s reached"""
    STOPPED = "stopped"
    """server sent StopStreaming"""
    ABORTED = "aborted"
    """server sent AbortStreaming"""
    ERROR = "error"
    """microphone or stream failure on the satellite"""


@register_command
@dataclass(slots=True)
class StartStreaming:
    """server -> satellite: you won; send the buffered audio and keep streaming on the input stream."""

    conversation_id: str
    """conversation session id, echoed in RecordingDone"""
    send_buffer: bool = True
    """send the audio buffered since the wake word first"""
    max_duration_s: float = 60.0
    """hard cap on the recording"""
    silence_s: float = 3.0
    """stop after this much silence (counted only after speech was heard)"""
    turn: int = 0
    """turn number within the conversation (0 = first)"""


@register_command
@dataclass(slots=True)
class StopStreaming:
    """server -> satellite: stop recording normally; a RecordingDone(reason=stopped) follows."""

    conversation_id: str
    """conversation to stop"""
    reason: str = ""
    """why"""


@register_command
@dataclass(slots=True)
class AbortStreaming:
    """server -> satellite: stop recording and discard; a RecordingDone(reason=aborted) follows."""

    conversation_id: str
    """conversation to abort"""
    reason: str = ""
    """why"""


@register_command
@dataclass(slots=True)
class RecordingDone:
    """satellite -> server: the recording ended; all its audio has been written to the input stream."""

    conversation_id: str
    """conversation the audio belongs to"""
    reason: RecordingEndReason
    """why it ended"""
    duration_s: float = 0.0
    """seconds of audio sent (including the pre-wake buffer)"""
    audio_bytes: int = 0
    """PCM bytes sent on the input stream for this recording"""
    sample_rate: int = 16000
    """PCM sample rate of that audio"""
    speaker_id: int | None = None
    """speaker recognised during the recording, if any"""
    speaker_name: str = ""
    """name of that speaker"""
    peak_db: float = -120.0
    """loudest chunk in dBFS"""
    turn: int = 0
    """turn number echoed from StartStreaming/ListenAgain"""


@register_command
@dataclass(slots=True)
class ListenAgain:
    """server -> satellite: follow-up question asked; record again without a wake word."""

    conversation_id: str
    """conversation to continue"""
    max_duration_s: float = 60.0
    """hard cap on the recording"""
    silence_s: float = 3.0
    """silence timeout"""
    turn: int = 1
    """turn number"""
    after_playback: bool = True
    """start recording only when the output stream has finished playing (the question)"""
