"""An in-memory log handler the TUI's log view reads (and subscribes to for live updates)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class LogLine:
    """One formatted log record, as the log view shows it."""

    timestamp: float
    level: str
    logger: str
    message: str
    text: str
    """The fully formatted line."""


LogListener = Callable[[LogLine], None]


class RingBufferHandler(logging.Handler):
    """Keeps the newest `capacity` records; listeners are called (in the logging thread) for each new one."""

    def __init__(self, capacity: int = 2000, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._lines: deque[LogLine] = deque(maxlen=max(1, capacity))
        self._listeners: list[LogListener] = []
        self._buffer_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Store the record and tell the listeners."""
        try:
            text = self.format(record)
            line = LogLine(record.created, record.levelname, record.name, record.getMessage(), text)
        except Exception:  # logging must never raise into the caller
            self.handleError(record)
            return
        with self._buffer_lock:
            self._lines.append(line)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(line)
            except Exception:  # a broken listener must not break logging
                self.handleError(record)

    def lines(self, count: int | None = None) -> list[LogLine]:
        """The newest `count` lines (all when None), oldest first."""
        with self._buffer_lock:
            items = list(self._lines)
        return items if count is None else items[-count:]

    def subscribe(self, listener: LogListener) -> Callable[[], None]:
        """Call `listener(line)` for every new record; returns a function that unsubscribes."""
        with self._buffer_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._buffer_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def clear(self) -> None:
        """Forget the stored lines."""
        with self._buffer_lock:
            self._lines.clear()
