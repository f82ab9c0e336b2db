"""Audio commands: what plays on the satellite's output and music streams.

Raw PCM itself never travels on the command socket: it flows on the audio stream sockets
(input 2102, output 2103, music 2104) after a :class:`~trixy_protocol.commands.stream.StreamHello`
handshake.  These commands announce, stop and confirm playback.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..registry import register_command


class AudioStream(enum.StrEnum):
    """The three raw audio streams beside the command socket (values are the wire strings)."""

    INPUT = "input"
    """satellite -> server microphone audio, 16 kHz mono s16le (port 2102)"""
    OUTPUT = "output"
    """server -> satellite speech/TTS audio, 16 kHz mono s16le (port 2103)"""
    MUSIC = "music"
    """server -> satellite music, 48 kHz stereo s16le (port 2104)"""


@register_command
@dataclass(slots=True)
class AudioFormat:
    """PCM format of a raw audio stream (little-endian signed integers)."""

    sample_rate: int = 16000
    """samples per second per channel"""
    channels: int = 1
    """1 mono, 2 stereo (interleaved)"""
    sample_width: int = 2
    """bytes per sample (2 = s16le)"""


@register_command
@dataclass(slots=True)
class PlayAudio:
    """server -> satellite: audio for ``stream`` follows on that stream socket; play it."""

    stream: AudioStream = AudioStream.OUTPUT
    """which stream socket carries the audio (output or music)"""
    format: AudioFormat = field(default_factory=AudioFormat)
    """PCM format of the bytes that follow"""
    conversation_id: str = ""
    """conversation this audio belongs to ('' for none, e.g. a test sound)"""
    total_bytes: int | None = None
    """length of the audio in bytes when known up front (None = streamed, open-ended)"""
    name: str = ""
    """human-readable label (asset path, TTS text excerpt) for logs and the TUI"""
    interrupt: bool = False
    """stop whatever plays on this stream first instead of queueing after it"""


@register_command
@dataclass(slots=True)
class StopAudio:
    """server -> satellite: stop playback on ``stream`` now and drop its buffered audio."""

    stream: AudioStream = AudioStream.OUTPUT
    """stream to stop"""
    reason: str = ""
    """why (for logs)"""


@register_command
@dataclass(slots=True)
class PlayMusic:
    """server -> satellite: music follows on the music stream socket."""

    title: str = ""
    """title shown in logs / TUI"""
    format: AudioFormat = field(default_factory=lambda: AudioFormat(48000, 2, 2))
    """PCM format, 48 kHz stereo s16le by default"""
    total_bytes: int | None = None
    """length in bytes when known"""


@register_command
@dataclass(slots=True)
class StopMusic:
    """server -> satellite: stop music playback and drop buffered music."""

    reason: str = ""
    """why (for logs)"""


@register_command
@dataclass(slots=True)
class PlaybackFinished:
    """satellite -> server: everything announced on ``stream`` has been played (or was stopped)."""

    stream: AudioStream = AudioStream.OUTPUT
    """stream that went idle"""
    conversation_id: str = ""
    """conversation of the audio that finished ('' for none)"""
    played_bytes: int = 0
    """PCM bytes actually played"""
    interrupted: bool = False
    """True when playback ended because of StopAudio/StopMusic"""
