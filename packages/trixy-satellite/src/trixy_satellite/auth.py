"""The satellite's half of authentication: the challenge digest and the per-connection frame key.

Must match trixy_server.auth (a test in tests/network checks both sides agree).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trixy_protocol.auth import challenge_digest

__all__ = ["RegistrationKeyExchange", "challenge_digest", "session_key"]

SESSION_KEY_INFO = b"trixy session key v1"
REGISTRATION_KEY_INFO = b"trixy registration key v1"
X25519_HELLO_KEY = "x25519"


class RegistrationKeyExchange:
    """The satellite's ephemeral X25519 key for one hello: the server encrypts `Registered` (the secret) with it."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        self._private = X25519PrivateKey.generate()
        self.public_hex = self._private.public_key().public_bytes_raw().hex()

    def key_for(self, server_public_hex: str) -> bytes:
        """The 32-byte frame key shared with the server whose public key is `server_public_hex`."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

        shared = self._private.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(server_public_hex)))
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=REGISTRATION_KEY_INFO).derive(shared)


def session_key(secret: bytes, nonce: bytes) -> bytes:
    """The 32-byte frame key of one connection: HKDF-SHA256(secret, salt=challenge nonce)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=nonce, info=SESSION_KEY_INFO).derive(secret)
