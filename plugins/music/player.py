"""Music playback state: a decoded track as 48 kHz stereo s16le, a position clock, and the output it goes to.

The output is the satellite's music socket (`Satellite.play_music` / `stop_music` from trixy-server, which paces the
stream) when a satellite manager is present, else events (`music play` / `music stop`) for whoever plays locally
(standalone, tests). Pause stops the stream and keeps the position; resume plays the rest.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .decode import MUSIC_CHANNELS, MUSIC_RATE, MusicError, load_music

logger = logging.getLogger(__name__)

__all__ = ["MUSIC_CHANNELS", "MUSIC_RATE", "EventMusicOutput", "MusicError", "MusicOutput", "MusicPlayback",
           "SatelliteMusicOutput", "Track", "load_music", "scaled"]

BYTES_PER_SECOND = MUSIC_RATE * MUSIC_CHANNELS * 2
MUSIC_PLAY = "music play"
MUSIC_STOP = "music stop"


@dataclass(slots=True)
class MusicPlayback:
    """Event data of `music play` (pcm from `offset_s` on) and `music stop` (empty pcm)."""

    satellite_id: str
    pcm: bytes = b""
    sample_rate: int = MUSIC_RATE
    channels: int = MUSIC_CHANNELS
    title: str = ""
    offset_s: float = 0.0
    conversation_id: str | None = None
    artist: str = ""
    album: str = ""
    volume: float = 1.0
    """the gain already applied to `pcm`"""
    timestamp: float = field(default_factory=time.time)


class MusicOutput(Protocol):
    """Where music goes: start playing PCM (48 kHz stereo) on a satellite, or stop it."""

    async def play(self, playback: MusicPlayback) -> None:
        """Start streaming `playback.pcm`."""
        ...

    async def stop(self, satellite_id: str) -> None:
        """Stop streaming."""
        ...


class SatelliteMusicOutput:
    """trixy-server's satellite manager: `satellite.play_music(pcm, 48000)` / `satellite.stop_music()`."""

    def __init__(self, satellite_manager: Any) -> None:
        self.satellite_manager = satellite_manager

    async def play(self, playback: MusicPlayback) -> None:
        """Hand the PCM to the satellite's music stream (the server paces it); returns once it is queued."""
        satellite = self.satellite_manager.find(playback.satellite_id)
        if satellite is None:
            raise MusicError(f"no satellite {playback.satellite_id!r} to play music on")
        satellite.play_music(playback.pcm, MUSIC_RATE)  # runs until done or stop_music(); not awaited

    async def stop(self, satellite_id: str) -> None:
        """Stop the satellite's music stream."""
        satellite = self.satellite_manager.find(satellite_id)
        if satellite is not None:
            result = satellite.stop_music()
            if inspect.isawaitable(result):
                await result


class EventMusicOutput:
    """No satellite manager (standalone, tests): raise `music play` / `music stop` events."""

    def __init__(self, trigger: Callable[[str, Any], Any]) -> None:
        self.trigger = trigger

    async def play(self, playback: MusicPlayback) -> None:
        """Raise `music play` with the PCM."""
        await self.trigger(MUSIC_PLAY, playback)

    async def stop(self, satellite_id: str) -> None:
        """Raise `music stop`."""
        await self.trigger(MUSIC_STOP, MusicPlayback(satellite_id))


@dataclass(slots=True)
class Track:
    """A loaded track and where playback of it stands."""

    title: str
    pcm: bytes
    satellite_id: str
    position_s: float = 0.0
    started_at: float | None = None
    """Monotonic time playback (re)started; None while paused."""

    @property
    def duration_s(self) -> float:
        """Length of the track."""
        return len(self.pcm) / BYTES_PER_SECOND

    def current_position(self, now: float) -> float:
        """Seconds played so far, by the clock."""
        played = self.position_s + (now - self.started_at if self.started_at is not None else 0.0)
        return min(played, self.duration_s)

    def remaining_pcm(self, now: float) -> bytes:
        """The PCM from the current position on (frame-aligned)."""
        offset = int(self.current_position(now) * MUSIC_RATE) * MUSIC_CHANNELS * 2
        return self.pcm[offset:]


def scaled(pcm: bytes, gain: float) -> bytes:
    """s16le PCM times `gain` (clipped); the same bytes when the gain is 1."""
    if abs(gain - 1.0) < 1e-6 or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) * gain
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()
