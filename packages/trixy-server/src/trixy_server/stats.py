"""Per-connection and per-stream statistics for the TUI: remote address, since, status, bytes total and today."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


def _today() -> date:
    return date.today()


def _next_midnight() -> float:
    """The Unix time at which the local day after today starts."""
    tomorrow = datetime.combine(date.today(), datetime.min.time()).timestamp() + 86400.0
    return tomorrow


@dataclass(slots=True)
class TrafficCounter:
    """Bytes sent and received, in total and for the current local day (reset when the day changes)."""

    sent_total: int = 0
    received_total: int = 0
    sent_today: int = 0
    received_today: int = 0
    day: date = field(default_factory=_today)
    today: Callable[[], date] = field(default=_today, repr=False, compare=False)
    _roll_at: float = field(default=0.0, repr=False, compare=False)

    def add_sent(self, count: int) -> None:
        """Count `count` bytes written to the peer."""
        self._roll()
        self.sent_total += count
        self.sent_today += count

    def add_received(self, count: int) -> None:
        """Count `count` bytes read from the peer."""
        self._roll()
        self.received_total += count
        self.received_today += count

    def snapshot(self) -> dict[str, int]:
        """Current figures (today's roll over at midnight even when no byte flowed)."""
        self._roll()
        return {
            "sent_total": self.sent_total,
            "received_total": self.received_total,
            "sent_today": self.sent_today,
            "received_today": self.received_today,
        }

    def _roll(self) -> None:
        # Hot path (every audio chunk): with the real clock, only look at the date once the next midnight is due.
        if self.today is _today and time.time() < self._roll_at:
            return
        now = self.today()
        if now != self.day:
            self.day = now
            self.sent_today = 0
            self.received_today = 0
        if self.today is _today:
            self._roll_at = _next_midnight()


@dataclass(slots=True)
class StreamStats:
    """One socket of a satellite (command, audio in, TTS out, music out) as the TUI shows it."""

    name: str
    status: str = "closed"
    """`closed`, `handshake`, `open`, or `failed: <reason>`."""
    remote_host: str | None = None
    remote_port: int | None = None
    since: datetime | None = None
    """Wall-clock time the stream was opened (None when closed)."""
    opened_monotonic: float | None = None
    traffic: TrafficCounter = field(default_factory=TrafficCounter)

    def opened(self, peer: tuple[str, int] | None, *, status: str = "open") -> None:
        """Mark the stream open from `peer` now."""
        if peer is not None:
            self.remote_host, self.remote_port = str(peer[0]), int(peer[1])
        self.status = status
        self.since = datetime.now().astimezone()
        self.opened_monotonic = time.monotonic()

    def closed(self, reason: str | None = None) -> None:
        """Mark the stream closed (the counters are kept: they are per satellite, not per connection)."""
        self.status = "closed" if reason is None else f"failed: {reason}"
        self.since = None
        self.opened_monotonic = None

    @property
    def uptime(self) -> float:
        """Seconds since the stream was opened (0 when closed)."""
        if self.opened_monotonic is None:
            return 0.0
        return time.monotonic() - self.opened_monotonic

    def snapshot(self) -> dict[str, object]:
        """A plain dict for the TUI and the debug printer."""
        return {
            "name": self.name,
            "status": self.status,
            "remote_host": self.remote_host,
            "remote_port": self.remote_port,
            "since": self.since.isoformat(timespec="seconds") if self.since else None,
            "uptime_s": round(self.uptime, 1),
            **self.traffic.snapshot(),
        }
