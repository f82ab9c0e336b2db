"""Handshake at the start of each raw audio stream socket (ports 2102-2104).

The first bytes on an audio socket are one TRXI frame ``StreamHello`` from the satellite; the
server answers ``StreamAccepted`` or ``StreamDenied`` (one frame), then raw PCM follows with no
further framing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import register_command
from .audio import AudioFormat, AudioStream


@register_command
@dataclass(slots=True)
class StreamHello:
    """satellite -> server: binds this audio socket to a satellite with a one-time token."""

    satellite_id: str
    """satellite id from Accepted"""
    stream: AudioStream
    """which stream this socket carries"""
    token: bytes
    """the one-time token for this stream from Accepted.stream_tokens"""


@register_command
@dataclass(slots=True)
class StreamAccepted:
    """server -> satellite: the audio socket is bound; raw PCM in ``format`` follows."""

    stream: AudioStream
    """the stream accepted"""
    format: AudioFormat = field(default_factory=AudioFormat)
    """PCM format on this socket"""


@register_command
@dataclass(slots=True)
class StreamDenied:
    """server -> satellite: token or id wrong; the server closes the socket."""

    stream: AudioStream
    """the stream refused"""
    reason: str = ""
    """why"""
