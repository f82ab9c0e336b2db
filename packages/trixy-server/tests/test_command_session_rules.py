"""The command socket's rules, driven byte by byte by a hand-written peer (no SatelliteClient involved)."""

import asyncio

import pytest

from trixy_protocol import (
    Accepted,
    Challenge,
    ChallengeResponse,
    Denied,
    ErrorCommand,
    Flags,
    FrameDecoder,
    Hello,
    RegistrationQuestion,
    SatelliteStatus,
    ShortCommand,
    ShortKind,
    StatusRequest,
    encode_frame,
    encode_short,
)
from trixy_protocol.auth import RegistrationKeyExchange, challenge_digest, session_key
from trixy_server.config import NetworkConfig
from trixy_server.network import NetworkServer


class RawPeer:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.decoder = FrameDecoder()
        self.events = []
        self.key = None

    @classmethod
    async def connect(cls, port):
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    def send(self, message, flags=0):
        key = self.key if flags & Flags.ENCRYPTED else None
        self.writer.write(encode_frame(message, flags=flags, key=key))

    async def next(self, wait_s=3.0):
        async with asyncio.timeout(wait_s):
            while not self.events:
                data = await self.reader.read(65536)
                if not data:
                    return None
                self.events.extend(self.decoder.feed(data))
        return self.events.pop(0)

    async def next_frame(self):
        while True:
            event = await self.next()
            if not isinstance(event, ShortCommand) and not isinstance(getattr(event, "message", None), StatusRequest):
                return event


@pytest.fixture
async def server(manager):
    srv = NetworkServer(manager, NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                               audio_output_port=0, music_port=0, ping_interval_s=5,
                                               handshake_timeout_s=3, registration_answer_timeout_s=0.3))
    await srv.start()
    yield srv
    await srv.stop()


async def authenticated(server, manager):
    sat = manager.register("aa:bb:cc:00:05:01", "Lab", "Probe")
    peer = await RawPeer.connect(server.ports["command"])
    peer.send(Hello(mac=sat.mac, satellite_id=sat.id))
    challenge = (await peer.next_frame()).message
    assert isinstance(challenge, Challenge)
    secret = sat.record.secret_bytes
    peer.send(ChallengeResponse(satellite_id=sat.id, digest=challenge_digest(secret, challenge.nonce, sat.id)))
    peer.key = peer.decoder.key = session_key(secret, challenge.nonce)
    accepted = await peer.next_frame()
    assert isinstance(accepted.message, Accepted) and accepted.flags & Flags.ENCRYPTED
    assert set(accepted.message.stream_tokens) == {"input", "output", "music"}
    return sat, peer


async def test_after_accept_plain_and_corrupt_frames_get_errors_and_the_connection_survives(server, manager):
    sat, peer = await authenticated(server, manager)
    assert sat.connected
    peer.send(SatelliteStatus(hostname="plain"))
    reply = await peer.next_frame()
    assert isinstance(reply.message, ErrorCommand) and "encrypted" in reply.message.message
    frame = bytearray(encode_frame(SatelliteStatus(hostname="x"), flags=Flags.ENCRYPTED, key=peer.key))
    frame[-1] ^= 0xFF
    peer.writer.write(bytes(frame))
    reply = await peer.next_frame()
    assert reply.message.code == "bad_checksum" and reply.flags & Flags.ENCRYPTED
    peer.send(SatelliteStatus(hostname="probe-host", platform="TestOS"), flags=Flags.ENCRYPTED)
    peer.writer.write(encode_short(ShortKind.PING))
    while (event := await peer.next()) != ShortCommand(ShortKind.PONG):
        assert event is not None
    assert sat.connected and sat.hostname == "probe-host" and sat.os == "TestOS"


async def test_wrong_digest_and_bad_mac_are_denied_with_reasons(server, manager):
    sat = manager.register("aa:bb:cc:00:05:02", "Lab", "Probe")
    peer = await RawPeer.connect(server.ports["command"])
    peer.send(Hello(mac=sat.mac, satellite_id=sat.id))
    challenge = (await peer.next_frame()).message
    peer.send(ChallengeResponse(satellite_id=sat.id, digest=challenge_digest(b"w" * 32, challenge.nonce, sat.id)))
    denied = (await peer.next_frame()).message
    assert isinstance(denied, Denied) and denied.reason.value == "bad_credentials"
    assert await peer.next() is None  # closed
    peer = await RawPeer.connect(server.ports["command"])
    peer.send(Hello(mac="not-a-mac"))
    denied = (await peer.next_frame()).message
    assert denied.reason.value == "invalid_mac" and "aa:bb:cc:dd:ee:ff" in denied.message


async def test_registration_that_is_not_answered_in_time_fails_and_frees_the_window(server, manager):
    manager.enter_registration_mode()
    peer = await RawPeer.connect(server.ports["command"])
    peer.send(Hello(mac="aa:bb:cc:00:05:03"))
    question = (await peer.next_frame()).message
    assert isinstance(question, RegistrationQuestion) and question.field.value == "room"
    denied = (await peer.next_frame()).message
    assert denied.reason.value == "registration_failed" and "in time" in denied.message
    assert len(manager) == 0
    await asyncio.sleep(0.05)
    assert manager.registration_mode and manager.registration.claimed_by is None


async def test_a_second_connection_of_the_same_satellite_replaces_the_first(server, manager):
    sat, first = await authenticated(server, manager)
    peer = await RawPeer.connect(server.ports["command"])
    peer.send(Hello(mac=sat.mac, satellite_id=sat.id))
    challenge = (await peer.next_frame()).message
    peer.send(ChallengeResponse(satellite_id=sat.id,
                                digest=challenge_digest(sat.record.secret_bytes, challenge.nonce, sat.id)))
    peer.decoder.key = session_key(sat.record.secret_bytes, challenge.nonce)
    assert isinstance((await peer.next_frame()).message, Accepted)
    while await first.next() is not None:
        pass  # the old connection is closed
    await asyncio.sleep(0.05)
    assert sat.connected and len(server.sessions) == 1


async def test_registration_sends_the_secret_only_encrypted_with_an_x25519_key(server, manager):
    from trixy_protocol import Registered, RegistrationAnswer, RegistrationKeyOffer

    manager.enter_registration_mode()
    exchange = RegistrationKeyExchange()
    peer = await RawPeer.connect(server.ports["command"])
    wire = bytearray()
    original_read = peer.reader.read

    async def recording_read(n):
        data = await original_read(n)
        wire.extend(data)
        return data

    peer.reader.read = recording_read
    peer.send(Hello(mac="aa:bb:cc:00:05:09", room="Attic", alias="Owl", x25519_public_key=exchange.public_key))
    offer = await peer.next_frame()
    assert isinstance(offer.message, RegistrationKeyOffer) and len(offer.message.public_key) == 32
    peer.decoder.key = exchange.key_for(offer.message.public_key)
    for _ in range(3):
        question = (await peer.next_frame()).message
        peer.send(RegistrationAnswer(field=question.field, value=question.default))
    registered = await peer.next_frame()
    assert isinstance(registered.message, Registered) and registered.flags & Flags.ENCRYPTED
    record = manager.registry.get("aa:bb:cc:00:05:09")
    assert registered.message.secret == record.secret_bytes and (record.room, record.alias) == ("Attic", "Owl")
    assert record.secret_bytes not in bytes(wire)
