"""F6 ML Trainer: the hard-coded trainers with their last run or the live epoch of the current run.

Trainers come from the application's `trainers` component (a mapping of name -> trainer handle, or an iterable of
handles); the handle's duck-typed contract is in docs/tui.md ("Trainer handle").
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Label

from trixy_core.events import names
from trixy_tui import format as fmt
from trixy_tui.access import attr
from trixy_tui.screens.base import TableView
from trixy_tui.screens.trainer_detail import TrainerView
from trixy_tui.trainer_handles import find_trainer, trainer_handles, trainer_state

__all__ = ["TrainersView", "find_trainer", "trainer_handles", "trainer_state"]


class TrainersView(TableView):
    """The trainer list; Enter (or Open) shows a trainer's sub-main view."""

    TABLE_ID = "trainers-table"
    AUTO_FOCUS = "DataTable"
    VIEW_NAME = "trainers"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = (names.TRAINING_PROGRESS,)

    def compose_content(self) -> ComposeResult:
        if self.component("trainers") is None:
            yield Label("ML Trainer: not available (no 'trainers' component in this application)",
                        id="trainers-missing")
            return
        table: DataTable = DataTable(id="trainers-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Trainer", "State", "Description")
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Open", id="trainer-open", variant="primary")

    def refresh_view(self) -> None:
        trainers = self.component("trainers")
        if trainers is None:
            return
        table = self.query_one("#trainers-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for trainer in trainer_handles(trainers):
            name = str(attr(trainer, "name"))
            table.add_row(name, trainer_state(trainer), fmt.text(attr(trainer, "description")), key=name)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Open the selected trainer."""
        table = self.query_one("#trainers-table", DataTable)
        if event.button.id == "trainer-open" and table.row_count:
            self.app.push_screen(TrainerView(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens the trainer."""
        self.app.push_screen(TrainerView(str(event.row_key.value)))
