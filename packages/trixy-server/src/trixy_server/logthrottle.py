"""`ThrottledLog`: log a kind of warning at most N times a minute, then count what was left out.

Hostile peers choose how often a refusal happens; a flood of bad handshakes must not fill the disk, yet the first
ones (and how many followed) are what an administrator needs to see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class ThrottledLog:
    """Passes `limit` messages per `window_s` to `logger`; the rest are counted and reported as one line."""

    def __init__(self, logger: logging.Logger, *, limit: int = 10, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.suppressed = 0
        """Messages left out in the current window."""
        self._window_start = clock()
        self._count = 0

    def warning(self, message: str, *args: object) -> bool:
        """Log `message % args` as a warning unless the window's quota is used up; True when it was logged."""
        now = self.clock()
        if now - self._window_start >= self.window_s:
            if self.suppressed:
                self.logger.warning("%d more such warning(s) left out in the last %.0f s", self.suppressed,
                                    now - self._window_start)
            self._window_start = now
            self._count = 0
            self.suppressed = 0
        if self._count >= self.limit:
            self.suppressed += 1
            return False
        self._count += 1
        self.logger.warning(message, *args)
        return True
