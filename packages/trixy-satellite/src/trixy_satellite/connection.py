"""The satellite's TRXI connection to the server: `trixy_protocol.queued.QueuedConnection` (decoder, bounded send
queue, write timeout, byte counters in `bytes_sent`/`bytes_received`) raising `LinkLost`."""

from __future__ import annotations

import asyncio

from trixy_protocol.queued import LinkLostError, QueuedConnection
from trixy_protocol.session import Side


class LinkLost(LinkLostError):
    """The server connection ended; `reason` says why."""


class ClientConnection(QueuedConnection):
    """One TCP connection to the server carrying TRXI frames."""

    lost_error = LinkLost
    side = Side.SATELLITE

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, max_queue: int = 256,
                 write_timeout: float = 5.0, max_frame_size: int = 4 * 1024 * 1024) -> None:
        super().__init__(reader, writer, max_queue=max_queue, write_timeout=write_timeout,
                         max_frame_size=max_frame_size)

    def silence_reason(self, wait_s: float | None) -> str:
        """The satellite's wording for a silent server."""
        return f"the server was silent for {wait_s:g} s"
