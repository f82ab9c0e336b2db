"""Registration mode: a window (60 s by default) in which the first unknown satellite may register."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


class RegistrationWindow:
    """Open for `duration` seconds, then closed by itself; one unknown satellite may claim it.

    The clock is injectable so tests never sleep. A claim is held while the registration dialogue runs; `complete`
    closes the window, `release` (dialogue failed) gives the window back to the next satellite if time is left.
    """

    def __init__(self, duration: float = 60.0, *, clock: Clock = time.monotonic) -> None:
        if duration <= 0:
            raise ValueError("registration window duration must be positive seconds")
        self.duration = float(duration)
        self._clock = clock
        self._until: float | None = None
        self._claimed_by: str | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[bool], None]] = []

    def subscribe(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(is_open)` when the window is opened or closed explicitly (expiry is read lazily)."""
        self._listeners.append(listener)

    def open(self, duration: float | None = None) -> None:
        """Enter registration mode for `duration` seconds (default: the configured duration)."""
        with self._lock:
            self._until = self._clock() + float(duration if duration is not None else self.duration)
            self._claimed_by = None
        logger.info("registration mode on for %.0f s", duration if duration is not None else self.duration)
        self._notify(True)

    def close(self) -> None:
        """Leave registration mode now."""
        with self._lock:
            was_open = self._until is not None
            self._until = None
            self._claimed_by = None
        if was_open:
            logger.info("registration mode off")
            self._notify(False)

    @property
    def is_open(self) -> bool:
        """True while registration mode is on (a claimed window still counts as open until it completes)."""
        with self._lock:
            return self._expire_locked()

    @property
    def remaining(self) -> float:
        """Seconds left in registration mode (0 when off), for the TUI's countdown."""
        with self._lock:
            if not self._expire_locked():
                return 0.0
            assert self._until is not None
            return max(0.0, self._until - self._clock())

    @property
    def claimed_by(self) -> str | None:
        """MAC of the satellite whose registration dialogue is running, if any."""
        return self._claimed_by

    def claim(self, mac: str) -> bool:
        """Reserve the window for `mac`; False when closed, expired, or already claimed by another satellite."""
        with self._lock:
            if not self._expire_locked():
                return False
            if self._claimed_by not in (None, mac):
                return False
            self._claimed_by = mac
            return True

    def release(self, mac: str) -> None:
        """The dialogue with `mac` failed: another satellite may use the rest of the window."""
        with self._lock:
            if self._claimed_by == mac:
                self._claimed_by = None

    def complete(self, mac: str) -> None:
        """`mac` is registered: registration mode ends."""
        with self._lock:
            if self._claimed_by != mac:
                return
        self.close()

    def _expire_locked(self) -> bool:
        if self._until is None:
            return False
        if self._clock() >= self._until and self._claimed_by is None:
            self._until = None
            logger.info("registration mode expired")
            return False
        return True

    def _notify(self, is_open: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(is_open)
            except Exception:
                logger.exception("registration window listener failed")
