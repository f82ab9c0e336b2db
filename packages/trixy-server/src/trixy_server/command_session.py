"""`CommandSession`: one satellite's command connection — hello, registration, challenge, accept, keep-alive.

It is also the `SatelliteLink` a `Satellite` uses to send commands and audio.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trixy_protocol import (
    Accepted,
    AudioStream,
    Challenge,
    ChallengeResponse,
    DenialReason,
    Denied,
    Flags,
    Frame,
    Goodbye,
    Hello,
    PlayAudio,
    PlayMusic,
    ProtocolError,
    Reconnect,
    Registered,
    RegistrationAnswer,
    RegistrationField,
    RegistrationKeyOffer,
    RegistrationQuestion,
    SatelliteStatus,
    ShortCommand,
    ShortKind,
    StatusRequest,
    StopAudio,
    StopMusic,
    error_reply,
    make_ack,
    now_us,
)
from trixy_protocol.auth import new_nonce, registration_key, session_key, verify_challenge
from trixy_server import __version__
from trixy_server.audio_streams import STATS_NAMES, STREAM_FORMATS, AudioStreamProtocol
from trixy_server.connection import ConnectionLost, FramedConnection
from trixy_server.errors import InvalidMacError, RegistryError, SatelliteNotConnectedError
from trixy_server.mac import normalize_mac
from trixy_server.registry import SatelliteRecord
from trixy_server.satellite import Satellite
from trixy_server.stats import StreamStats

if TYPE_CHECKING:
    from trixy_server.network import NetworkServer

logger = logging.getLogger(__name__)

MAX_RECOVERABLE_ERRORS = 20
_STREAM_BY_NAME = {"tts_out": AudioStream.OUTPUT, "music_out": AudioStream.MUSIC, "output": AudioStream.OUTPUT,
                   "music": AudioStream.MUSIC}


class HandshakeFailed(Exception):
    """The satellite was denied (the reason was sent to it)."""


class CommandSession:
    """Runs one command connection from the first byte to the close."""

    def __init__(self, server: NetworkServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.config = server.config
        self.loop = asyncio.get_running_loop()
        self.conn = FramedConnection(reader, writer, StreamStats("command"), max_queue=self.config.send_queue_frames,
                                     write_timeout=self.config.write_timeout_s, max_frame_size=64 * 1024)
        self.peer = self.conn.peer
        self.mac: str | None = None
        self.record: SatelliteRecord | None = None
        self.satellite: Satellite | None = None
        self.accepted = False
        self.streams: dict[AudioStream, AudioStreamProtocol] = {}
        self._stream_changed = asyncio.Event()
        self._events: collections.deque = collections.deque()
        self._ping_sent: float | None = None
        self._claimed = False
        self._errors = 0
        self._close_reason: str | None = None
        self._waiters: dict[type, list[asyncio.Future]] = {}

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Handshake, then serve until the connection ends; always cleans up."""
        self.conn.stats.opened(self.peer, status="handshake")
        pinger: asyncio.Task | None = None
        reason = "closed"
        try:
            async with asyncio.timeout(self.config.handshake_timeout_s):
                await self._handshake()
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

    async def _cleanup(self, reason: str) -> None:
        for futures in self._waiters.values():
            for future in list(futures):
                if not future.done():
                    future.set_exception(SatelliteNotConnectedError(f"satellite {self.mac} disconnected: {reason}"))
        self._waiters.clear()
        if self._claimed and self.mac is not None:
            self.server.manager.registration.release(self.mac)
        await self.conn.close(reason)
        for proto in list(self.streams.values()):
            proto.close()
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
            self._deny(DenialReason.REGISTRATION_FAILED if self._claimed else DenialReason.BAD_CREDENTIALS,
                       f"expected {cls.__name__}, got {event.class_name or 'a dict'}")

    # -- handshake ------------------------------------------------------------------------------------------------
    def _deny(self, reason: DenialReason, message: str, retry_after_s: float | None = None) -> None:
        logger.info("satellite %s at %s denied: %s (%s)", self.mac or "?", self.peer, reason.value, message)
        try:
            self.conn.send(Denied(reason=reason, message=message, retry_after_s=retry_after_s))
        except ConnectionLost:
            pass
        raise HandshakeFailed(f"{reason.value}: {message}")

    async def _handshake(self) -> None:
        manager = self.server.manager
        hello: Hello = await self._expect(Hello)
        try:
            mac = normalize_mac(hello.mac)
        except InvalidMacError as exc:
            self._deny(DenialReason.INVALID_MAC, str(exc))
        self.mac = mac
        if mac in manager.blacklist:
            self._deny(DenialReason.BLACKLISTED, "this satellite is blacklisted on the server")
        record = manager.registry.get(mac)
        if record is None:
            if not manager.registration.claim(mac):
                self._deny(DenialReason.UNKNOWN_SATELLITE,
                           "not registered: put the server into registration mode (TUI F3, or "
                           "satellite_manager.enter_registration_mode()) and let this satellite connect",
                           retry_after_s=self.server.retry_hint_s)
            self._claimed = True
            record = await self._register(mac, hello)
        self.record = record
        nonce = new_nonce()
        self.conn.send(Challenge(nonce=nonce))
        response: ChallengeResponse = await self._expect(ChallengeResponse)
        if response.satellite_id != record.id or not verify_challenge(
            record.secret_bytes, nonce, record.id, bytes(response.digest)
        ):
            self._deny(DenialReason.BAD_CREDENTIALS,
                       "the challenge response does not match this satellite's secret; delete its registration on "
                       "the server and register it again")
        if mac in manager.blacklist:
            self._deny(DenialReason.BLACKLISTED, "this satellite is blacklisted on the server")
        await self._accept(hello, record, nonce)

    async def _register(self, mac: str, hello: Hello) -> SatelliteRecord:
        timeout = self.config.registration_answer_timeout_s
        answers: dict[RegistrationField, str] = {}
        questions = (
            (RegistrationField.ROOM, "Which room is this satellite in?", hello.room),
            (RegistrationField.ALIAS, "What should this satellite be called?", hello.alias),
            (RegistrationField.MAC, "What is this satellite's MAC address?", mac),
        )
        logger.info("registering unknown satellite %s from %s", mac, self.peer)
        # Our X25519 public key goes out before the questions: the answers are a round trip, so the satellite has
        # its key in place before the encrypted `Registered` arrives (a key change inside one read would be lost).
        key = None
        if hello.x25519_public_key:
            try:
                key, our_public = registration_key(hello.x25519_public_key)
            except ValueError as exc:
                logger.warning("satellite %s sent an unusable X25519 key (%s): secret goes out unprotected", mac, exc)
            else:
                self.conn.send(RegistrationKeyOffer(public_key=our_public))
        for field, prompt, default in questions:
            self.conn.send(RegistrationQuestion(field=field, prompt=prompt, default=default))
            try:
                answer: RegistrationAnswer = await self._expect(RegistrationAnswer, timeout)
            except ConnectionLost as exc:
                if exc.reason.startswith("no data"):
                    self._deny(DenialReason.REGISTRATION_FAILED, f"no answer to the {field.value} question in time")
                raise
            if answer.field != field:
                self._deny(DenialReason.REGISTRATION_FAILED, f"asked for {field.value}, got {answer.field.value}")
            answers[field] = answer.value.strip()
        try:
            if normalize_mac(answers[RegistrationField.MAC]) != mac:
                self._deny(DenialReason.REGISTRATION_FAILED, "the MAC answered differs from the MAC in the hello")
        except InvalidMacError as exc:
            self._deny(DenialReason.REGISTRATION_FAILED, str(exc))
        try:
            satellite = self.server.manager.register(mac, answers[RegistrationField.ROOM],
                                                     answers[RegistrationField.ALIAS])
        except RegistryError as exc:
            self._deny(DenialReason.REGISTRATION_FAILED, str(exc))
        record = satellite.record
        registered = Registered(satellite_id=record.id, secret=record.secret_bytes, room=record.room,
                                alias=record.alias)
        if key is None:
            logger.warning("satellite %s offered no key exchange: its secret travels in clear text once", mac)
        self.conn.send(registered, key=key)
        self.server.manager.registration.complete(mac)
        self._claimed = False
        return record

    async def _accept(self, hello: Hello, record: SatelliteRecord, nonce: bytes) -> None:
        manager = self.server.manager
        satellite = manager.satellite_for(record)
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
        self.conn.decoder.max_frame_size = self.config.max_frame_bytes
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
            try:
                event = await self._next_event(self.config.dead_after_s)
            except ProtocolError as exc:
                self._protocol_error(exc)
                continue
            if self.satellite is not None:
                self.satellite.last_seen = datetime.now().astimezone()
            if isinstance(event, ShortCommand):
                self._short(event)
            else:
                await self._frame(event)

    def _protocol_error(self, exc: ProtocolError) -> None:
        self._errors += 1
        logger.info("satellite %s: bad frame (%s)", self.mac, exc)
        if not exc.recoverable or self._errors > MAX_RECOVERABLE_ERRORS:
            raise exc
        self.conn.send(error_reply(exc))

    def _short(self, event: ShortCommand) -> None:
        kind = event.kind
        if kind is ShortKind.PING:
            self.conn.send_short(ShortKind.PONG)
        elif kind is ShortKind.PONG:
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
        if self.config.encryption and not frame.flags & Flags.ENCRYPTED:
            self._errors += 1
            self.conn.send(error_reply(ProtocolError(
                f"{frame.class_name}: frames must be encrypted after the accept", class_name=frame.class_name)))
            if self._errors > MAX_RECOVERABLE_ERRORS:
                raise ConnectionLost("too many bad frames")
            return
        if frame.ack_requested:
            self.conn.send(make_ack(frame))
        message = frame.message
        if isinstance(message, Goodbye):
            raise ConnectionLost(f"the satellite said goodbye: {message.reason}")
        if isinstance(message, SatelliteStatus) and self.satellite is not None:
            self.satellite.report_status(message)
        for future in list(self._waiters.get(type(message), ())):
            if not future.done():
                future.set_result(message)
        assert self.satellite is not None
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

