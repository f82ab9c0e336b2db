"""What a hostile LAN peer can do before it logs in, and how errors after the accept are drained (issue 15, 1-4;
issue 16, 4), driven over real sockets by hand-written peers."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from trixy_protocol import (
    Accepted,
    AudioStream,
    Challenge,
    ChallengeResponse,
    Denied,
    ErrorCommand,
    Flags,
    FrameDecoder,
    Hello,
    Received,
    SatelliteStatus,
    ShortCommand,
    ShortKind,
    StreamDenied,
    StreamHello,
    encode_frame,
    encode_message,
    encode_short,
)
from trixy_protocol.auth import challenge_digest, session_key
from trixy_protocol.session import MAX_RECOVERABLE_ERRORS
from trixy_server.command_session import CommandSession
from trixy_server.config import NetworkConfig
from trixy_server.network import NetworkServer


class RawPeer:
    """A hand-written TRXI peer on a real socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.decoder = FrameDecoder()
        self.events: list = []
        self.key: bytes | None = None

    @classmethod
    async def connect(cls, port: int, source: str = "127.0.0.1") -> RawPeer:
        return cls(*await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)))

    def send(self, message, flags: int = 0) -> None:
        key = self.key if flags & Flags.ENCRYPTED else None
        self.writer.write(encode_frame(message, flags=flags, key=key))

    async def next(self, wait_s: float = 3.0):
        async with asyncio.timeout(wait_s):
            while not self.events:
                try:
                    data = await self.reader.read(65536)
                except ConnectionError:
                    return None
                if not data:
                    return None
                self.events.extend(self.decoder.feed(data))
        return self.events.pop(0)

    async def closed(self, wait_s: float = 3.0) -> bool:
        """True when the server closes the socket within `wait_s` (whatever it sends first)."""
        try:
            async with asyncio.timeout(wait_s):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            return False
        except ConnectionError:
            pass
        return True

    async def next_frame(self):
        while True:
            event = await self.next()
            if event is None or not isinstance(event, ShortCommand):
                return event


@pytest.fixture
async def server(manager):
    srv = NetworkServer(manager, NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                               audio_output_port=0, music_port=0, ping_interval_s=30,
                                               handshake_timeout_s=5, max_pending_per_address=8))
    await srv.start()
    yield srv
    await srv.stop()


async def wait_until(condition, wait_s: float = 3.0) -> None:
    async with asyncio.timeout(wait_s):
        while not condition():  # noqa: ASYNC110 - polling server state from outside
            await asyncio.sleep(0.01)


async def accepted_peer(server, manager, mac: str = "aa:bb:cc:00:15:01", source: str = "127.0.0.1"):
    sat = manager.register(mac, "Lab", "Probe")
    peer = await RawPeer.connect(server.ports["command"], source)
    peer.send(Hello(mac=sat.mac, satellite_id=sat.id))
    challenge = (await peer.next_frame()).message
    assert isinstance(challenge, Challenge)
    secret = sat.record.secret_bytes
    peer.send(ChallengeResponse(satellite_id=sat.id, digest=challenge_digest(secret, challenge.nonce, sat.id)))
    peer.key = peer.decoder.key = session_key(secret, challenge.nonce)
    frame = await peer.next_frame()
    assert isinstance(frame.message, Accepted)
    return sat, peer, frame.message


# -- point 1: memory before login ----------------------------------------------------------------------------------
async def test_multipart_frames_before_the_accept_close_the_command_socket_and_free_its_slot(server):
    peer = await RawPeer.connect(server.ports["command"])
    parts = encode_message(Hello(mac="aa:bb:cc:00:15:02", room="x" * 60000), part_size=16 * 1024)
    assert len(parts) > 2
    peer.writer.write(b"".join(parts[:-1]))  # never completed: today this would be held until the timeout
    assert await peer.closed()
    await wait_until(lambda: server.budget.pending == 0)
    port = peer.writer.get_extra_info("sockname")[1]
    gc.collect()
    left = [o for o in gc.get_objects() if isinstance(o, CommandSession) and o.peer and o.peer[1] == port]
    assert not left, "the closed connection's session (and its buffers) is still referenced"


async def test_an_unauthenticated_peer_may_send_only_the_pre_login_byte_budget(server):
    peer = await RawPeer.connect(server.ports["command"])
    peer.writer.write(encode_short(ShortKind.NOOP) * (40 * 1024))  # 320 KiB of no-ops, no hello
    assert await peer.closed()
    await wait_until(lambda: server.budget.pending == 0)


async def test_multipart_on_an_audio_port_before_its_hello_is_denied(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.ports["input"])
    hello = StreamHello(satellite_id="sat-x" + "y" * 3000, stream=AudioStream.INPUT, token=b"t" * 16)
    writer.write(b"".join(encode_message(hello, part_size=2048)[:-1]))
    decoder = FrameDecoder()
    async with asyncio.timeout(3):
        data = await reader.read(65536)
    assert isinstance(decoder.feed(data)[0].message, StreamDenied)
    async with asyncio.timeout(3):
        assert await reader.read(65536) == b""
    await wait_until(lambda: server.budget.pending == 0)


# -- point 2: replies behind a recoverable error --------------------------------------------------------------------
async def test_a_ping_and_an_ack_request_behind_a_bad_frame_are_answered_without_more_bytes(server, manager):
    _, peer, _ = await accepted_peer(server, manager)
    bad = bytearray(encode_frame(SatelliteStatus(hostname="x"), flags=Flags.ENCRYPTED, key=peer.key))
    bad[-1] ^= 0xFF
    ack_me = encode_frame(SatelliteStatus(hostname="y"), flags=Flags.ENCRYPTED | Flags.ACK_REQUESTED, key=peer.key)
    peer.writer.write(bytes(bad) + encode_short(ShortKind.PING) + ack_me)  # one write, then silence
    seen = []
    async with asyncio.timeout(1.5):
        while not (ShortCommand(ShortKind.PONG) in seen and any(isinstance(m, Received) for m in seen)):
            event = await peer.next()
            assert event is not None
            seen.append(event if isinstance(event, ShortCommand) else event.message)
    assert any(isinstance(m, ErrorCommand) and m.code == "bad_checksum" for m in seen)


async def test_the_twenty_first_bad_frame_closes_the_connection(server, manager):
    sat, peer, _ = await accepted_peer(server, manager)
    bad = bytearray(encode_frame(SatelliteStatus(hostname="x"), flags=Flags.ENCRYPTED, key=peer.key))
    bad[-1] ^= 0xFF
    peer.writer.write(bytes(bad) * MAX_RECOVERABLE_ERRORS)
    errors = 0
    while errors < MAX_RECOVERABLE_ERRORS:
        event = await peer.next()
        if not isinstance(event, ShortCommand) and isinstance(event.message, ErrorCommand):
            errors += 1
    assert sat.connected
    peer.writer.write(bytes(bad) * 5)
    assert await peer.closed()
    await wait_until(lambda: not sat.connected)


# -- point 3: connection budgets ------------------------------------------------------------------------------------
async def test_idle_sockets_from_one_address_cannot_lock_out_satellites_from_others(server, manager):
    idle = [await asyncio.open_connection("127.0.0.1", server.ports["command"], local_addr=("127.0.0.66", 0))
            for _ in range(20)]
    await wait_until(lambda: server.budget.pending_from("127.0.0.66") == 8)
    refused = 0
    for reader, _ in idle:
        try:
            async with asyncio.timeout(0.5):
                refused += await reader.read(1) == b""
        except TimeoutError:
            pass
        except ConnectionError:
            refused += 1
    assert refused == 12  # the 9th to 20th were closed at once; the first 8 wait for their handshake timeout
    sat, peer, accepted = await accepted_peer(server, manager, source="127.0.0.2")
    assert sat.connected and server.budget.satellites == 1
    assert server.budget.pending_from("127.0.0.2") == 0  # an accepted satellite no longer holds a pending slot
    for kind in (AudioStream.INPUT, AudioStream.OUTPUT, AudioStream.MUSIC):
        reader, writer = await asyncio.open_connection("127.0.0.1", accepted.audio_ports[kind.value],
                                                       local_addr=("127.0.0.2", 0))
        writer.write(encode_frame(StreamHello(satellite_id=sat.id, stream=kind,
                                              token=bytes(accepted.stream_tokens[kind.value]))))
        async with asyncio.timeout(3):
            assert FrameDecoder().feed(await reader.read(4096))[0].message.stream == kind
    await wait_until(lambda: server.budget.pending_from("127.0.0.2") == 0)
    for _, writer in idle:
        writer.close()
    await wait_until(lambda: server.budget.pending == 0)


async def test_the_satellite_limit_denies_as_busy(manager):
    srv = NetworkServer(manager, NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                               audio_output_port=0, music_port=0, max_satellites=1))
    await srv.start()
    try:
        first = await accepted_peer(srv, manager, "aa:bb:cc:00:15:10")  # keep its socket open
        sat = manager.register("aa:bb:cc:00:15:11", "Lab", "Second")
        peer = await RawPeer.connect(srv.ports["command"])
        peer.send(Hello(mac=sat.mac, satellite_id=sat.id))
        challenge = (await peer.next_frame()).message
        peer.send(ChallengeResponse(satellite_id=sat.id,
                                    digest=challenge_digest(sat.record.secret_bytes, challenge.nonce, sat.id)))
        denied = (await peer.next_frame()).message
        assert isinstance(denied, Denied) and denied.reason.value == "server_busy"
        assert "max_satellites" in denied.message and srv.budget.satellites == 1 and first[0].connected
    finally:
        await srv.stop()


# -- point 4: malformed audio handshakes are logged, throttled ------------------------------------------------------
async def test_malformed_audio_handshakes_are_logged_but_a_flood_is_throttled(server, caplog):
    caplog.set_level(logging.WARNING, logger="trixy_server")
    for _ in range(25):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.ports["output"])
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        async with asyncio.timeout(3):
            while await reader.read(4096):
                pass
        writer.close()
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert lines and "bad handshake" in lines[0] and "audio output socket" in lines[0]
    assert len(lines) == server.refusal_log.limit and server.refusal_log.suppressed == 25 - len(lines)


# -- issue 16, point 4: protocol major version -----------------------------------------------------------------------
@pytest.mark.parametrize(("major", "upgrade"), [(2, "upgrade the server"), (0, "upgrade the satellite")])
async def test_a_satellite_with_another_protocol_major_is_denied_with_what_to_upgrade(server, major, upgrade):
    frame = bytearray(encode_frame(Hello(mac="aa:bb:cc:00:15:20")))
    frame[4:8] = major.to_bytes(4, "big")  # the header MD5 covers the payload only
    peer = await RawPeer.connect(server.ports["command"])
    peer.writer.write(bytes(frame))
    denied = (await peer.next_frame()).message
    assert isinstance(denied, Denied) and denied.reason.value == "version_mismatch"
    assert upgrade in denied.message and f"protocol {major}.x" in denied.message
    assert await peer.closed()
