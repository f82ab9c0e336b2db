"""`Satellite`: one registered satellite, connected or not, with the methods plugins call (`say`, `play`, ...).

Methods may be called from the server's event loop (they return an asyncio Task: await it or let it run) or from
any other thread, e.g. a sync plugin handler (they return a concurrent Future: `.result(timeout)` or ignore it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Protocol

from trixy_server.blacklist import Blacklist
from trixy_server.errors import SatelliteNotConnectedError
from trixy_server.registry import SatelliteRecord, SatelliteRegistry
from trixy_server.stats import StreamStats
from trixy_server.updates.methods import SatelliteUpdateMethods

logger = logging.getLogger(__name__)


STREAM_NAMES = ("command", "audio_in", "tts_out", "music_out")
"""The four sockets of a satellite, as the TUI lists them."""


class SatelliteLink(Protocol):
    """What a live connection offers a `Satellite` (implemented by the server's command session)."""

    loop: asyncio.AbstractEventLoop

    async def send_command(self, command: Any) -> None: ...
    async def request(self, command: Any, reply_type: type | tuple[type, ...], wait_s: float = 5.0) -> Any: ...
    async def play_pcm(self, pcm: bytes, *, stream: str) -> None: ...
    async def stop_stream(self, stream: str) -> None: ...
    async def close(self, reason: str) -> None: ...
    async def request_reconnect(self) -> None: ...


class SatelliteOwner(Protocol):
    """What a `Satellite` needs from the manager that owns it (a Protocol, so this module does not import the
    manager, which imports it)."""

    @property
    def registry(self) -> SatelliteRegistry: ...

    @property
    def blacklist(self) -> Blacklist: ...

    async def speak(self, satellite: Satellite, text: str) -> None: ...


class Satellite(SatelliteUpdateMethods):
    """A registered satellite: its registration (room, alias, MAC, id), its live connection and statistics."""

    def __init__(self, record: SatelliteRecord, manager: SatelliteOwner | None = None) -> None:
        self._record = record
        self._manager = manager
        self._link: SatelliteLink | None = None
        self.state: str = "disconnected"
        """`disconnected`, `connecting` (handshake running) or `connected`."""
        self.ip: str | None = None
        self.port: int | None = None
        self.version: str | None = None
        self.os: str | None = None
        self.hostname: str | None = None
        self.capabilities: list[str] = []
        self.rtt: float | None = None
        """Last measured round-trip time in seconds (TRXIPING/TRXIPONG)."""
        self.connected_since: datetime | None = None
        self.last_seen: datetime | None = None
        self.last_conversation: Any = None
        """Set by the voice pipeline: the satellite's last conversation object."""
        self.streams: dict[str, StreamStats] = {name: StreamStats(name) for name in STREAM_NAMES}
        self.info: dict[str, Any] = {}
        """Anything else the satellite told in its hello."""
        self.last_status: Any = None
        """The satellite's last `SatelliteStatus` report (asked for after each accept and by `refresh_status`)."""
        self._status_at: float | None = None

    # -- registration data -------------------------------------------------------------------------------------
    @property
    def record(self) -> SatelliteRecord:
        """The registration file's content."""
        return self._record

    @property
    def mac(self) -> str:
        return self._record.mac

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def created(self) -> str:
        return self._record.created

    @property
    def room(self) -> str:
        return self._record.room

    @room.setter
    def room(self, value: str) -> None:
        self._update(room=value)

    @property
    def alias(self) -> str:
        return self._record.alias

    @alias.setter
    def alias(self, value: str) -> None:
        self._update(alias=value)

    def _update(self, **changes: str) -> None:
        if self._manager is not None:
            self._record = self._manager.registry.update(self.mac, **changes)
        else:
            for key, value in changes.items():
                setattr(self._record, key, value)

    # -- connection state ---------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True when the command connection is authenticated and up."""
        return self.state == "connected" and self._link is not None

    @property
    def blacklisted(self) -> bool:
        return self._manager is not None and self.mac in self._manager.blacklist

    @property
    def command_socket(self) -> StreamStats:
        return self.streams["command"]

    @property
    def audio_input_socket(self) -> StreamStats:
        return self.streams["audio_in"]

    @property
    def audio_output_socket(self) -> StreamStats:
        return self.streams["tts_out"]

    @property
    def music_output_socket(self) -> StreamStats:
        return self.streams["music_out"]

    @property
    def uptime(self) -> float:
        """Seconds the command connection has been up (0 when disconnected)."""
        return self.streams["command"].uptime if self.connected else 0.0

    def attach(self, link: SatelliteLink) -> None:
        """Called by the server when the handshake succeeded."""
        self._link = link
        self.state = "connected"
        self.connected_since = datetime.now().astimezone()

    def report_status(self, status: Any) -> None:
        """Store a `SatelliteStatus` from the satellite (host name, OS, version, uptime, models...)."""
        self.last_status = status
        self._status_at = time.monotonic()
        self.hostname = status.hostname or self.hostname
        self.os = status.platform or self.os
        self.version = status.version or self.version

    @property
    def satellite_uptime(self) -> float | None:
        """Seconds the satellite process has been running (from its last status report), None when unknown."""
        if self.last_status is None or self._status_at is None:
            return None
        return float(self.last_status.uptime_s) + time.monotonic() - self._status_at

    def is_linked_to(self, link: object) -> bool:
        """True when `link` is this satellite's current connection (an older, replaced one is not)."""
        return self._link is link

    def detach(self) -> None:
        """Called by the server when the command connection is gone."""
        self._link = None
        self.state = "disconnected"
        self.connected_since = None
        self.rtt = None
        for stats in self.streams.values():
            if stats.status != "closed":
                stats.closed()

    def status(self) -> dict[str, Any]:
        """Everything the TUI shows about this satellite, as plain values."""
        return {
            "id": self.id,
            "mac": self.mac,
            "room": self.room,
            "alias": self.alias,
            "created": self.created,
            "state": self.state,
            "blacklisted": self.blacklisted,
            "ip": self.ip,
            "port": self.port,
            "version": self.version,
            "os": self.os,
            "hostname": self.hostname,
            "rtt_ms": None if self.rtt is None else round(self.rtt * 1000, 2),
            "connected_since": self.connected_since.isoformat(timespec="seconds") if self.connected_since else None,
            "uptime_s": round(self.uptime, 1),
            "satellite_uptime_s": None if self.satellite_uptime is None else round(self.satellite_uptime, 1),
            "conversation_active": bool(self.last_status and self.last_status.conversation_active),
            "streams": {name: s.snapshot() for name, s in self.streams.items()},
        }

    def __repr__(self) -> str:
        return f"<Satellite {self.id} {self.mac} room={self.room!r} alias={self.alias!r} {self.state}>"

    # -- actions ------------------------------------------------------------------------------------------------
    def _require_link(self) -> SatelliteLink:
        link = self._link
        if link is None:
            raise SatelliteNotConnectedError(f"satellite {self.alias or self.id} ({self.mac}) is not connected")
        return link

    def _dispatch(self, link: SatelliteLink, coro: Coroutine[Any, Any, Any]) -> asyncio.Future | concurrent.futures.Future:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is link.loop:
            task = link.loop.create_task(coro)
            task.add_done_callback(self._log_failure)
            return task
        future = asyncio.run_coroutine_threadsafe(coro, link.loop)
        future.add_done_callback(self._log_failure)
        return future

    def _log_failure(self, future: Any) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            logger.warning("action on satellite %s failed: %s", self.id, exc)

    def send(self, command: Any) -> asyncio.Future | concurrent.futures.Future:
        """Send any protocol command over the command socket."""
        link = self._require_link()
        return self._dispatch(link, link.send_command(command))

    def request(self, command: Any, reply_type: type | tuple[type, ...], wait_s: float = 5.0,
                ) -> asyncio.Future | concurrent.futures.Future:
        """Send `command` and get the satellite's next `reply_type` (e.g. ConfigRequest -> SatelliteConfig)."""
        link = self._require_link()
        return self._dispatch(link, link.request(command, reply_type, wait_s))

    def refresh_status(self) -> asyncio.Future | concurrent.futures.Future:
        """Ask for a fresh `SatelliteStatus` (also stored in `last_status`)."""
        from trixy_protocol import SatelliteStatus, StatusRequest

        return self.request(StatusRequest(), SatelliteStatus)

    def trigger_wake_word(self, wake_word_name: str = "custom") -> asyncio.Future | concurrent.futures.Future:
        """Make the satellite behave as if `wake_word_name` was heard (`TriggerWakeWord`: the TUI's "fake wake
        word"); the satellite then reports a `WakeWordDetected` as after a real detection."""
        from trixy_protocol import TriggerWakeWord

        return self.send(TriggerWakeWord(wake_word_name=wake_word_name))

    def fetch_config(self) -> asyncio.Future | concurrent.futures.Future:
        """The satellite's configuration (secrets left out) as a `SatelliteConfig`, for the TUI's F4 view."""
        from trixy_protocol import ConfigRequest, SatelliteConfig

        return self.request(ConfigRequest(), SatelliteConfig)

    def update_config(self, values: dict[str, Any]) -> asyncio.Future | concurrent.futures.Future:
        """Change the satellite's config keys (`{"audio.duck_gain": 0.3}`); the satellite validates, saves and
        answers with its new `SatelliteConfig` (or an `ErrorCommand` saying what was refused)."""
        from trixy_protocol import ConfigUpdate, ErrorCommand, SatelliteConfig

        link = self._require_link()

        async def update() -> Any:
            result = await link.request(ConfigUpdate(values=dict(values)), (SatelliteConfig, ErrorCommand))
            if isinstance(result, ErrorCommand):
                raise ValueError(f"satellite {self.id} refused the config update: {result.message}")
            return result

        return self._dispatch(link, update())

    def say(self, text: str) -> asyncio.Future | concurrent.futures.Future:
        """Speak `text` on this satellite: synthesised by the manager's speech synthesiser, or handed to a TTS plugin
        through the `say requested` event when none is set."""
        link = self._require_link()
        assert self._manager is not None, "say() needs a satellite that belongs to a manager"
        return self._dispatch(link, self._manager.speak(self, text))

    def play(self, audio: Any, sample_rate: int | None = None) -> asyncio.Future | concurrent.futures.Future:
        """Play a WAV file path, raw 16 kHz mono s16le bytes, or a numpy array over the TTS output socket."""
        from trixy_server.audio_convert import to_stream_pcm

        link = self._require_link()
        pcm = to_stream_pcm(audio, sample_rate=sample_rate, target_rate=16000, target_channels=1)
        return self._dispatch(link, link.play_pcm(pcm, stream="tts_out"))

    def play_music(self, audio: Any, sample_rate: int | None = None) -> asyncio.Future | concurrent.futures.Future:
        """Stream music (WAV path, 48 kHz stereo s16le bytes, or numpy array) over the music socket, paced in real
        time; `stop_music()` ends it."""
        from trixy_server.audio_convert import to_stream_pcm

        link = self._require_link()
        pcm = to_stream_pcm(audio, sample_rate=sample_rate, target_rate=48000, target_channels=2)
        return self._dispatch(link, link.play_pcm(pcm, stream="music_out"))

    def stop_audio(self) -> asyncio.Future | concurrent.futures.Future:
        """Stop speech playback (drops queued TTS audio here and on the satellite)."""
        link = self._require_link()
        return self._dispatch(link, link.stop_stream("tts_out"))

    def stop_music(self) -> asyncio.Future | concurrent.futures.Future:
        """Stop music playback."""
        link = self._require_link()
        return self._dispatch(link, link.stop_stream("music_out"))

    def disconnect(self, reason: str = "disconnected by the server") -> asyncio.Future | concurrent.futures.Future | None:
        """Close this satellite's connection (it will reconnect after its retry interval); None when not connected."""
        link = self._link
        if link is None:
            return None
        return self._dispatch(link, link.close(reason))

    def reconnect(self) -> asyncio.Future | concurrent.futures.Future | None:
        """Ask the satellite to drop and re-open its connection now; None when not connected."""
        link = self._link
        if link is None:
            return None
        return self._dispatch(link, link.request_reconnect())
