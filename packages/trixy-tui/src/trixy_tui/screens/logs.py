"""F9 Logs: the log lines of this process, scrollable, fed live by the logging system's ring buffer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Header, Label

from trixy_tui.access import attr
from trixy_tui.screens.base import TrixyView
from trixy_tui.widgets import LogView


class LogsView(TrixyView):
    """The log view; the log widget scrolls by itself, so this view has no outer scroll area."""

    VIEW_NAME = "logs"

    def compose(self) -> ComposeResult:
        yield Header()
        buffer = attr(self.app, "application", "logging", "buffer")
        with Vertical(id="content"):
            if buffer is None:
                yield Label("Logs: not available (logging was not set up by the application)", id="logs-missing")
            else:
                yield LogView(buffer, id="log")
        yield Footer()
