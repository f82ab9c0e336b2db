"""`FramedConnection`: the server's side of one satellite's TRXI connection (bounded send queue, write timeout).

The mechanics live in `trixy_protocol.queued.QueuedConnection` (shared with the satellite). This subclass counts
bytes into the stream's `StreamStats` (swapped for the satellite's own after the accept) and raises
`ConnectionLost`. A satellite that stops reading fills its own queue and is dropped; it never blocks the event loop
or other satellites.
"""

from __future__ import annotations

import asyncio

from trixy_protocol.queued import LinkLostError, QueuedConnection
from trixy_protocol.session import PreLoginLimits, Side
from trixy_server.stats import StreamStats


class ConnectionLost(LinkLostError):
    """The satellite closed, timed out or was dropped; `reason` says which."""


class FramedConnection(QueuedConnection):
    """A satellite's command connection; bytes in and out are counted into `stats.traffic`."""

    lost_error = ConnectionLost
    side = Side.SERVER

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stats: StreamStats, *,
                 max_queue: int = 256, write_timeout: float = 5.0, max_frame_size: int = 64 * 1024,
                 prelogin: PreLoginLimits | None = None) -> None:
        self.stats = stats
        super().__init__(reader, writer, max_queue=max_queue, write_timeout=write_timeout,
                         max_frame_size=max_frame_size, prelogin=prelogin)

    def count_sent(self, count: int) -> None:
        """Count written bytes into the current stream statistics."""
        self.stats.traffic.add_sent(count)

    def count_received(self, count: int) -> None:
        """Count read bytes into the current stream statistics."""
        self.stats.traffic.add_received(count)
