"""`Handshake`: hello, registration questions (unknown satellite in registration mode) and the challenge.

Runs before a command connection is accepted; every refusal sends `Denied` with a reason the satellite can act on
and raises `HandshakeFailed`. The accept itself (keys, tokens, attaching the `Satellite`) is the session's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from trixy_protocol import (
    PROTOCOL_VERSION,
    Challenge,
    ChallengeResponse,
    DenialReason,
    Denied,
    Hello,
    Registered,
    RegistrationAnswer,
    RegistrationField,
    RegistrationKeyOffer,
    RegistrationQuestion,
    UnsupportedVersionError,
)
from trixy_protocol.auth import new_nonce, registration_key, verify_challenge
from trixy_server.connection import ConnectionLost, FramedConnection
from trixy_server.errors import InvalidMacError, RegistryError
from trixy_server.mac import normalize_mac
from trixy_server.registry import SatelliteRecord
from trixy_server.session_host import SessionHost

logger = logging.getLogger(__name__)

Expect = Callable[..., Awaitable[Any]]
"""`expect(cls, wait_s=None)`: the next frame's message, which must be a `cls` (the session serves the rest)."""


class HandshakeFailed(Exception):
    """The satellite was denied (the reason was sent to it)."""


@dataclass(slots=True)
class HandshakeResult:
    """What the accept needs: the hello, the satellite's registration and the challenge nonce."""

    hello: Hello
    record: SatelliteRecord
    nonce: bytes


def version_denial(exc: UnsupportedVersionError) -> str:
    """What to tell a satellite whose frames carry another protocol major version: which side to upgrade."""
    ours = PROTOCOL_VERSION[0]
    theirs = exc.version[0] if exc.version else None
    if theirs is not None and theirs > ours:
        return (f"this satellite speaks TRXI protocol {theirs}.x but the server speaks {ours}.x: upgrade the "
                "server (pip install -U trixy-server trixy-protocol), or install a satellite release for protocol "
                f"{ours}.x")
    shown = f"{theirs}.x" if theirs is not None else "an unknown version"
    return (f"this satellite speaks TRXI protocol {shown} but the server speaks {ours}.x: upgrade the satellite "
            "(pip install -U trixy-satellite trixy-protocol)")


class Handshake:
    """One connection's way to an accept: hello -> (registration) -> challenge -> response."""

    def __init__(self, server: SessionHost, conn: FramedConnection, expect: Expect) -> None:
        self.server = server
        self.conn = conn
        self.peer = conn.peer
        self.expect = expect
        self.mac: str | None = None
        self.claimed = False
        """True while this connection holds the registration window's claim on its MAC."""

    def deny(self, reason: DenialReason, message: str, retry_after_s: float | None = None) -> None:
        """Send `Denied` and raise `HandshakeFailed`."""
        logger.info("satellite %s at %s denied: %s (%s)", self.mac or "?", self.peer, reason.value, message)
        try:
            self.conn.send(Denied(reason=reason, message=message, retry_after_s=retry_after_s))
        except ConnectionLost:
            pass
        raise HandshakeFailed(f"{reason.value}: {message}")

    def unexpected(self, class_name: str, wanted: type) -> None:
        """A frame of the wrong class arrived during the handshake."""
        self.deny(DenialReason.REGISTRATION_FAILED if self.claimed else DenialReason.BAD_CREDENTIALS,
                  f"expected {wanted.__name__}, got {class_name or 'a dict'}")

    async def run(self) -> HandshakeResult:
        """Authenticate (registering first when the server is in registration mode); raises HandshakeFailed."""
        manager = self.server.manager
        hello: Hello = await self.expect(Hello)
        try:
            mac = normalize_mac(hello.mac)
        except InvalidMacError as exc:
            self.deny(DenialReason.INVALID_MAC, str(exc))
        self.mac = mac
        if mac in manager.blacklist:
            self.deny(DenialReason.BLACKLISTED, "this satellite is blacklisted on the server")
        record = manager.registry.get(mac)
        if record is None:
            if not manager.registration.claim(mac):
                self.deny(DenialReason.UNKNOWN_SATELLITE,
                          "not registered: put the server into registration mode (TUI F3, or "
                          "satellite_manager.enter_registration_mode()) and let this satellite connect",
                          retry_after_s=self.server.retry_hint_s)
            self.claimed = True
            record = await self._register(mac, hello)
        nonce = new_nonce()
        self.conn.send(Challenge(nonce=nonce))
        response: ChallengeResponse = await self.expect(ChallengeResponse)
        if response.satellite_id != record.id or not verify_challenge(
            record.secret_bytes, nonce, record.id, bytes(response.digest)
        ):
            self.deny(DenialReason.BAD_CREDENTIALS,
                      "the challenge response does not match this satellite's secret; delete its registration on "
                      "the server and register it again")
        if mac in manager.blacklist:
            self.deny(DenialReason.BLACKLISTED, "this satellite is blacklisted on the server")
        return HandshakeResult(hello, record, nonce)

    def release(self) -> None:
        """Give up a registration claim still held (the connection ended mid-registration)."""
        if self.claimed and self.mac is not None:
            self.server.manager.registration.release(self.mac)
            self.claimed = False

    async def _register(self, mac: str, hello: Hello) -> SatelliteRecord:
        timeout = self.server.config.registration_answer_timeout_s
        answers: dict[RegistrationField, str] = {}
        questions = (
            (RegistrationField.ROOM, "Which room is this satellite in?", hello.room),
            (RegistrationField.ALIAS, "What should this satellite be called?", hello.alias),
            (RegistrationField.MAC, "What is this satellite's MAC address?", mac),
        )
        logger.info("registering unknown satellite %s from %s", mac, self.peer)
        # Our X25519 public key goes out before the questions: the answers are a round trip, so the satellite has
        # its key in place before the encrypted `Registered` arrives (a key change inside one read would be lost).
        key = None
        if hello.x25519_public_key:
            try:
                key, our_public = registration_key(hello.x25519_public_key)
            except ValueError as exc:
                logger.warning("satellite %s sent an unusable X25519 key (%s): secret goes out unprotected", mac, exc)
            else:
                self.conn.send(RegistrationKeyOffer(public_key=our_public))
        for field, prompt, default in questions:
            self.conn.send(RegistrationQuestion(field=field, prompt=prompt, default=default))
            try:
                answer: RegistrationAnswer = await self.expect(RegistrationAnswer, timeout)
            except ConnectionLost as exc:
                if exc.reason.startswith("no data"):
                    self.deny(DenialReason.REGISTRATION_FAILED, f"no answer to the {field.value} question in time")
                raise
            if answer.field != field:
                self.deny(DenialReason.REGISTRATION_FAILED, f"asked for {field.value}, got {answer.field.value}")
            answers[field] = answer.value.strip()
        try:
            if normalize_mac(answers[RegistrationField.MAC]) != mac:
                self.deny(DenialReason.REGISTRATION_FAILED, "the MAC answered differs from the MAC in the hello")
        except InvalidMacError as exc:
            self.deny(DenialReason.REGISTRATION_FAILED, str(exc))
        try:
            satellite = self.server.manager.register(mac, answers[RegistrationField.ROOM],
                                                     answers[RegistrationField.ALIAS])
        except RegistryError as exc:
            self.deny(DenialReason.REGISTRATION_FAILED, str(exc))
        record = satellite.record
        registered = Registered(satellite_id=record.id, secret=record.secret_bytes, room=record.room,
                                alias=record.alias)
        if key is None:
            logger.warning("satellite %s offered no key exchange: its secret travels in clear text once", mac)
        self.conn.send(registered, key=key)
        self.server.manager.registration.complete(mac)
        self.claimed = False
        return record
