"""`ByteRateLimiter`: keeps sync transfers under `sync.max_kbytes_per_s`, so copying a music library over a home
uplink never starves the voice traffic that shares it.

A token bucket with one second of burst: `await limiter.take(n)` returns at once while the average stays under the
rate, and otherwise sleeps just long enough. The clock and sleep are injectable, so tests check the pacing without
waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ByteRateLimiter:
    """Paces byte transfers to `bytes_per_s` (0: unlimited)."""

    def __init__(self, bytes_per_s: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rate = max(0.0, float(bytes_per_s))
        self.clock = clock
        self.sleep = sleep
        self._tokens = self.rate  # one second of burst
        self._last = clock()
        self.waited_s = 0.0
        """total time spent waiting (for the round's report and tests)"""

    @property
    def limited(self) -> bool:
        """True when a cap is set."""
        return self.rate > 0

    def chunk(self, wanted: int) -> int:
        """A slice size that keeps the pacing smooth: at most a quarter second's worth under a cap."""
        return wanted if not self.limited else max(4096, min(wanted, int(self.rate / 4)))

    async def take(self, n: int) -> None:
        """Account for `n` bytes, waiting first when the bucket is empty."""
        if not self.limited or n <= 0:
            return
        now = self.clock()
        self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
        self._last = now
        self._tokens -= n
        if self._tokens < 0:
            wait = -self._tokens / self.rate
            self.waited_s += wait
            await self.sleep(wait)
            self._tokens = 0.0
            self._last = self.clock()
