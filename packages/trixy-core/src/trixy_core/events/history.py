"""A bounded history of recent events, so the TUI can show what happened without subscribing to everything."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(slots=True)
class EventRecord:
    """One dispatched event: when, which, a short summary of its data, and how its handlers did."""

    name: str
    timestamp: float
    summary: str
    conversation_id: str | None = None
    handlers: int = 0
    errors: int = 0
    duration_s: float = 0.0


def summarise(data: object, limit: int = 160) -> str:
    """A short, safe one-line description of event data (bytes shown by length, never dumped)."""
    if data is None:
        return ""
    slots = getattr(type(data), "__slots__", None)
    if slots and hasattr(data, "__dataclass_fields__"):
        parts = []
        for name in data.__dataclass_fields__:  # type: ignore[attr-defined]
            value = getattr(data, name, None)
            if isinstance(value, bytes | bytearray | memoryview):
                parts.append(f"{name}=<{len(value)} bytes>")
            elif name != "timestamp":
                parts.append(f"{name}={value!r}")
        text = f"{type(data).__name__}({', '.join(parts)})"
    elif isinstance(data, bytes | bytearray | memoryview):
        text = f"<{len(data)} bytes>"
    else:
        text = repr(data)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EventHistory:
    """Thread-safe ring buffer of `EventRecord`s (newest last)."""

    def __init__(self, size: int = 500) -> None:
        self._records: deque[EventRecord] = deque(maxlen=max(1, size))
        self._lock = threading.Lock()

    def add(self, record: EventRecord) -> None:
        """Append one record, dropping the oldest when full."""
        with self._lock:
            self._records.append(record)

    def recent(self, count: int | None = None) -> list[EventRecord]:
        """The newest `count` records (all when None), oldest first."""
        with self._lock:
            items = list(self._records)
        return items if count is None else items[-count:]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

    @property
    def maxlen(self) -> int:
        """How many records are kept."""
        return self._records.maxlen or 0
