"""One-time stream tokens: what ties an audio socket to the satellite whose command connection was accepted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from trixy_protocol import AudioStream
from trixy_server.auth import new_stream_token

STREAMS = (AudioStream.INPUT, AudioStream.OUTPUT, AudioStream.MUSIC)


@dataclass(slots=True, frozen=True)
class StreamGrant:
    """Who may open which stream until when."""

    mac: str
    satellite_id: str
    stream: AudioStream
    expires: float


class TokenBook:
    """Issues tokens with each accept and redeems each token once, for its own satellite id and stream only."""

    def __init__(self, ttl: float = 30.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._grants: dict[bytes, StreamGrant] = {}

    def issue(self, mac: str, satellite_id: str) -> dict[str, bytes]:
        """New tokens (one per stream) for an accepted satellite; its older unused tokens are revoked."""
        self.revoke(mac)
        expires = self._clock() + self.ttl
        tokens: dict[str, bytes] = {}
        for stream in STREAMS:
            token = new_stream_token()
            self._grants[token] = StreamGrant(mac, satellite_id, stream, expires)
            tokens[stream.value] = token
        return tokens

    def redeem(self, satellite_id: str, stream: AudioStream, token: bytes) -> StreamGrant | None:
        """The grant when `token` is valid for exactly this satellite id and stream (then it is used up)."""
        grant = self._grants.get(bytes(token))
        if grant is None:
            return None
        if grant.satellite_id != satellite_id or grant.stream != stream:
            return None  # a token shown for another satellite/stream stays unused but is not accepted
        del self._grants[bytes(token)]
        if self._clock() > grant.expires:
            return None
        return grant

    def revoke(self, mac: str) -> None:
        """Forget every token of `mac` (its connection closed or it was accepted again)."""
        for token in [t for t, g in self._grants.items() if g.mac == mac]:
            del self._grants[token]

    def __len__(self) -> int:
        return len(self._grants)
