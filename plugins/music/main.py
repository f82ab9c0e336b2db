"""Music: "play music", "pause the music", "resume the music", "stop the music" on the satellite that asked.

Plays the WAV files of `music_folder` (relative to Trixy's root) over the 48 kHz stereo music stream, one after the
other from the first one (sorted by name). See player.py for where the audio goes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived
from trixy_core.plugins import TrixyPlugin

from .player import (
    MUSIC_PLAY,
    MUSIC_STOP,
    EventMusicOutput,
    MusicOutput,
    MusicPlayback,
    SatelliteMusicOutput,
    Track,
    load_music,
)

logger = logging.getLogger(__name__)


class MusicPlugin(TrixyPlugin):
    """Keeps one track per satellite and drives the music output."""

    version = "1.0.0"
    description = "Plays local WAV files on a satellite's music stream, with pause, resume and stop."
    raises_events = (MUSIC_PLAY, MUSIC_STOP)
    """Raised only without a satellite manager (standalone, tests), for whoever plays music locally."""

    def on_load(self) -> None:
        """Pick the output: the satellite manager when this is a server, events otherwise."""
        manager = self.application.get("satellite_manager")
        self.output: MusicOutput = (
            SatelliteMusicOutput(manager) if manager is not None else EventMusicOutput(self.trigger)
        )
        self.tracks: dict[str, Track] = {}
        self.clock = time.monotonic

    def music_files(self) -> list[Path]:
        """The WAV files that can be played, sorted by name."""
        folder = Path(str(self.config.get("music_folder", "assets/default/music")))
        if not folder.is_absolute():
            folder = self.application.root / folder
        return sorted(folder.glob("*.wav")) if folder.is_dir() else []

    async def play(self, satellite_id: str, conversation_id: str | None = None) -> Track | None:
        """Start the first music file on `satellite_id` (None when there is nothing to play)."""
        files = self.music_files()
        if not files:
            return None
        await self.stop(satellite_id)
        pcm = await asyncio.to_thread(load_music, files[0])
        track = Track(files[0].stem.replace("_", " "), pcm, satellite_id, 0.0, self.clock())
        self.tracks[satellite_id] = track
        await self.output.play(MusicPlayback(satellite_id, pcm, title=track.title, conversation_id=conversation_id))
        return track

    async def pause(self, satellite_id: str) -> Track | None:
        """Stop the stream and remember the position."""
        track = self.tracks.get(satellite_id)
        if track is None or track.started_at is None:
            return track
        track.position_s = track.current_position(self.clock())
        track.started_at = None
        await self.output.stop(satellite_id)
        return track

    async def resume(self, satellite_id: str) -> Track | None:
        """Play the rest of a paused track."""
        track = self.tracks.get(satellite_id)
        if track is None or track.started_at is not None:
            return track
        rest = track.remaining_pcm(self.clock())
        track.started_at = self.clock()
        await self.output.play(MusicPlayback(satellite_id, rest, title=track.title, offset_s=track.position_s))
        return track

    async def stop(self, satellite_id: str) -> bool:
        """Stop and forget the track; False when nothing was playing."""
        track = self.tracks.pop(satellite_id, None)
        if track is None:
            return False
        await self.output.stop(satellite_id)
        return True

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """PlayMusic / PauseMusic / ResumeMusic / StopMusic. Only PlayMusic answers (music needs no chatter)."""
        satellite = event_data.satellite_id
        intent = event_data.intent
        if intent == "PlayMusic":
            track = await self.play(satellite, event_data.conversation_id)
            reply = (
                str(self.config.get("start_reply", "Playing {title}")).format(title=track.title)
                if track is not None
                else str(self.config.get("none_reply", "I have no music to play"))
            )
        elif intent == "PauseMusic":
            await self.pause(satellite)
            reply = ""
        elif intent == "ResumeMusic":
            await self.resume(satellite)
            reply = ""
        elif intent == "StopMusic":
            await self.stop(satellite)
            reply = ""
        else:
            return
        conversation = self.application.conversations.get(event_data.conversation_id)
        if conversation is not None:
            if reply:
                await conversation.say(reply, source=self.name)
            await conversation.end(intent)
