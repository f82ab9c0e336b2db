"""Challenge–response with HMAC-SHA256 and session-key derivation: the secret never travels after registration.

Both peers hold the satellite's secret. The server sends a random nonce, the satellite answers
HMAC(secret, "trixy-auth-satellite" | server_nonce | client_nonce | mac) and its own nonce; the server answers with
HMAC(secret, "trixy-auth-server" | ...) so the satellite knows it talks to *its* server (issue 9: only that server may
push updates). The AES-256-GCM key of the session is HMAC(secret, "trixy-session-key" | both nonces): a new key per
connection, never on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

NONCE_BYTES = 32


def new_nonce() -> bytes:
    """A fresh random challenge nonce."""
    return secrets.token_bytes(NONCE_BYTES)


def _mac(secret: bytes, label: bytes, *parts: bytes) -> bytes:
    msg = label + b"".join(len(p).to_bytes(2, "big") + p for p in parts)
    return hmac.new(secret, msg, hashlib.sha256).digest()


def satellite_proof(secret: bytes, server_nonce: bytes, client_nonce: bytes, mac: str) -> bytes:
    """What the satellite sends to prove it holds `secret`."""
    return _mac(secret, b"trixy-auth-satellite", server_nonce, client_nonce, mac.encode())


def server_proof(secret: bytes, server_nonce: bytes, client_nonce: bytes, mac: str) -> bytes:
    """What the server sends back to prove it holds `secret` too."""
    return _mac(secret, b"trixy-auth-server", server_nonce, client_nonce, mac.encode())


def session_key(secret: bytes, server_nonce: bytes, client_nonce: bytes) -> bytes:
    """The 32-byte AES-256-GCM key for this connection's frames."""
    return _mac(secret, b"trixy-session-key", server_nonce, client_nonce)


def verify(expected: bytes, given: bytes) -> bool:
    """Constant-time comparison of two proofs."""
    return hmac.compare_digest(expected, given)


def new_stream_token() -> str:
    """A one-time token that ties an audio socket to its satellite."""
    return secrets.token_urlsafe(24)
