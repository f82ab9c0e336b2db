"""`FramedConnection`: a TRXI connection over asyncio streams with a bounded send queue and write timeouts.

A satellite that stops reading fills its own queue and is dropped; it never blocks the event loop or other
satellites. Bytes in and out are counted into the stream's `StreamStats`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from trixy_protocol import Event, Flags, FrameDecoder, ShortKind, encode_message, encode_short
from trixy_server.stats import StreamStats

logger = logging.getLogger(__name__)


class ConnectionLost(Exception):
    """The peer closed, timed out or was dropped; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FramedConnection:
    """Reads TRXI events and writes frames/short commands through a bounded queue drained by one writer task."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stats: StreamStats, *,
                 max_queue: int = 256, write_timeout: float = 5.0, max_frame_size: int = 64 * 1024) -> None:
        self.reader = reader
        self.writer = writer
        self.stats = stats
        self.write_timeout = write_timeout
        self.key: bytes | None = None
        """Frame key: set it to decrypt incoming frames; `encrypt` makes outgoing frames use it."""
        self.encrypt = False
        self.decoder = FrameDecoder(max_frame_size=max_frame_size, key=lambda: self.key)
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_queue)
        self._closed: str | None = None
        self._writer_task = asyncio.get_running_loop().create_task(self._write_loop())
        peer = writer.get_extra_info("peername")
        self.peer: tuple[str, int] | None = (str(peer[0]), int(peer[1])) if peer else None

    @property
    def closed(self) -> bool:
        return self._closed is not None

    @property
    def close_reason(self) -> str | None:
        return self._closed

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
        """Queue raw bytes; a full queue means the peer is stuck: it is dropped (ConnectionLost)."""
        if self._closed is not None:
            raise ConnectionLost(self._closed)
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self.abort("send queue full: the satellite does not read")
            raise ConnectionLost("send queue full") from None

    async def _write_loop(self) -> None:
        transport = self.writer.transport
        try:
            while True:
                data = await self._queue.get()
                if data is None:
                    break
                self.writer.write(data)
                self.stats.traffic.add_sent(len(data))
                if transport.get_write_buffer_size() > 0:
                    try:
                        await asyncio.wait_for(self.writer.drain(), self.write_timeout)
                    except TimeoutError:
                        self.abort(f"write timeout ({self.write_timeout:g} s): the satellite does not read")
                        return
        except (ConnectionError, OSError) as exc:
            self.abort(f"write failed: {exc}")
        except asyncio.CancelledError:
            pass

    # -- receiving ----------------------------------------------------------------------------------------------
    async def read_events(self, wait_s: float | None) -> list[Event]:
        """Wait for bytes (at most `wait_s` s) and return the events they complete; raises ConnectionLost or
        ProtocolError (check `.recoverable`)."""
        if self._closed is not None:
            raise ConnectionLost(self._closed)
        try:
            async with asyncio.timeout(wait_s):
                data = await self.reader.read(65536)
        except TimeoutError:
            raise ConnectionLost(f"no data for {wait_s:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise ConnectionLost(f"read failed: {exc}") from None
        if not data:
            raise ConnectionLost(self._closed or "closed by the satellite")
        self.stats.traffic.add_received(len(data))
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
            try:
                await asyncio.wait_for(asyncio.shield(self._writer_task), flush_timeout)
            except (TimeoutError, asyncio.CancelledError):
                pass
        self._writer_task.cancel()
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)
