"""Stream tokens: one-time values that tie an audio socket to its satellite.

The key scheme (challenge digest, per-connection session key, X25519 registration key) lives in
`trixy_protocol.auth`, shared with the satellite.
"""

from __future__ import annotations

import secrets

__all__ = ["new_stream_token"]


def new_stream_token() -> bytes:
    """A one-time token that ties an audio socket to its satellite (sent inside the encrypted Accepted)."""
    return secrets.token_bytes(24)
