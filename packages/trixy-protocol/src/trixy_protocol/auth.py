"""Crypto helpers shared by server and satellite: challenge digests, frame keys and the registration key exchange.

The per-satellite secret (32 random bytes, sent once in ``Registered``) is never used directly as an AES key:

* :func:`session_key` derives the AES-256-GCM key of ONE command connection from the secret and that connection's
  ``Challenge`` nonce (HKDF-SHA256, salt = nonce), so frames recorded in one session cannot be replayed into another.
  This is the key the server and the satellite use after ``ChallengeResponse`` (docs/protocol.md §4.3, §8).
* :func:`frame_key` is a static per-satellite key (no nonce), for peers that do not run the challenge.
* :class:`RegistrationKeyExchange` / :func:`registration_key` are the ephemeral X25519 exchange that keeps the secret
  in ``Registered`` off the wire in clear text (protects against eavesdroppers, not against an active MITM).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_SIZE = 32
NONCE_SIZE = 32
KEY_SIZE = 32
SESSION_KEY_INFO = b"trixy session key v1"
"""HKDF ``info`` of :func:`session_key`."""
REGISTRATION_KEY_INFO = b"trixy registration key v1"
"""HKDF ``info`` of the key derived from the X25519 shared secret."""
FRAME_KEY_INFO = b"trixy frame key v1"
"""HKDF ``info`` of :func:`frame_key`."""
X25519_KEY_SIZE = 32
"""Raw X25519 public keys travel as 32 bytes (``Hello.x25519_public_key``, ``RegistrationKeyOffer.public_key``)."""


def new_secret() -> bytes:
    """32 random bytes for a newly registered satellite."""
    return os.urandom(SECRET_SIZE)


def new_nonce() -> bytes:
    """Random challenge nonce."""
    return os.urandom(NONCE_SIZE)


def challenge_digest(secret: bytes, nonce: bytes, satellite_id: str) -> bytes:
    """HMAC-SHA256(secret, b"trixy-challenge\\0" + satellite_id + b"\\0" + nonce)."""
    msg = b"trixy-challenge\0" + satellite_id.encode("utf-8") + b"\0" + nonce
    return hmac.new(secret, msg, hashlib.sha256).digest()


def verify_challenge(secret: bytes, nonce: bytes, satellite_id: str, digest: bytes) -> bool:
    """Constant-time check of a ChallengeResponse digest."""
    return hmac.compare_digest(challenge_digest(secret, nonce, satellite_id), digest)


def _hkdf(material: bytes, *, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=info).derive(material)


def frame_key(secret: bytes) -> bytes:
    """A static 32-byte AES-256-GCM key derived from the secret alone (HKDF-SHA256, no salt)."""
    return _hkdf(secret, salt=None, info=FRAME_KEY_INFO)


def session_key(secret: bytes, nonce: bytes) -> bytes:
    """The 32-byte AES-256-GCM key of one command connection: HKDF-SHA256(ikm=secret, salt=challenge nonce,
    info=b"trixy session key v1"). Both sides switch to it right after the challenge."""
    return _hkdf(secret, salt=nonce, info=SESSION_KEY_INFO)


class RegistrationKeyExchange:
    """One side's ephemeral X25519 key pair for one registration: ``public_key`` (32 bytes) goes to the peer,
    ``key_for(peer)`` gives the 32-byte key that encrypts ``Registered`` (HKDF-SHA256 of the shared secret)."""

    def __init__(self) -> None:
        self._private = X25519PrivateKey.generate()
        self.public_key: bytes = self._private.public_key().public_bytes_raw()

    def key_for(self, peer_public_key: bytes) -> bytes:
        """The key shared with the peer whose raw public key is ``peer_public_key``; ValueError when it is not a
        usable X25519 public key (not 32 bytes, or a low-order point)."""
        peer = X25519PublicKey.from_public_bytes(bytes(peer_public_key))
        return _hkdf(self._private.exchange(peer), salt=None, info=REGISTRATION_KEY_INFO)


def registration_key(peer_public_key: bytes) -> tuple[bytes, bytes]:
    """The server's half in one call: (32-byte key for ``Registered``, our fresh raw public key); ValueError on an
    unusable peer key."""
    exchange = RegistrationKeyExchange()
    return exchange.key_for(peer_public_key), exchange.public_key
