"""Authentication helpers on top of `trixy_protocol.auth`: per-connection session keys and stream tokens.

The challenge digest is the protocol's `challenge_digest(secret, nonce, satellite_id)`. The AES-256-GCM key of a
connection is derived from the secret *and that connection's challenge nonce* (HKDF-SHA256), so frames recorded in
one session cannot be replayed into another. The server sends `Accepted` already encrypted with it: a satellite that
can decrypt it knows it talks to the server that holds its secret (mutual authentication, issue 9 relies on it).
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trixy_protocol.auth import challenge_digest, new_nonce, verify_challenge

__all__ = ["challenge_digest", "new_nonce", "new_stream_token", "registration_key", "session_key", "verify_challenge"]

SESSION_KEY_INFO = b"trixy session key v1"
REGISTRATION_KEY_INFO = b"trixy registration key v1"
X25519_HELLO_KEY = "x25519"
"""Key in `Hello.extra` (and in the server's dict frame) carrying an ephemeral X25519 public key as hex."""


def session_key(secret: bytes, nonce: bytes) -> bytes:
    """The 32-byte frame key of one connection: HKDF-SHA256(secret, salt=challenge nonce)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=nonce, info=SESSION_KEY_INFO).derive(secret)


def registration_key(peer_public_hex: str) -> tuple[bytes, str]:
    """Ephemeral X25519 against the satellite's public key: (32-byte key for the `Registered` frame, our public
    key as hex). Keeps the new secret off the wire in clear text (protects against eavesdroppers, not a MITM)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    peer = X25519PublicKey.from_public_bytes(bytes.fromhex(peer_public_hex))
    private = X25519PrivateKey.generate()
    shared = private.exchange(peer)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=REGISTRATION_KEY_INFO).derive(shared)
    return key, private.public_key().public_bytes_raw().hex()


def new_stream_token() -> bytes:
    """A one-time token that ties an audio socket to its satellite (sent inside the encrypted Accepted)."""
    return secrets.token_bytes(24)
