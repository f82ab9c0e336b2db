"""The satellite's TRXI connection: decoder, bounded send queue, write timeout, byte counters."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from trixy_protocol import Event, Flags, FrameDecoder, ShortKind, encode_message, encode_short


class LinkLost(Exception):
    """The server connection ended; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ClientConnection:
    """One TCP connection to the server carrying TRXI frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, max_queue: int = 256,
                 write_timeout: float = 5.0, max_frame_size: int = 4 * 1024 * 1024) -> None:
        self.reader = reader
        self.writer = writer
        self.write_timeout = write_timeout
        self.key: bytes | None = None
        self.encrypt = False
        self.decoder = FrameDecoder(max_frame_size=max_frame_size, key=lambda: self.key)
        self.bytes_sent = 0
        self.bytes_received = 0
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_queue)
        self._closed: str | None = None
        self._task = asyncio.get_running_loop().create_task(self._write_loop())

    @property
    def closed(self) -> bool:
        return self._closed is not None

    def send(self, message: Any, *, flags: int = Flags.NONE) -> None:
        """Queue a command (encrypted once the server accepted with encryption on)."""
        flags = int(flags)
        if self.encrypt and self.key is not None:
            flags |= Flags.ENCRYPTED
        key = self.key if flags & Flags.ENCRYPTED else None
        for frame in encode_message(message, flags=flags, key=key):
            self.send_bytes(frame)

    def send_short(self, kind: ShortKind, text: str | None = None) -> None:
        self.send_bytes(encode_short(kind, text))

    def send_bytes(self, data: bytes) -> None:
        if self._closed is not None:
            raise LinkLost(self._closed)
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self.abort("send queue full: the server does not read")
            raise LinkLost("send queue full") from None

    async def _write_loop(self) -> None:
        try:
            while True:
                data = await self._queue.get()
                if data is None:
                    break
                self.writer.write(data)
                self.bytes_sent += len(data)
                if self.writer.transport.get_write_buffer_size() > 0:
                    try:
                        await asyncio.wait_for(self.writer.drain(), self.write_timeout)
                    except TimeoutError:
                        self.abort("write timeout: the server does not read")
                        return
        except (ConnectionError, OSError) as exc:
            self.abort(f"write failed: {exc}")
        except asyncio.CancelledError:
            pass

    async def read_events(self, wait_s: float | None) -> list[Event]:
        """Events from the next bytes; raises LinkLost on close/silence, ProtocolError on bad frames."""
        if self._closed is not None:
            raise LinkLost(self._closed)
        try:
            async with asyncio.timeout(wait_s):
                data = await self.reader.read(65536)
        except TimeoutError:
            raise LinkLost(f"the server was silent for {wait_s:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise LinkLost(f"read failed: {exc}") from None
        if not data:
            raise LinkLost(self._closed or "closed by the server")
        self.bytes_received += len(data)
        return self.decoder.feed(data)

    def abort(self, reason: str) -> None:
        if self._closed is None:
            self._closed = reason
        self._task.cancel()
        self.writer.transport.abort()

    async def close(self, reason: str) -> None:
        if self._closed is None:
            self._closed = reason
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._task), 1.0)
        self._task.cancel()
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)
