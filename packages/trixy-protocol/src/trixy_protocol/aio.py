"""Awaitable TRXI connection on StreamReader/StreamWriter, built on the sans-IO :class:`TrixySession`.

``TrixyConnection`` sends messages and short commands (write + drain with a timeout), reads events
(``await conn.receive()`` or ``async for event in conn``), matches ``Received`` replies to
``request_ack()`` callers and PONGs to ``ping()``, counts bytes, and switches to the satellite's key
after registration (``set_key``).  The automatic replies (PONG, acknowledgements, ``ErrorCommand``
for bad frames and the error limit) are the session's, exactly as for the queued connection the
server and satellite use.  ``read_frame`` reads exactly one event from a reader without consuming
what follows (for audio-socket handshakes; see :mod:`trixy_protocol.stream_read`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from .commands.ack import Received
from .decoder import DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MULTIPART_TIMEOUT, FrameDecoder
from .encoder import DEFAULT_PART_SIZE, encode_message, multipart_md5
from .errors import (
    AckTimeoutError,
    ConnectionClosedError,
    ProtocolError,
    WriteTimeoutError,
)
from .events import Event, Frame, ShortCommand, ShortKind
from .flags import Flags
from .header import now_us
from .registry import CommandRegistry
from .session import MAX_RECOVERABLE_ERRORS, Side, TrixySession
from .short import encode_short
from .stats import ConnectionStats
from .stream_read import read_frame

logger = logging.getLogger(__name__)

_ENCRYPTED = int(Flags.ENCRYPTED)
_ACK_REQUESTED = int(Flags.ACK_REQUESTED)
_SILENT = int(Flags.SILENT)
DEFAULT_WRITE_TIMEOUT = 10.0
DEFAULT_READ_SIZE = 64 * 1024


@dataclass(slots=True, frozen=True)
class SentMessage:
    """What ``send`` wrote: the MD5 and timestamp a ``Received`` will echo, and the size."""

    md5: bytes
    timestamp_us: int
    wire_bytes: int
    parts: int


class TrixyConnection:
    """One TRXI connection over asyncio streams (either side: server or satellite).

    Someone must keep reading (``receive()`` / ``async for``) for automatic PONGs, acks and
    ``request_ack``/``ping`` results to flow.  ``session`` holds the protocol state.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        key: bytes | None = None,
        encrypt: bool = True,
        default_flags: Flags = Flags.NONE,
        registry: CommandRegistry | None = None,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        part_size: int = DEFAULT_PART_SIZE,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        multipart_timeout: float = DEFAULT_MULTIPART_TIMEOUT,
        auto_ack: bool = True,
        auto_pong: bool = True,
        reply_errors: bool = True,
        read_size: int = DEFAULT_READ_SIZE,
        name: str = "",
        side: Side = Side.SATELLITE,
        max_errors: int = MAX_RECOVERABLE_ERRORS,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.registry = registry
        self.default_flags = Flags(default_flags)
        self.write_timeout = write_timeout
        self.part_size = part_size
        self.read_size = read_size
        self.stats = ConnectionStats()
        decoder = FrameDecoder(
            max_frame_size=max_frame_size,
            max_message_size=max_message_size,
            registry=registry,
            multipart_timeout=multipart_timeout,
        )
        self.session = TrixySession(side, decoder=decoder, max_errors=max_errors, auto_pong=auto_pong,
                                    auto_ack=auto_ack, reply_errors=reply_errors)
        """The sans-IO link state: keys, automatic replies, error count."""
        self.session.key = key
        self.session.encrypt = encrypt
        decoder.require_encryption = key is not None and encrypt
        self._events: collections.deque[Event] = collections.deque()
        self._ack_waiters: dict[tuple[bytes, int], asyncio.Future[Received]] = {}
        self._pong_waiters: collections.deque[asyncio.Future[float]] = collections.deque()
        self._drain_lock = asyncio.Lock()
        self._closed = False
        self.peer_said_bye = False
        peer = writer.get_extra_info("peername")
        self.peername: tuple[str, int] | None = tuple(peer[:2]) if peer else None  # type: ignore[assignment]
        self.name = name or (f"{peer[0]}:{peer[1]}" if peer else "trxi")

    # -- properties --------------------------------------------------------------------------
    @property
    def key(self) -> bytes | None:
        """The 32-byte AES key used for encrypted frames in both directions (None = none yet)."""
        return self.session.key

    def set_key(self, key: bytes | None, *, encrypt: bool = True, require: bool | None = None) -> None:
        """Switch key (e.g. after registration) for both directions.

        ``encrypt``: outgoing frames get Flags.ENCRYPTED by default.  ``require`` (default: same as
        ``encrypt``): incoming frames without encryption are refused with DecryptionError.  Use
        ``encrypt=False`` to be able to decrypt the peer's reply before encrypting yourself.
        """
        if key is not None and len(key) != 32:
            raise ValueError(f"key must be 32 bytes, got {len(key)}")
        self.session.key = key
        self.session.encrypt = encrypt
        self.session.decoder.require_encryption = key is not None and (encrypt if require is None else require)

    @property
    def encrypting(self) -> bool:
        """True when outgoing frames get Flags.ENCRYPTED automatically."""
        return self.session.encrypt and self.session.key is not None

    @property
    def auto_ack(self) -> bool:
        """Acknowledge ACK_REQUESTED frames automatically."""
        return self.session.auto_ack

    @property
    def auto_pong(self) -> bool:
        """Answer PING with PONG automatically."""
        return self.session.auto_pong

    @property
    def reply_errors(self) -> bool:
        """Answer recoverable bad frames with ErrorCommand."""
        return self.session.reply_errors

    @property
    def closed(self) -> bool:
        """True after close() or after the peer went away."""
        return self._closed

    @property
    def decoder(self) -> FrameDecoder:
        """The sans-IO decoder behind this connection."""
        return self.session.decoder

    # -- sending -----------------------------------------------------------------------------
    async def send(
        self, message: Any, *, flags: Flags | int | None = None, timestamp_us: int | None = None
    ) -> SentMessage:
        """Encode and send ``message`` (multipart when large); returns what a Received would echo."""
        fl = int(self.default_flags if flags is None else flags)
        if self.encrypting:
            fl |= _ENCRYPTED
        ts = now_us() if timestamp_us is None else timestamp_us
        frames = encode_message(
            message, flags=fl, key=self.session.key, timestamp_us=ts, part_size=self.part_size, registry=self.registry
        )
        md5 = multipart_md5(frames)
        size = await self._write(frames)
        self.stats.frames_sent += 1
        if not fl & _SILENT and logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: sent %s (%d bytes, %d part(s))", self.name, _label(message), size, len(frames))
        return SentMessage(md5, ts, size, len(frames))

    async def send_short(self, kind: ShortKind, text: str | None = None) -> None:
        """Send a short command (NOOP, PING, PONG, HELO, PRNT with ``text``, BYE)."""
        await self._write([encode_short(kind, text)])
        self.stats.short_sent += 1

    async def request_ack(
        self, message: Any, *, timeout: float = 5.0, flags: Flags | int | None = None  # noqa: ASYNC109
    ) -> Received:
        """Send ``message`` with ACK_REQUESTED and wait for the peer's matching ``Received``."""
        fl = int(self.default_flags if flags is None else flags) | _ACK_REQUESTED
        if self.encrypting:
            fl |= _ENCRYPTED
        ts = now_us()
        frames = encode_message(
            message, flags=fl, key=self.session.key, timestamp_us=ts, part_size=self.part_size, registry=self.registry
        )
        ack_key = (multipart_md5(frames), ts)
        future: asyncio.Future[Received] = asyncio.get_running_loop().create_future()
        self._ack_waiters[ack_key] = future
        try:
            await self._write(frames)
            self.stats.frames_sent += 1
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AckTimeoutError(
                f"{self.name}: no acknowledgement for {_label(message)} within {timeout:g} s; "
                "the peer is slow, dead, or not reading"
            ) from None
        finally:
            self._ack_waiters.pop(ack_key, None)

    async def ping(self, timeout: float = 5.0) -> float:  # noqa: ASYNC109
        """Send TRXIPING and return the round-trip time in seconds when TRXIPONG arrives."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[float] = loop.create_future()
        self._pong_waiters.append(future)
        start = loop.time()
        try:
            await self.send_short(ShortKind.PING)
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AckTimeoutError(f"{self.name}: no PONG within {timeout:g} s") from None
        finally:
            if future in self._pong_waiters:
                self._pong_waiters.remove(future)
        rtt = loop.time() - start
        self.stats.rtt_s = rtt
        return rtt

    async def _write(self, chunks: list[bytes]) -> int:
        if self._closed:
            raise ConnectionClosedError(f"{self.name}: connection is closed; reconnect before sending")
        size = sum(map(len, chunks))
        try:
            self.writer.writelines(chunks)
        except (ConnectionError, RuntimeError) as exc:
            self._closed = True
            raise ConnectionClosedError(f"{self.name}: cannot write: {exc}") from None
        self.stats.sent.add(size)
        async with self._drain_lock:
            try:
                await asyncio.wait_for(self.writer.drain(), self.write_timeout)
            except TimeoutError:
                raise WriteTimeoutError(
                    f"{self.name}: peer did not read {size} bytes within {self.write_timeout:g} s; "
                    "it is stalled or dead - close the connection"
                ) from None
            except ConnectionError as exc:
                self._closed = True
                raise ConnectionClosedError(f"{self.name}: connection lost while sending: {exc}") from None
        return size

    # -- receiving ---------------------------------------------------------------------------
    async def receive(self) -> Event | None:
        """Next event, or None at a clean end of stream; raises ProtocolError when the link must close.

        Recoverable bad frames are answered with ``ErrorCommand`` and skipped by the session (too many
        of them raise ``TooManyErrorsError``); PINGs are answered and acks sent automatically (still
        returned); ``Received`` and PONG replies that a waiter consumed are not returned.
        """
        while True:
            while self._events:
                event = self._events.popleft()
                if self._handle(event):
                    return event
            data = await self._read()
            if not data:
                self._closed = True
                self._fail_waiters()
                self.session.decoder.eof()
                return None
            self.stats.received.add(len(data))
            self.stats.last_received_monotonic = asyncio.get_running_loop().time()
            try:
                self._events.extend(self.session.receive_data(data))
            finally:
                self.stats.errors = self.session.errors
                await self._send_replies()

    async def _send_replies(self) -> None:
        """Write the replies the session says are due; a peer that is gone or stalled must not abort reading."""
        replies = self.session.data_to_send()
        if not replies or self._closed:
            return
        try:
            await self._write(replies)
        except (ConnectionClosedError, WriteTimeoutError) as exc:
            logger.debug("%s: automatic reply not sent: %s", self.name, exc)

    async def _read(self) -> bytes:
        while True:
            if not self.session.decoder.pending_multipart:
                try:
                    return await self.reader.read(self.read_size)
                except ConnectionError:
                    return b""
            try:  # wake up now and then so stale multipart messages time out
                return await asyncio.wait_for(self.reader.read(self.read_size), 1.0)
            except TimeoutError:
                self.session.check_timeouts()
                self.stats.errors = self.session.errors
                await self._send_replies()
            except ConnectionError:
                return b""

    def _handle(self, event: Event) -> bool:
        """Match replies to waiters and log; returns False when the event was consumed here."""
        if type(event) is Frame:
            self.stats.frames_received += 1
            message = event.message
            if not event.silent and logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s: received %s (%d bytes)", self.name, event.class_name or "dict", event.payload_size)
            if type(message) is Received:
                waiter = self._ack_waiters.pop((message.md5, message.timestamp_us), None)
                if waiter is not None:
                    if not waiter.done():
                        waiter.set_result(message)
                    return False
            return True
        assert isinstance(event, ShortCommand)
        self.stats.short_received += 1
        kind = event.kind
        if kind is ShortKind.PONG:
            while self._pong_waiters:
                waiter = self._pong_waiters.popleft()
                if not waiter.done():
                    waiter.set_result(0.0)
                    return False
        elif kind is ShortKind.HELO:
            logger.info("%s: Hello", self.name)
        elif kind is ShortKind.PRNT:
            logger.info("%s: %s", self.name, event.text)
        elif kind is ShortKind.BYE:
            self.peer_said_bye = True
        return True

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        """Events until end of stream (bad frames are answered and skipped by the session)."""
        while True:
            event = await self.receive()
            if event is None:
                return
            yield event

    # -- closing -----------------------------------------------------------------------------
    async def close(self, *, bye: bool = True, timeout: float = 2.0) -> None:  # noqa: ASYNC109
        """Send TRXIBYE_ (unless ``bye`` is False), close the socket and fail pending waiters."""
        if not self._closed and bye:
            try:
                await asyncio.wait_for(self.send_short(ShortKind.BYE), timeout)
            except (ProtocolError, TimeoutError, ConnectionError):
                pass
        self._closed = True
        self._fail_waiters()
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), timeout)
        except (TimeoutError, ConnectionError):
            pass

    def _fail_waiters(self) -> None:
        for fut in list(self._ack_waiters.values()) + list(self._pong_waiters):
            if not fut.done():
                fut.set_exception(ConnectionClosedError(f"{self.name}: connection closed before the reply"))
        self._ack_waiters.clear()
        self._pong_waiters.clear()

    async def __aenter__(self) -> TrixyConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _label(message: Any) -> str:
    return "dict" if type(message) is dict else type(message).__name__


async def connect(host: str, port: int, *, connect_timeout: float = 10.0, **kwargs: Any) -> TrixyConnection:
    """Open a TCP connection and wrap it in a :class:`TrixyConnection` (kwargs go to it)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), connect_timeout)
    return TrixyConnection(reader, writer, **kwargs)


__all__ = ["SentMessage", "TrixyConnection", "connect", "read_frame"]
