"""What one satellite is listening to: a queue of library tracks, the position in it, the loaded track and the volume.

Kept apart from the plugin so the queue rules (next at the end wraps to nothing, previous from the first track
restarts it, volume stays within 0..1) are plain code, testable without any audio.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .library import TrackInfo
from .player import Track


@dataclass(slots=True)
class MusicSession:
    """The queue and playback state of one satellite."""

    satellite_id: str
    queue: list[TrackInfo] = field(default_factory=list)
    index: int = 0
    volume: float = 1.0
    track: Track | None = None
    """the loaded track (None before the first one is decoded)"""
    request: str = ""
    """what was asked for ("the album Abbey Road"), for the TUI"""
    prefetched: tuple[str, asyncio.Task[bytes]] | None = None
    """(path, decoding task) of the next queue entry, decoded while this one plays"""

    @property
    def current(self) -> TrackInfo | None:
        """The queue entry at the position, or None when the queue is done."""
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    @property
    def playing(self) -> bool:
        """True while a track is streaming (not paused, not finished)."""
        return self.track is not None and self.track.started_at is not None

    def step(self, delta: int) -> TrackInfo | None:
        """Move `delta` places (next: +1, previous: -1); before the first track stays on the first."""
        self.index = max(0, self.index + delta)
        return self.current

    def change_volume(self, delta: float) -> float:
        """Add `delta` to the volume, kept within 0.05..1 (never silent by "quieter")."""
        self.volume = round(min(1.0, max(0.05, self.volume + delta)), 3)
        return self.volume
