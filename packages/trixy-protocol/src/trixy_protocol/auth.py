"""Small crypto helpers shared by server and satellite: challenge digests and the frame key.

The per-satellite secret (32 random bytes, sent once in ``Registered``) is never used directly
as the AES key: :func:`frame_key` derives it with HKDF-SHA256, so the HMAC key and the AEAD key
are independent.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_SIZE = 32
NONCE_SIZE = 32


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


def frame_key(secret: bytes) -> bytes:
    """The 32-byte AES-256-GCM key for a satellite's frames, derived from its secret (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trixy frame key v1").derive(secret)
