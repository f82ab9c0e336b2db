"""Music: the library people have (MP3/FLAC/OGG/Opus/WAV with tags) on the satellite that asked.

Voice: "play music" (the whole library), "play <title>", "play something by <artist>", "play the album <album>",
"next song", "previous song", "louder", "quieter", "pause / resume / stop the music". The library's titles, artists
and albums are slot values of the intent catalogue (and so of the speech-to-text grammar): `slot_lists()` gives
them and the `slot values changed` event makes the intents plugin rebuild after a rescan.

Files are decoded with libsndfile and resampled to the 48 kHz stereo music stream (decode.py); the index is kept in
`index_file` and refreshed every `rescan_interval_s` and after a sync brought new music (library.py). A file that
does not decode is skipped with a log line and the queue goes on with the next one. Volume is applied here (the
stream restarts from the current position at the new gain); ducking under speech and while a conversation records
is the satellite player's (`audio.duck_gain` / `audio.music_mode` of the satellite config).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from trixy_core.errors import ConversationError
from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived
from trixy_core.plugins import TrixyPlugin

from .decode import MusicError, load_music
from .library import MusicLibrary, TrackInfo
from .player import (
    MUSIC_PLAY,
    MUSIC_STOP,
    EventMusicOutput,
    MusicOutput,
    MusicPlayback,
    SatelliteMusicOutput,
    Track,
    scaled,
)
from .session import MusicSession

logger = logging.getLogger(__name__)

SLOT_VALUES_CHANGED = "slot values changed"
MUSIC_SYNCED = "music synced"
QUIET_INTENTS = {"PauseMusic", "ResumeMusic", "StopMusic", "NextSong", "PreviousSong", "MusicLouder", "MusicQuieter"}


class MusicPlugin(TrixyPlugin):
    """Keeps the library index and one `MusicSession` per satellite, and drives the music output."""

    version = "2.0.0"
    description = "Plays the local music library (MP3/FLAC/OGG/WAV, by title, artist or album) on a satellite."
    raises_events = (MUSIC_PLAY, MUSIC_STOP, SLOT_VALUES_CHANGED)
    """Music play/stop only without a satellite manager (standalone, tests); slot values when the library changes."""

    async def on_load(self) -> None:
        """Pick the output (satellite manager on a server, events otherwise) and index the library."""
        manager = self.application.get("satellite_manager")
        self.output: MusicOutput = (
            SatelliteMusicOutput(manager) if manager is not None else EventMusicOutput(self.trigger)
        )
        self.sessions: dict[str, MusicSession] = {}
        self.clock = time.monotonic
        self._advance: dict[str, asyncio.Task[None]] = {}
        self.library = MusicLibrary(self.music_folder(), self._path(self.config.get("index_file", "")))
        # the index file makes the library playable at once; the first (possibly long) scan runs in the background
        self._rescanner = asyncio.get_running_loop().create_task(
            self._rescan_every(float(self.config.get("rescan_interval_s", 60) or 0)), name="music-rescan")

    async def on_unload(self) -> None:
        """Stop the rescans and every satellite's music."""
        self._rescanner.cancel()
        for satellite in list(self.sessions):
            await self.stop(satellite)

    def _path(self, value: Any) -> Path | None:
        if not value:
            return None
        path = Path(str(value))
        return path if path.is_absolute() else Path(self.application.root) / path

    def music_folder(self) -> Path:
        """The library's folder (`music_folder`, relative to Trixy's root); sync copies into it on a standalone."""
        return self._path(self.config.get("music_folder", "music")) or Path(self.application.root) / "music"

    @property
    def tracks(self) -> dict[str, Track]:
        """satellite id -> the loaded track (compatibility with 1.x callers)."""
        return {sid: s.track for sid, s in self.sessions.items() if s.track is not None}

    # -- library ------------------------------------------------------------------------------------------------
    async def rescan(self, announce: bool = True) -> bool:
        """Refresh the index (changed files only); with `announce`, tell the intents plugin about new names."""
        changed = await asyncio.to_thread(self.library.refresh)
        if changed:
            logger.info("music library %s: %d tracks, %d skipped", self.library.folder, len(self.library.tracks),
                        len(self.library.skipped))
            if announce:
                await self.trigger(SLOT_VALUES_CHANGED, {"plugin": self.name, "lists": sorted(self.slot_lists())})
        return changed

    async def _rescan_every(self, interval: float) -> None:
        """Scan now, then every `interval` seconds (0: only now)."""
        while True:
            try:
                await self.rescan()
            except OSError as exc:
                logger.warning("music: rescanning %s failed: %s", self.library.folder, exc)
            if interval <= 0:
                return
            await asyncio.sleep(interval)

    def slot_lists(self) -> dict[str, list[str]]:
        """Slot values for the intent catalogue: music_title, music_artist, music_album (spoken forms)."""
        return self.library.names()

    @TrixyEvent([names.APPLICATION_STARTED])
    async def on_application_started(self, event_name: str, event_data: Any) -> None:
        """Where this install syncs music (a standalone's `sync` component, which declares "music synced"), rescan
        after every sync; elsewhere nobody raises it, so nothing subscribes to it (the declared-events contract)."""
        if self.application.get("sync") is not None:
            self.application.event_handler.subscribe(MUSIC_SYNCED, self.on_music_synced, owner=self.name, threaded=False)

    async def on_music_synced(self, event_name: str, event_data: Any) -> None:
        """A sync changed files in the music folder: refresh the index now."""
        await self.rescan()

    # -- playback -----------------------------------------------------------------------------------------------
    def session(self, satellite_id: str) -> MusicSession:
        """The satellite's session (created empty)."""
        return self.sessions.setdefault(satellite_id, MusicSession(
            satellite_id, volume=float(self.config.get("volume", 1.0))))

    async def play(self, satellite_id: str, conversation_id: str | None = None,
                   queue: list[TrackInfo] | None = None, request: str = "") -> Track | None:
        """Play `queue` (default: the whole library) from its first playable track; None when nothing plays."""
        queue = self.library.ordered() if queue is None else queue
        await self.stop(satellite_id)
        if not queue:
            return None
        session = self.session(satellite_id)
        session.queue, session.index, session.request = list(queue), 0, request
        return await self._start_current(session, conversation_id)

    async def _start_current(self, session: MusicSession, conversation_id: str | None = None) -> Track | None:
        """Decode and stream the queue entry at the position, skipping files that do not decode."""
        self._cancel_advance(session.satellite_id)
        while (info := session.current) is not None:
            path = self.library.folder / info.path
            try:
                pcm = await self._decoded(session, info)
            except (MusicError, OSError) as exc:
                logger.warning("music: skipping %s: %s", path, exc)
                self.library.mark_unplayable(info.path, str(exc))
                session.queue.pop(session.index)
                continue
            session.track = Track(info.title, pcm, session.satellite_id, 0.0, self.clock())
            await self._stream(session, conversation_id)
            self._prefetch_next(session)
            return session.track
        session.track = None
        return None

    async def _decoded(self, session: MusicSession, info: TrackInfo) -> bytes:
        """The track's PCM: the prefetched one when it is this track, else decoded now."""
        ready = session.prefetched
        session.prefetched = None
        if ready is not None and ready[0] == info.path:
            if not ready[1].done():
                await asyncio.wait([ready[1]])
            if not ready[1].cancelled() and ready[1].exception() is None:
                return ready[1].result()
        elif ready is not None:
            ready[1].cancel()
        return await asyncio.to_thread(load_music, self.library.folder / info.path)

    def _prefetch_next(self, session: MusicSession) -> None:
        """Decode the next queue entry while this one plays, so the next track (by itself or "next song") starts
        at once instead of after its decoding (seconds for a long track)."""
        upcoming = session.index + 1
        if upcoming >= len(session.queue):
            return
        info = session.queue[upcoming]
        task = asyncio.get_running_loop().create_task(
            asyncio.to_thread(load_music, self.library.folder / info.path), name=f"music-prefetch:{info.path}")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failures surface when it is played
        session.prefetched = (info.path, task)

    async def _stream(self, session: MusicSession, conversation_id: str | None = None) -> None:
        """Send the track from its position at the session's volume, and arm the advance to the next track."""
        track = session.track
        assert track is not None
        rest = track.remaining_pcm(self.clock())
        info = session.current
        await self.output.play(MusicPlayback(
            session.satellite_id, scaled(rest, session.volume), title=track.title,
            offset_s=track.current_position(self.clock()), conversation_id=conversation_id,
            artist=info.artist if info else "", album=info.album if info else "", volume=session.volume))
        remaining = track.duration_s - track.current_position(self.clock())
        self._advance[session.satellite_id] = asyncio.get_running_loop().create_task(
            self._advance_after(session.satellite_id, remaining), name=f"music-next:{session.satellite_id}")

    async def _advance_after(self, satellite_id: str, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
        self._advance.pop(satellite_id, None)
        try:
            await self.skip(satellite_id, +1)
        except (MusicError, OSError) as exc:  # e.g. the satellite went away meanwhile
            logger.warning("music: satellite %s: the next track did not start: %s", satellite_id, exc)

    def _cancel_advance(self, satellite_id: str) -> None:
        task = self._advance.pop(satellite_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def skip(self, satellite_id: str, delta: int) -> Track | None:
        """Next (+1) or previous (-1) track of the queue; past the end the music stops."""
        session = self.sessions.get(satellite_id)
        if session is None or not session.queue:
            return None
        self._cancel_advance(satellite_id)
        if session.track is not None:
            await self.output.stop(satellite_id)
        session.step(delta)
        if session.current is None:
            session.track = None
            return None
        return await self._start_current(session)

    async def change_volume(self, satellite_id: str, delta: float) -> float | None:
        """Louder (+) or quieter (-): the stream goes on from where it is at the new volume."""
        session = self.sessions.get(satellite_id)
        if session is None:
            session = self.session(satellite_id)
        volume = session.change_volume(delta)
        if session.playing:
            self._cancel_advance(satellite_id)
            track = session.track
            assert track is not None
            track.position_s, track.started_at = track.current_position(self.clock()), self.clock()
            await self.output.stop(satellite_id)
            await self._stream(session)
        return volume

    async def pause(self, satellite_id: str) -> Track | None:
        """Stop the stream and remember the position."""
        session = self.sessions.get(satellite_id)
        track = session.track if session else None
        if track is None or track.started_at is None:
            return track
        self._cancel_advance(satellite_id)
        track.position_s = track.current_position(self.clock())
        track.started_at = None
        await self.output.stop(satellite_id)
        return track

    async def resume(self, satellite_id: str) -> Track | None:
        """Play the rest of a paused track."""
        session = self.sessions.get(satellite_id)
        track = session.track if session else None
        if session is None or track is None or track.started_at is not None:
            return track
        track.started_at = self.clock()
        await self._stream(session)
        return track

    async def stop(self, satellite_id: str) -> bool:
        """Stop and forget the queue; False when nothing was loaded."""
        self._cancel_advance(satellite_id)
        session = self.sessions.get(satellite_id)
        if session is not None and session.prefetched is not None:
            session.prefetched[1].cancel()
            session.prefetched = None
        if session is None or session.track is None:
            if session is not None:
                session.queue = []
            return False
        session.track, session.queue, session.request = None, [], ""
        await self.output.stop(satellite_id)
        return True

    def now_playing(self) -> dict[str, dict[str, Any]]:
        """satellite id -> what plays there (title, artist, album, state, position, duration, volume), for the TUI."""
        out: dict[str, dict[str, Any]] = {}
        now = self.clock()
        for satellite_id, session in self.sessions.items():
            track, info = session.track, session.current
            if track is None or info is None:
                continue
            out[satellite_id] = {
                "title": info.title, "artist": info.artist, "album": info.album,
                "state": "playing" if track.started_at is not None else "paused",
                "position_s": round(track.current_position(now), 1), "duration_s": round(track.duration_s, 1),
                "volume": session.volume, "queue": f"{session.index + 1}/{len(session.queue)}"}
        return out

    # -- voice --------------------------------------------------------------------------------------------------
    async def _answer_play(self, data: IntentReceived) -> str:
        slots = data.slots or {}
        if data.intent == "PlayTitle":
            name = str(slots.get("music_title", ""))
            queue, request = self.library.by_title(name), name
        elif data.intent == "PlayArtist":
            name = str(slots.get("music_artist", ""))
            queue, request = self.library.by_artist(name), f"something by {name}"
        elif data.intent == "PlayAlbum":
            name = str(slots.get("music_album", ""))
            queue, request = self.library.by_album(name), f"the album {name}"
        else:
            queue, request = self.library.ordered(), "music"
        if not queue and data.intent != "PlayMusic":
            return str(self.config.get("not_found_reply", "I have no {request}")).format(request=request)
        track = await self.play(data.satellite_id, data.conversation_id, queue, request)
        if track is None:
            return str(self.config.get("none_reply", "I have no music to play"))
        info = self.sessions[data.satellite_id].current
        by = f" by {info.artist}" if info is not None and info.artist else ""
        return str(self.config.get("start_reply", "Playing {title}{by}")).format(title=track.title, by=by)

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """Play*/Pause/Resume/Stop/Next/Previous/Louder/Quieter. Only playing answers (music needs no chatter)."""
        satellite = event_data.satellite_id
        intent = event_data.intent
        step = float(self.config.get("volume_step", 0.15))
        reply = ""
        if intent in ("PlayMusic", "PlayTitle", "PlayArtist", "PlayAlbum"):
            reply = await self._answer_play(event_data)
        elif intent in QUIET_INTENTS:
            # the conversation ends first: the satellite stops ducking before the music changes
            with contextlib.suppress(ConversationError):  # already over: the music still changes
                await self._end(event_data, "")
            if intent == "PauseMusic":
                await self.pause(satellite)
            elif intent == "ResumeMusic":
                await self.resume(satellite)
            elif intent == "StopMusic":
                await self.stop(satellite)
            elif intent in ("NextSong", "PreviousSong"):
                await self.skip(satellite, +1 if intent == "NextSong" else -1)
            else:
                await self.change_volume(satellite, step if intent == "MusicLouder" else -step)
            return
        else:
            return
        await self._end(event_data, reply)

    async def _end(self, data: IntentReceived, reply: str) -> None:
        conversation = self.application.conversations.get(data.conversation_id)
        if conversation is not None and conversation.is_open:
            if reply:
                await conversation.say(reply, source=self.name)
            await conversation.end(data.intent)
