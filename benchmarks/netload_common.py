"""Shared parts of the network load scripts: a raw TRXI satellite (real wire format, no SatelliteClient), the
server set-up, RSS and file-descriptor limits."""

from __future__ import annotations

import asyncio
import resource
from pathlib import Path

from trixy_protocol import (
    Accepted,
    AudioStream,
    Challenge,
    ChallengeResponse,
    FrameDecoder,
    Hello,
    ShortCommand,
    StreamHello,
    encode_frame,
)
from trixy_protocol.auth import challenge_digest, session_key


def raise_nofile(wanted: int) -> int:
    """Raise RLIMIT_NOFILE towards `wanted` (up to the hard limit); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB (from /proc)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


async def next_frame(reader: asyncio.StreamReader, decoder: FrameDecoder, pending: list) -> object:
    """The next frame's message (short commands skipped)."""
    while True:
        while not pending:
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed by the server")
            pending.extend(decoder.feed(data))
        event = pending.pop(0)
        if not isinstance(event, ShortCommand):
            return event.message


async def raw_satellite(host: str, port: int, source: str, mac: str, sid: str, secret: bytes,
                        ) -> tuple[asyncio.StreamWriter, list[asyncio.StreamWriter]]:
    """Log in like a satellite (hello, challenge, encrypted accept) and open the three audio sockets; returns the
    command writer and the audio writers (input first)."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    decoder, pending = FrameDecoder(), []
    writer.write(encode_frame(Hello(mac=mac, satellite_id=sid)))
    challenge = await next_frame(reader, decoder, pending)
    assert isinstance(challenge, Challenge), challenge
    writer.write(encode_frame(ChallengeResponse(satellite_id=sid, digest=challenge_digest(secret, challenge.nonce,
                                                                                          sid))))
    decoder.key = session_key(secret, challenge.nonce)
    accepted = await next_frame(reader, decoder, pending)
    if not isinstance(accepted, Accepted):
        raise ConnectionError(f"not accepted: {accepted}")
    audio = []
    for kind in (AudioStream.INPUT, AudioStream.OUTPUT, AudioStream.MUSIC):
        r, w = await asyncio.open_connection(host, accepted.audio_ports[kind.value], local_addr=(source, 0))
        w.write(encode_frame(StreamHello(satellite_id=sid, stream=kind, token=bytes(accepted.stream_tokens[kind.value]))))
        await r.read(4096)  # StreamAccepted
        audio.append(w)
    asyncio.get_running_loop().create_task(_drain(reader))
    return writer, audio


async def _drain(reader: asyncio.StreamReader) -> None:
    """Keep reading the command socket (PINGs, StatusRequest) so the server never sees a stuck satellite."""
    try:
        while await reader.read(65536):
            pass
    except (ConnectionError, asyncio.CancelledError):
        pass
