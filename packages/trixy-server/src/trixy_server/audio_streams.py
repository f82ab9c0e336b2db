"""The three raw audio sockets (2102 input, 2103 speech out, 2104 music out) as asyncio Protocols.

Each socket starts with one TRXI `StreamHello` frame (satellite id, stream, one-time token) answered by
`StreamAccepted`/`StreamDenied`; then raw s16le PCM flows with no framing. Protocols (not streams) keep the input
path cheap: 200 satellites at 16 kHz are 10,000 small reads a second.

Before its `StreamHello` is accepted a socket is held to the pre-login limits: one frame of at most
`MAX_HANDSHAKE_BYTES`, no multipart, and at most that many bytes in total; it takes a pending slot of the server's
`ConnectionBudget` until then. Refusals are logged through the server's throttled log.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Protocol

from trixy_protocol import (
    AudioFormat,
    AudioStream,
    Frame,
    FrameDecoder,
    ProtocolError,
    StreamAccepted,
    StreamDenied,
    StreamHello,
    encode_frame,
)
from trixy_server.config import NetworkConfig
from trixy_server.logthrottle import ThrottledLog

logger = logging.getLogger(__name__)

STREAM_FORMATS = {
    AudioStream.INPUT: AudioFormat(16000, 1, 2),
    AudioStream.OUTPUT: AudioFormat(16000, 1, 2),
    AudioStream.MUSIC: AudioFormat(48000, 2, 2),
}
STATS_NAMES = {AudioStream.INPUT: "audio_in", AudioStream.OUTPUT: "tts_out", AudioStream.MUSIC: "music_out"}
MAX_HANDSHAKE_BYTES = 4096
MAX_UNEXPECTED_BYTES = 64 * 1024


RECEIVE_BUFFER_BYTES = 64 * 1024


class StreamOwner(Protocol):
    """The command session an audio socket belongs to once its token is redeemed."""

    def stream_opened(self, proto: AudioStreamProtocol) -> None: ...
    def stream_closed(self, proto: AudioStreamProtocol, reason: str) -> None: ...
    def on_audio(self, data: bytes) -> None: ...
    def count_sent(self, proto: AudioStreamProtocol, count: int) -> None: ...


class StreamHost(Protocol):
    """What an audio socket needs from the server (a Protocol: this module does not import the server)."""

    config: NetworkConfig
    refusal_log: ThrottledLog

    def admit_pending(self, address: str) -> bool: ...
    def release_pending(self, address: str) -> None: ...
    def redeem_stream(self, satellite_id: str, kind: AudioStream, token: bytes) -> StreamOwner | None: ...


class AudioStreamProtocol(asyncio.BufferedProtocol):
    """One audio socket: handshake, then input (bytes to the satellite's session) or output (paced writes).

    A buffered protocol: the kernel writes into one preallocated buffer per socket (`recv_into`), instead of asyncio
    allocating a 256 KiB bytes object for every 20 ms chunk; that halves the server's CPU for audio fan-in.
    """

    def __init__(self, server: StreamHost, kind: AudioStream) -> None:
        self.server = server
        self.kind = kind
        self.format = STREAM_FORMATS[kind]
        self.transport: asyncio.Transport | None = None
        self.session: StreamOwner | None = None
        self.peer: tuple[str, int] | None = None
        self._decoder: FrameDecoder | None = FrameDecoder(max_frame_size=MAX_HANDSHAKE_BYTES)
        self._decoder.allow_multipart = False
        self._handshake_bytes = 0
        self._pending_slot = False
        self._timer: asyncio.TimerHandle | None = None
        self._unexpected = 0
        self._closed = False
        # output side
        self._pending: collections.deque[tuple[memoryview, asyncio.Future]] = collections.deque()
        self._writable = asyncio.Event()
        self._writable.set()
        self._wakeup = asyncio.Event()
        self._writer_task: asyncio.Task | None = None
        self.bytes_sent = 0
        self._receive_buffer = bytearray(RECEIVE_BUFFER_BYTES)
        self._receive_view = memoryview(self._receive_buffer)

    # -- asyncio.Protocol -----------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if peer else None
        if not self.server.admit_pending(self._address):
            transport.abort()
            return
        self._pending_slot = True
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.server.config.handshake_timeout_s, self._handshake_timeout)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._receive_view

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self._receive_view[:nbytes]))

    def data_received(self, data: bytes) -> None:
        session = self.session
        if session is not None and self._decoder is None:
            if self.kind is AudioStream.INPUT:
                session.on_audio(data)
            else:
                self._unexpected += len(data)
                if self._unexpected > MAX_UNEXPECTED_BYTES:
                    self._deny(f"{self.kind.value} stream is server-to-satellite only; the satellite sent data")
            return
        self._handshake_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        if self._writer_task is not None:
            self._writer_task.cancel()
        for _, future in self._pending:
            if not future.done():
                future.set_result(False)
        self._pending.clear()
        self._release_slot()
        self._decoder = None
        if self.session is not None:
            self.session.stream_closed(self, "connection lost" if exc else "closed")

    @property
    def _address(self) -> str:
        return self.peer[0] if self.peer else "?"

    def _release_slot(self) -> None:
        if self._pending_slot:
            self._pending_slot = False
            self.server.release_pending(self._address)

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    # -- handshake ----------------------------------------------------------------------------------------------
    def _handshake_data(self, data: bytes) -> None:
        if self._decoder is None:
            return  # closing
        self._handshake_bytes += len(data)
        try:
            events = self._decoder.feed(data)
        except ProtocolError as exc:
            self._deny(f"bad handshake: {exc}")
            return
        if not events:
            if self._handshake_bytes > MAX_HANDSHAKE_BYTES:
                self._deny(f"{self._handshake_bytes} bytes without a complete StreamHello (limit "
                           f"{MAX_HANDSHAKE_BYTES})")
            return
        first = events[0]
        if not isinstance(first, Frame) or not isinstance(first.message, StreamHello):
            self._deny("the first frame on an audio socket must be StreamHello")
            return
        hello: StreamHello = first.message
        if hello.stream != self.kind:
            self._deny(f"this port carries the {self.kind.value} stream, not {hello.stream.value}")
            return
        session = self.server.redeem_stream(hello.satellite_id, self.kind, hello.token)
        if session is None:
            self._deny("invalid stream token (wrong satellite, stream, expired or already used)",
                       f"bad or used token for {hello.satellite_id!r}")
            return
        rest = self._decoder.take_unparsed()
        self._decoder = None
        self._release_slot()
        if self._timer is not None:
            self._timer.cancel()
        assert self.transport is not None
        self.transport.write(encode_frame(StreamAccepted(stream=self.kind, format=self.format)))
        self.session = session
        session.stream_opened(self)
        if self.kind is not AudioStream.INPUT:
            self._writer_task = asyncio.get_running_loop().create_task(self._write_loop())
        if rest:
            self.data_received(rest)

    def _deny(self, reason: str, detail: str | None = None) -> None:
        """Refuse the socket: tell the peer why, log it (throttled: a flood must not fill the disk), close."""
        if self.transport is None or self._closed:
            return
        self.server.refusal_log.warning("audio %s socket from %s refused: %s", self.kind.value, self.peer,
                                        detail or reason)
        try:
            self.transport.write(encode_frame(StreamDenied(stream=self.kind, reason=reason)))
        except Exception:
            logger.debug("cannot send StreamDenied", exc_info=True)
        self.transport.close()
        self._closed = True

    def _handshake_timeout(self) -> None:
        if self.session is None and self.transport is not None:
            self._deny("handshake timeout", "no handshake in time")
            self.transport.abort()

    # -- output side ----------------------------------------------------------------------------------------------
    def play(self, pcm: bytes) -> asyncio.Future:
        """Queue `pcm` for sending (paced to real time plus the configured lead); the future says when it is out."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_result(False)
            return future
        self._pending.append((memoryview(pcm), future))
        self._wakeup.set()
        return future

    def stop(self) -> None:
        """Drop everything not yet sent."""
        for _, future in self._pending:
            if not future.done():
                future.set_result(False)
        self._pending.clear()

    async def _write_loop(self) -> None:
        lead = self.server.config.audio_lead_s
        timeout = self.server.config.write_timeout_s
        bps = self.format.sample_rate * self.format.channels * self.format.sample_width
        chunk = bps // 50  # 20 ms
        assert self.transport is not None
        try:
            while not self._closed:
                if not self._pending:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                start = time.monotonic()
                sent = 0
                while self._pending and not self._closed:
                    view, future = self._pending[0]
                    piece = view[:chunk]
                    ahead = sent / bps - (time.monotonic() - start)
                    if ahead > lead:
                        await asyncio.sleep(ahead - lead)
                        continue
                    if not self._writable.is_set():
                        try:
                            await asyncio.wait_for(self._writable.wait(), timeout)
                        except TimeoutError:
                            logger.warning("audio %s stream of %s: write timeout, dropping it", self.kind.value,
                                           self.peer)
                            self.transport.abort()
                            return
                    if not self._pending or self._pending[0][1] is not future:
                        continue  # stopped meanwhile
                    self.transport.write(piece)
                    sent += len(piece)
                    self.bytes_sent += len(piece)
                    if self.session is not None:
                        self.session.count_sent(self, len(piece))
                    rest = view[len(piece):]
                    if len(rest):
                        self._pending[0] = (rest, future)
                    else:
                        self._pending.popleft()
                        if not future.done():
                            future.set_result(True)
        except asyncio.CancelledError:
            pass

    def close(self) -> None:
        """Close this audio socket."""
        if self.transport is not None and not self._closed:
            self.transport.close()
