"""`QueuedConnection`: a TRXI connection whose sends never block — a bounded queue drained by one writer task.

Used by the server (one per satellite) and the satellite (its link to the server), where a caller must never wait
on a slow peer: ``send`` queues and returns; a peer that stops reading fills its queue or misses the write timeout
and is dropped. Unlike :class:`trixy_protocol.aio.TrixyConnection` (``await send`` with drain, automatic PONG/acks)
the owner reads events itself with ``read_events`` and reacts to every short command and frame.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .decoder import FrameDecoder
from .encoder import encode_message
from .errors import LinkLostError
from .events import Event, ShortKind
from .flags import Flags
from .short import encode_short

DEFAULT_QUEUE_FRAMES = 256
DEFAULT_QUEUE_WRITE_TIMEOUT = 5.0
READ_CHUNK = 65536

__all__ = ["LinkLostError", "QueuedConnection"]


class QueuedConnection:
    """Reads TRXI events and writes frames/short commands through a bounded queue drained by one writer task.

    ``key`` decrypts incoming encrypted frames; with ``encrypt`` on, outgoing frames are encrypted with it too.
    Subclasses set ``lost_error`` (the LinkLostError subclass raised) and ``peer_label`` (used in reasons), and
    may override ``count_sent``/``count_received`` to feed their own statistics.
    """

    lost_error: type[LinkLostError] = LinkLostError
    peer_label = "the peer"

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 max_queue: int = DEFAULT_QUEUE_FRAMES, write_timeout: float = DEFAULT_QUEUE_WRITE_TIMEOUT,
                 max_frame_size: int = 64 * 1024) -> None:
        self.reader = reader
        self.writer = writer
        self.write_timeout = write_timeout
        self.key: bytes | None = None
        """Frame key: set it to decrypt incoming frames; `encrypt` makes outgoing frames use it."""
        self.encrypt = False
        self.decoder = FrameDecoder(max_frame_size=max_frame_size, key=lambda: self.key)
        self.bytes_sent = 0
        self.bytes_received = 0
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_queue)
        self._closed: str | None = None
        self._writer_task = asyncio.get_running_loop().create_task(self._write_loop())
        peer = writer.get_extra_info("peername")
        self.peer: tuple[str, int] | None = (str(peer[0]), int(peer[1])) if peer else None

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
        flags = int(flags)
        if key is not None or (self.encrypt and self.key is not None):
            flags |= Flags.ENCRYPTED
        key = key or (self.key if flags & Flags.ENCRYPTED else None)
        for frame in encode_message(message, flags=flags, key=key):
            self.send_bytes(frame)

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
        """Wait for bytes (at most `wait_s` s) and return the events they complete; raises ``lost_error`` or
        ProtocolError (check `.recoverable`)."""
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
        return self.decoder.feed(data)

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
