"""`LogView`: the scrollable log, fed by the core's in-memory log ring buffer (live)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from textual.widgets import RichLog

LEVEL_STYLES = {"DEBUG": "dim", "INFO": "", "WARNING": "yellow", "ERROR": "bold red", "CRITICAL": "bold white on red"}


class LogView(RichLog):
    """Shows the buffered log lines, then every new one; lines arrive from any thread and are drawn on a timer."""

    DRAIN_S = 0.25
    MAX_LINES = 5000

    def __init__(self, buffer: Any, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=False, highlight=False, markup=False, max_lines=self.MAX_LINES,
                         auto_scroll=True)
        self.buffer = buffer
        self.lines_shown: deque[str] = deque(maxlen=self.MAX_LINES)
        """The texts drawn, newest last (bounded like the widget itself)."""
        self._pending: deque[Any] = deque()
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None

    def on_mount(self) -> None:
        """Draw what the buffer holds and subscribe for new lines."""
        self._draw(self.buffer.lines())
        self._unsubscribe = self.buffer.subscribe(self._arrived)
        self.set_interval(self.DRAIN_S, self.drain)

    def on_unmount(self) -> None:
        """Stop listening to the log."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _arrived(self, line: Any) -> None:
        with self._lock:
            self._pending.append(line)

    def drain(self) -> None:
        """Draw the lines that arrived since the last call."""
        with self._lock:
            lines = list(self._pending)
            self._pending.clear()
        self._draw(lines)

    def _draw(self, lines: list[Any]) -> None:
        """Write a batch of lines with one `write` (one layout pass instead of one per line)."""
        from rich.text import Text

        if not lines:
            return
        block = Text()
        for index, line in enumerate(lines):
            text = str(getattr(line, "text", line))
            self.lines_shown.append(text)
            if index:
                block.append("\n")
            block.append(text, style=LEVEL_STYLES.get(getattr(line, "level", ""), ""))
        self.write(block)
