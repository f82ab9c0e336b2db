"""`InfoTable`: a two-column label/value block, the building block of every info view."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from textual.widgets import Static


class InfoTable(Static):
    """Shows `(label, value)` rows; `values` keeps them as a dict so tests can read what is shown."""

    DEFAULT_CSS = """
    InfoTable { height: auto; margin: 0 0 1 0; }
    """

    def __init__(self, title: str = "", *, id: str | None = None) -> None:  # Textual's name
        super().__init__("", id=id)
        self.heading = title
        self.values: dict[str, str] = {}

    def show(self, rows: Iterable[tuple[str, str]]) -> None:
        """Replace the rows."""
        self.values = {label: str(value) for label, value in rows}
        table = Table(
            title=self.heading or None,
            title_justify="left",
            title_style="bold",
            show_header=False,
            box=None,
            padding=(0, 2, 0, 0),
        )
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(overflow="fold")
        for label, value in self.values.items():
            table.add_row(label, value)
        self.update(table)
