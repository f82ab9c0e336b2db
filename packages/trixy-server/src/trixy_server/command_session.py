"""`CommandSession`: one satellite's command connection from the first byte to the close.

Handshake (`handshake.Handshake`), accept, then the read loop; it is also the `SatelliteLink` a `Satellite` uses
(`link.CommandLink`). The protocol rules (PONG, acknowledgements, error replies and the 20-error limit, the
pre-login limits) are the `TrixySession`'s inside `self.conn`; this class reacts to what is left.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from datetime import datetime
from typing import Any

from trixy_protocol import (
    Accepted,
    DenialReason,
    Flags,
    Frame,
    Goodbye,
    ProtocolError,
    SatelliteStatus,
    ShortCommand,
    ShortKind,
    StatusRequest,
    UnsupportedVersionError,
    error_reply,
    now_us,
)
from trixy_protocol.auth import session_key
from trixy_protocol.session import PreLoginLimits
from trixy_server.connection import ConnectionLost, FramedConnection
from trixy_server.handshake import Handshake, HandshakeFailed, HandshakeResult, version_denial
from trixy_server.link import CommandLink
from trixy_server.registry import SatelliteRecord
from trixy_server.session_host import SessionHost
from trixy_server.stats import StreamStats
from trixy_server.version import __version__

logger = logging.getLogger(__name__)

#: What an unauthenticated satellite may send: 64 KiB frames, no multipart, 256 KiB in all (docs/network.md).
PRELOGIN_LIMITS = PreLoginLimits(max_frame_bytes=64 * 1024, max_bytes=256 * 1024)

__all__ = ["CommandSession", "HandshakeFailed", "PRELOGIN_LIMITS"]


class CommandSession(CommandLink):
    """Runs one command connection: handshake, accept, serve, clean up."""

    def __init__(self, server: SessionHost, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        config = server.config
        conn = FramedConnection(reader, writer, StreamStats("command"), max_queue=config.send_queue_frames,
                                write_timeout=config.write_timeout_s, max_frame_size=config.max_frame_bytes,
                                prelogin=PRELOGIN_LIMITS)
        super().__init__(server, conn)
        self.config = config
        self.peer = conn.peer
        self.record: SatelliteRecord | None = None
        self.accepted = False
        self.handshake = Handshake(server, conn, self._expect)
        self._events: collections.deque = collections.deque()
        self._ping_sent: float | None = None
        self._pending_slot = True
        """The connection holds a pending slot of the server's budget until it is accepted."""

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Handshake, then serve until the connection ends; always cleans up."""
        self.conn.stats.opened(self.peer, status="handshake")
        pinger: asyncio.Task | None = None
        reason = "closed"
        try:
            async with asyncio.timeout(self.config.handshake_timeout_s):
                result = await self._handshake()
            await self._accept(result)
            pinger = self.loop.create_task(self._ping_loop())
            await self._serve()
        except TimeoutError:
            reason = "handshake timeout"
            logger.info("satellite at %s: handshake did not finish in %.1f s", self.peer, self.config.handshake_timeout_s)
        except HandshakeFailed as exc:
            reason = f"denied: {exc}"
        except ConnectionLost as exc:
            reason = exc.reason
        except ProtocolError as exc:
            reason = f"protocol error: {exc}"
            logger.info("satellite at %s: %s", self.peer, exc)
            try:
                self.conn.send(error_reply(exc))
            except ConnectionLost:
                pass
        except Exception:
            reason = "internal error"
            logger.exception("command session with %s failed", self.peer)
        finally:
            if pinger is not None:
                pinger.cancel()
            await self._cleanup(self._close_reason or self.conn.close_reason or reason)

    async def _handshake(self) -> HandshakeResult:
        handshake = self.handshake
        try:
            return await handshake.run()
        except UnsupportedVersionError as exc:
            handshake.deny(DenialReason.VERSION_MISMATCH, version_denial(exc))
            raise  # deny() raised already; this keeps type checkers informed
        finally:
            self.mac = handshake.mac

    async def _cleanup(self, reason: str) -> None:
        self.fail_waiters(reason)
        self.handshake.release()
        self._release_slot()
        await self.conn.close(reason)
        for proto in list(self.streams.values()):
            proto.close()
        if self.accepted:
            self.server.budget.remove_satellite()
        if self.mac is not None:
            self.server.session_ended(self)
        if self.accepted and self.satellite is not None and self.mac is not None:
            if not self.satellite.is_linked_to(self):
                logger.info("older connection of satellite %s closed: %s", self.satellite.id, reason)
                return  # a newer connection of the same satellite took over; it owns the state now
            self.satellite.detach()
            self.satellite.streams["command"].closed()
            logger.info("satellite %s (%s) disconnected: %s", self.satellite.id, self.mac, reason)
            self.server.manager.mark_disconnected(self.satellite, reason)

    def _release_slot(self) -> None:
        if self._pending_slot:
            self._pending_slot = False
            self.server.release_pending(self.peer[0] if self.peer else "?")

    # -- reading --------------------------------------------------------------------------------------------------
    async def _next_event(self, wait_s: float | None) -> Any:
        while not self._events:
            self._events.extend(await self.conn.read_events(wait_s))
        return self._events.popleft()

    async def _expect(self, cls: type, wait_s: float | None = None) -> Any:
        """The next frame, which must be a `cls`; short commands in between are served."""
        while True:
            event = await self._next_event(wait_s)
            if isinstance(event, ShortCommand):
                self._short(event)
                continue
            if isinstance(event.message, cls):
                return event.message
            self.handshake.unexpected(event.class_name, cls)

    # -- accept ---------------------------------------------------------------------------------------------------
    async def _accept(self, result: HandshakeResult) -> None:
        hello, record, nonce = result.hello, result.record, result.nonce
        manager = self.server.manager
        budget = self.server.budget
        satellite = manager.satellite_for(record)
        if not budget.satellite_room() and satellite.state != "connected":  # a reconnect replaces itself
            self.handshake.deny(DenialReason.SERVER_BUSY,
                                f"the server serves {budget.satellites} satellites already (network.max_satellites)",
                                retry_after_s=self.server.retry_hint_s * 6)
        self.record = record
        await self.server.session_started(self)
        self.satellite = satellite
        self.conn.key = session_key(record.secret_bytes, nonce)
        tokens = self.server.tokens.issue(record.mac, record.id)
        self.conn.send(Accepted(
            satellite_id=record.id,
            audio_ports=self.server.audio_ports,
            stream_tokens=tokens,
            server_version=__version__,
            encrypted=self.config.encryption,
            keepalive_s=self.config.ping_interval_s,
            server_time_us=now_us(),
        ), flags=Flags.ENCRYPTED)  # encrypted even when frames stay plain: it proves the server knows the secret
        self.conn.encrypt = self.config.encryption
        # after the accept a plaintext frame is refused by the decoder (counted, answered, never acknowledged)
        self.conn.decoder.require_encryption = self.config.encryption
        self.conn.session.logged_in(max_frame_bytes=self.config.max_frame_bytes)
        self._release_slot()
        budget.add_satellite()
        # the stats of the command socket live on the Satellite so the TUI sees totals across reconnects
        stats = satellite.streams["command"]
        stats.traffic.add_sent(self.conn.stats.traffic.sent_total)
        stats.traffic.add_received(self.conn.stats.traffic.received_total)
        self.conn.stats = stats
        stats.opened(self.peer)
        satellite.ip, satellite.port = (self.peer or (None, None))
        satellite.version = hello.version or None
        satellite.os = hello.platform or None
        satellite.hostname = hello.hostname or None
        satellite.capabilities = list(hello.capabilities)
        satellite.info = {"room_claimed": hello.room, "alias_claimed": hello.alias, "audio_ports": hello.audio_ports,
                          **hello.extra}
        satellite.attach(self)
        self.accepted = True
        self.conn.send(StatusRequest())
        logger.info("satellite %s (%s, %s) connected from %s", record.id, record.mac, record.alias, self.peer)
        manager.mark_connected(satellite)

    # -- serving --------------------------------------------------------------------------------------------------
    async def _serve(self) -> None:
        while True:
            event = await self._next_event(self.config.dead_after_s)
            if self.satellite is not None:
                self.satellite.last_seen = datetime.now().astimezone()
            if isinstance(event, ShortCommand):
                self._short(event)
            else:
                await self._frame(event)

    def _short(self, event: ShortCommand) -> None:
        kind = event.kind  # PING is answered by the session already
        if kind is ShortKind.PONG:
            if self._ping_sent is not None and self.satellite is not None:
                self.satellite.rtt = time.monotonic() - self._ping_sent
                self._ping_sent = None
        elif kind is ShortKind.PRNT:
            logger.info("satellite %s says: %s", self.mac or self.peer, event.text)
        elif kind is ShortKind.HELO:
            logger.info("Hello from satellite %s", self.mac or self.peer)
        elif kind is ShortKind.BYE:
            raise ConnectionLost("the satellite said goodbye")

    async def _frame(self, frame: Frame) -> None:
        message = frame.message
        if isinstance(message, Goodbye):
            raise ConnectionLost(f"the satellite said goodbye: {message.reason}")
        if isinstance(message, SatelliteStatus) and self.satellite is not None:
            self.satellite.report_status(message)
        self.resolve_waiters(message)
        if self.satellite is not None:
            await self.server.dispatch_command(self.satellite, message)

    async def _ping_loop(self) -> None:
        interval = self.config.ping_interval_s
        try:
            while not self.conn.closed:
                self._ping_sent = time.monotonic()
                self.conn.send_short(ShortKind.PING)
                await asyncio.sleep(interval)
        except ConnectionLost:
            pass
