"""The satellite's three audio sockets: StreamHello handshake, then raw PCM (mic out, speech and music in)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from trixy_protocol import (
    AudioStream,
    Frame,
    FrameDecoder,
    StreamAccepted,
    StreamDenied,
    StreamHello,
    encode_frame,
)
from trixy_satellite.connection import LinkLost

logger = logging.getLogger(__name__)


async def open_audio_socket(host: str, port: int, satellite_id: str, stream: AudioStream, token: bytes, *,
                            wait_s: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """Connect and bind one audio socket; returns the streams and any PCM that came with the accept."""
    try:
        async with asyncio.timeout(wait_s):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(encode_frame(StreamHello(satellite_id=satellite_id, stream=stream, token=token)))
            decoder = FrameDecoder(max_frame_size=4096)
            while True:
                data = await reader.read(4096)
                if not data:
                    raise LinkLost(f"{stream.value} audio socket closed during its handshake")
                events = decoder.feed(data)
                if events:
                    break
    except TimeoutError:
        raise LinkLost(f"{stream.value} audio socket: no answer in {wait_s:g} s") from None
    except OSError as exc:
        raise LinkLost(f"cannot open the {stream.value} audio socket on port {port}: {exc}") from None
    first = events[0]
    if isinstance(first, Frame) and isinstance(first.message, StreamDenied):
        writer.close()
        raise LinkLost(f"{stream.value} audio socket refused: {first.message.reason}")
    if not (isinstance(first, Frame) and isinstance(first.message, StreamAccepted)):
        writer.close()
        raise LinkLost(f"{stream.value} audio socket: unexpected answer")
    return reader, writer, decoder.take_unparsed()


class MicUplink:
    """Writes microphone PCM to the input socket; never blocks: when the network lags, new audio is dropped."""

    def __init__(self, writer: asyncio.StreamWriter, max_buffer_bytes: int) -> None:
        self.writer = writer
        self.max_buffer_bytes = max_buffer_bytes
        self.bytes_sent = 0
        self.bytes_dropped = 0

    def send(self, pcm: bytes) -> bool:
        """Queue `pcm`; False when it was dropped (socket closed or too much unsent audio)."""
        transport = self.writer.transport
        if transport.is_closing():
            return False
        if transport.get_write_buffer_size() > self.max_buffer_bytes:
            self.bytes_dropped += len(pcm)
            return False
        self.writer.write(pcm)
        self.bytes_sent += len(pcm)
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


async def pump_downlink(reader: asyncio.StreamReader, first: bytes, sink: Callable[[bytes], None],
                        counter: list[int]) -> str:
    """Feed everything arriving on a speech/music socket into `sink`; returns why it ended."""
    if first:
        counter[0] += len(first)
        sink(first)
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                return "closed by the server"
            counter[0] += len(data)
            sink(data)
    except (ConnectionError, OSError) as exc:
        return f"read failed: {exc}"
