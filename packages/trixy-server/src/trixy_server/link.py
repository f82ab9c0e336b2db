"""`CommandLink`: an accepted satellite's live connection as a `Satellite` sees it (its `SatelliteLink`).

Sends commands, waits for replies, and keeps the three audio sockets that belong to the connection; the
handshake and the read loop live in `command_session.CommandSession`, which builds on this.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from trixy_protocol import (
    AudioStream,
    Goodbye,
    PlayAudio,
    PlayMusic,
    Reconnect,
    ShortKind,
    StopAudio,
    StopMusic,
)
from trixy_server.audio_streams import STATS_NAMES, STREAM_FORMATS, AudioStreamProtocol
from trixy_server.connection import ConnectionLost, FramedConnection
from trixy_server.errors import SatelliteNotConnectedError
from trixy_server.satellite import Satellite
from trixy_server.session_host import SessionHost

logger = logging.getLogger(__name__)

_STREAM_BY_NAME = {"tts_out": AudioStream.OUTPUT, "music_out": AudioStream.MUSIC, "output": AudioStream.OUTPUT,
                   "music": AudioStream.MUSIC}


class CommandLink:
    """The sending half of a satellite's command connection, plus its audio sockets."""

    def __init__(self, server: SessionHost, conn: FramedConnection) -> None:
        self.server = server
        self.conn = conn
        self.loop = asyncio.get_running_loop()
        self.mac: str | None = None
        self.satellite: Satellite | None = None
        self.streams: dict[AudioStream, AudioStreamProtocol] = {}
        self._stream_changed = asyncio.Event()
        self._waiters: dict[type, list[asyncio.Future]] = {}
        self._close_reason: str | None = None

    def resolve_waiters(self, message: Any) -> None:
        """Hand `message` to the `request()` callers waiting for its type."""
        for future in list(self._waiters.get(type(message), ())):
            if not future.done():
                future.set_result(message)

    def fail_waiters(self, reason: str) -> None:
        """The connection ended: every waiting `request()` fails."""
        for futures in self._waiters.values():
            for future in list(futures):
                if not future.done():
                    future.set_exception(SatelliteNotConnectedError(f"satellite {self.mac} disconnected: {reason}"))
        self._waiters.clear()

    # -- audio streams --------------------------------------------------------------------------------------------
    def stream_opened(self, proto: AudioStreamProtocol) -> None:
        old = self.streams.get(proto.kind)
        if old is not None and old is not proto:
            old.close()
        self.streams[proto.kind] = proto
        if self.satellite is not None and self.satellite.is_linked_to(self):
            self.satellite.streams[STATS_NAMES[proto.kind]].opened(proto.peer)
        self._stream_changed.set()
        logger.debug("satellite %s: %s stream open from %s", self.mac, proto.kind.value, proto.peer)

    def stream_closed(self, proto: AudioStreamProtocol, reason: str) -> None:
        if self.streams.get(proto.kind) is proto:
            del self.streams[proto.kind]
            if self.satellite is not None and self.satellite.is_linked_to(self):
                self.satellite.streams[STATS_NAMES[proto.kind]].closed()

    def on_audio(self, data: bytes) -> None:
        satellite = self.satellite
        if satellite is None:
            return
        satellite.streams["audio_in"].traffic.add_received(len(data))
        self.server.audio_received(satellite, data)

    def count_sent(self, proto: AudioStreamProtocol, count: int) -> None:
        if self.satellite is not None:
            self.satellite.streams[STATS_NAMES[proto.kind]].traffic.add_sent(count)

    async def wait_stream(self, kind: AudioStream, wait_s: float = 3.0) -> AudioStreamProtocol:
        """The open audio socket of `kind`, waiting briefly right after the accept."""
        try:
            async with asyncio.timeout(wait_s):
                while kind not in self.streams:
                    if self.conn.closed:
                        break
                    self._stream_changed.clear()
                    await self._stream_changed.wait()
        except TimeoutError:
            pass
        proto = self.streams.get(kind)
        if proto is None:
            raise SatelliteNotConnectedError(f"satellite {self.mac}: the {kind.value} audio stream is not open")
        return proto

    # -- SatelliteLink --------------------------------------------------------------------------------------------
    async def send_command(self, command: Any) -> None:
        """Send a protocol command to the satellite."""
        self.conn.send(command)

    async def request(self, command: Any, reply_type: type | tuple[type, ...], wait_s: float = 5.0) -> Any:
        """Send `command` and return the satellite's next frame of `reply_type` (one type or a tuple of them);
        TimeoutError after `wait_s`."""
        types = reply_type if isinstance(reply_type, tuple) else (reply_type,)
        future = self.loop.create_future()
        for kind in types:
            self._waiters.setdefault(kind, []).append(future)
        try:
            self.conn.send(command)
            async with asyncio.timeout(wait_s):
                return await future
        finally:
            for kind in types:
                waiters = self._waiters.get(kind)
                if waiters and future in waiters:
                    waiters.remove(future)

    async def play_pcm(self, pcm: bytes, *, stream: str, conversation_id: str = "", name: str = "") -> bool:
        """Announce and stream PCM on the speech or music socket; returns when all of it is sent (False: stopped)."""
        kind = _STREAM_BY_NAME[stream]
        proto = await self.wait_stream(kind)
        fmt = STREAM_FORMATS[kind]
        if kind is AudioStream.MUSIC:
            self.conn.send(PlayMusic(title=name, format=fmt, total_bytes=len(pcm)))
        else:
            self.conn.send(PlayAudio(stream=kind, format=fmt, conversation_id=conversation_id,
                                     total_bytes=len(pcm), name=name))
        result = proto.play(pcm)
        return bool(await result)

    async def stop_stream(self, stream: str) -> None:
        """Drop queued audio here and tell the satellite to stop playing."""
        kind = _STREAM_BY_NAME[stream]
        proto = self.streams.get(kind)
        if proto is not None:
            proto.stop()
        self.conn.send(StopMusic(reason="stopped by the server") if kind is AudioStream.MUSIC
                       else StopAudio(stream=kind, reason="stopped by the server"))

    async def close(self, reason: str) -> None:
        """Say goodbye and close (the satellite reconnects after its retry interval unless it was refused)."""
        if self._close_reason is None:
            self._close_reason = reason
        try:
            self.conn.send(Goodbye(reason=reason))
            self.conn.send_short(ShortKind.BYE)
        except ConnectionLost:
            pass
        await self.conn.close(reason)

    async def request_reconnect(self, delay_s: float = 0.5) -> None:
        """Ask the satellite to close and connect again."""
        self.conn.send(Reconnect(delay_s=delay_s, reason="requested by the server"))

    def abort(self, reason: str) -> None:
        """Drop at once (used when a newer connection of the same satellite is accepted)."""
        if self._close_reason is None:
            self._close_reason = reason
        self.conn.abort(reason)

