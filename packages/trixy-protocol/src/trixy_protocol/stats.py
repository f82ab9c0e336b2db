"""Per-connection traffic counters (total and today) for the server TUI and logs."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class TrafficCounter:
    """Counts bytes in one direction: total since creation and since local midnight."""

    __slots__ = ("_today", "_day", "_today_fn", "total")

    def __init__(self, today: Callable[[], datetime.date] = datetime.date.today) -> None:
        self._today_fn = today
        self._day = today()
        self._today = 0
        self.total = 0

    def add(self, n: int) -> None:
        """Count ``n`` more bytes."""
        self.total += n
        day = self._today_fn()
        if day != self._day:
            self._day = day
            self._today = 0
        self._today += n

    def __repr__(self) -> str:
        return f"TrafficCounter(total={self.total}, today={self.today})"

    @property
    def today(self) -> int:
        """Bytes counted since local midnight."""
        if self._today_fn() != self._day:
            return 0
        return self._today


@dataclass(slots=True)
class ConnectionStats:
    """What a connection has done so far; read it, never write it from outside."""

    sent: TrafficCounter = field(default_factory=TrafficCounter)
    """bytes written to the socket"""
    received: TrafficCounter = field(default_factory=TrafficCounter)
    """bytes read from the socket"""
    frames_sent: int = 0
    """messages sent (a multipart message counts once)"""
    frames_received: int = 0
    """messages received (after reassembly)"""
    short_sent: int = 0
    """short commands sent"""
    short_received: int = 0
    """short commands received"""
    errors: int = 0
    """recoverable protocol errors seen on input"""
    connected_since: float = field(default_factory=time.time)
    """wall-clock time the connection object was created (seconds since epoch)"""
    last_received_monotonic: float = field(default_factory=time.monotonic)
    """monotonic time of the last byte received (for dead-peer detection)"""
    rtt_s: float | None = None
    """last measured PING/PONG round-trip time in seconds"""

    @property
    def bytes_sent(self) -> int:
        """Total bytes sent."""
        return self.sent.total

    @property
    def bytes_received(self) -> int:
        """Total bytes received."""
        return self.received.total
