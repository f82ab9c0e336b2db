"""`ReconnectBackoff`: exponential back-off with jitter between connection attempts.

After a server restart every satellite notices at the same moment; a fixed retry interval makes them all knock in
lockstep. Each failure doubles the ceiling (up to `max_s`) and the wait is drawn from its upper half, so the first
retry still comes within `base_s` (5 s by default) and a crowd spreads out; a successful accept resets it.
"""

from __future__ import annotations

import random


class ReconnectBackoff:
    """Delays for consecutive failed attempts: uniform in [ceiling/2, ceiling], ceiling = min(max, base * 2^n)."""

    def __init__(self, base_s: float = 5.0, max_s: float = 60.0, *, rng: random.Random | None = None) -> None:
        self.base_s = base_s
        self.max_s = max(max_s, base_s)
        self.failures = 0
        """Attempts that failed since the last success."""
        self._rng = rng or random.Random()

    def ceiling(self) -> float:
        """The longest wait the next delay can be."""
        return min(self.max_s, self.base_s * 2 ** min(self.failures, 30))

    def next_delay(self) -> float:
        """Record one more failure and return how long to wait before the next attempt."""
        top = self.ceiling()
        self.failures += 1
        return self._rng.uniform(top / 2, top)

    def reset(self) -> None:
        """A connection was accepted: the next failure starts from `base_s` again."""
        self.failures = 0
