"""`QueuedConnection`: the asyncio adapter around a :class:`~trixy_protocol.session.TrixySession`.

Used by the server (one per satellite) and the satellite (its link to the server), where a caller must never wait
on a slow peer: ``send`` queues and returns; a peer that stops reading fills its queue or misses the write timeout
and is dropped.  The protocol rules (PONG, acknowledgements, error replies and their limit, pre-login limits) live
in the session; this class only moves bytes: socket -> ``session.receive_data`` -> events for the owner, and the
replies the session says are due -> the send queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .decoder import FrameDecoder
from .errors import LinkLostError, ProtocolError
from .events import Event, ShortKind
from .flags import Flags
from .session import PreLoginLimits, Side, TrixySession
from .short import encode_short

DEFAULT_QUEUE_FRAMES = 256
DEFAULT_QUEUE_WRITE_TIMEOUT = 5.0
READ_CHUNK = 65536

__all__ = ["LinkLostError", "QueuedConnection"]


class QueuedConnection:
    """Reads TRXI events and writes frames/short commands through a bounded queue drained by one writer task.

    ``key`` decrypts incoming encrypted frames; with ``encrypt`` on, outgoing frames are encrypted with it too
    (both live in ``session``). Subclasses set ``lost_error`` (the LinkLostError subclass raised) and ``side``, and
    may override ``count_sent``/``count_received`` to feed their own statistics.
    """

    lost_error: type[LinkLostError] = LinkLostError
    side = Side.SATELLITE

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 max_queue: int = DEFAULT_QUEUE_FRAMES, write_timeout: float = DEFAULT_QUEUE_WRITE_TIMEOUT,
                 max_frame_size: int = 64 * 1024, prelogin: PreLoginLimits | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.write_timeout = write_timeout
        self.session = TrixySession(self.side, decoder=FrameDecoder(max_frame_size=max_frame_size),
                                    prelogin=prelogin)
        """The link's protocol state (keys, replies due, error count, pre-login limits)."""
        self.bytes_sent = 0
        self.bytes_received = 0
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_queue)
        self._closed: str | None = None
        self._writer_task = asyncio.get_running_loop().create_task(self._write_loop())
        peer = writer.get_extra_info("peername")
        self.peer: tuple[str, int] | None = (str(peer[0]), int(peer[1])) if peer else None

    @property
    def peer_label(self) -> str:
        """How reasons name the other end ("the satellite", "the server")."""
        return self.side.peer_label

    @property
    def key(self) -> bytes | None:
        """Frame key: set it to decrypt incoming frames; ``encrypt`` makes outgoing frames use it."""
        return self.session.key

    @key.setter
    def key(self, value: bytes | None) -> None:
        self.session.key = value

    @property
    def encrypt(self) -> bool:
        """Encrypt outgoing frames with ``key``."""
        return self.session.encrypt

    @encrypt.setter
    def encrypt(self, value: bool) -> None:
        self.session.encrypt = value

    @property
    def decoder(self) -> FrameDecoder:
        """The session's frame decoder."""
        return self.session.decoder

    @property
    def closed(self) -> bool:
        """True once closed, aborted or lost."""
        return self._closed is not None

    @property
    def close_reason(self) -> str | None:
        """Why the connection ended (None while open)."""
        return self._closed

    # -- counters ---------------------------------------------------------------------------------------------
    def count_sent(self, count: int) -> None:
        """Called with the size of every chunk written to the socket."""
        self.bytes_sent += count

    def count_received(self, count: int) -> None:
        """Called with the size of every chunk read from the socket."""
        self.bytes_received += count

    # -- sending ----------------------------------------------------------------------------------------------
    def send(self, message: Any, *, flags: int = Flags.NONE, key: bytes | None = None) -> None:
        """Queue `message` (encrypted when `encrypt` is on, or with `key` when given); drops the connection when the
        queue is full."""
        for frame in self.session.encode(message, flags=flags, key=key):
            self.send_bytes(frame)

    def report_error(self, exc: ProtocolError) -> None:
        """Count an error found above the codec and queue its ``ErrorCommand``; raises when it is one too many."""
        try:
            self.session.protocol_error(exc)
        finally:
            self._send_replies()

    def _send_replies(self) -> None:
        for data in self.session.data_to_send():
            self.send_bytes(data)

    def send_short(self, kind: ShortKind, text: str | None = None) -> None:
        """Queue a short command (PING, PONG, NOOP, BYE...)."""
        self.send_bytes(encode_short(kind, text))

    def send_bytes(self, data: bytes) -> None:
        """Queue raw bytes; a full queue means the peer is stuck: it is dropped (``lost_error``)."""
        if self._closed is not None:
            raise self.lost_error(self._closed)
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self.abort(f"send queue full: {self.peer_label} does not read")
            raise self.lost_error("send queue full") from None

    async def _write_loop(self) -> None:
        transport = self.writer.transport
        try:
            while True:
                data = await self._queue.get()
                if data is None:
                    break
                self.writer.write(data)
                self.count_sent(len(data))
                if transport.get_write_buffer_size() > 0:
                    try:
                        await asyncio.wait_for(self.writer.drain(), self.write_timeout)
                    except TimeoutError:
                        self.abort(f"write timeout ({self.write_timeout:g} s): {self.peer_label} does not read")
                        return
        except (ConnectionError, OSError) as exc:
            self.abort(f"write failed: {exc}")
        except asyncio.CancelledError:
            pass

    # -- receiving ----------------------------------------------------------------------------------------------
    def silence_reason(self, wait_s: float | None) -> str:
        """The reason given when nothing arrived for `wait_s` seconds."""
        return f"no data for {wait_s:g} s"

    async def read_events(self, wait_s: float | None) -> list[Event]:
        """Wait for bytes (at most `wait_s` s) and return the events they complete (maybe none); raises
        ``lost_error``, or ProtocolError when the link must close (recoverable errors are answered and counted by
        the session; PINGs and acknowledgements are answered too, before this returns)."""
        if self._closed is not None:
            raise self.lost_error(self._closed)
        try:
            async with asyncio.timeout(wait_s):
                data = await self.reader.read(READ_CHUNK)
        except TimeoutError:
            raise self.lost_error(self.silence_reason(wait_s)) from None
        except (ConnectionError, OSError) as exc:
            raise self.lost_error(f"read failed: {exc}") from None
        if not data:
            raise self.lost_error(self._closed or f"closed by {self.peer_label}")
        self.count_received(len(data))
        try:
            return self.session.receive_data(data)
        finally:
            if not self.closed:
                self._send_replies()

    # -- closing ------------------------------------------------------------------------------------------------
    def abort(self, reason: str) -> None:
        """Close at once without flushing (stuck or hostile peer)."""
        if self._closed is None:
            self._closed = reason
        self._writer_task.cancel()
        self.writer.transport.abort()

    async def close(self, reason: str, *, flush_timeout: float = 1.0) -> None:
        """Flush what is queued (briefly), then close."""
        if self._closed is None:
            self._closed = reason
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._writer_task), flush_timeout)
        self._writer_task.cancel()
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)
