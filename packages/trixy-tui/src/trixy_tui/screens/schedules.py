"""F5 Schedule: every schedule with its last run ("never", "disabled" or the time), add, remove, enable, run now;
Enter opens a schedule's sub-main view."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label

from trixy_tui import format as fmt
from trixy_tui.screens.base import TableView
from trixy_tui.screens.schedule_detail import ScheduleView

DEFAULT_TRIGGER = '{"type": "time", "at": "07:30"}'
DEFAULT_ACTION = '{"type": "function", "function": "log_message", "args": {"message": "good morning"}}'


def parse_json_list(label: str, text: str) -> list[Any]:
    """A JSON object or list of objects typed by the user, as a list; ValueError names the field."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{label}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    return value if isinstance(value, list) else [value]


class SchedulesView(TableView):
    """The schedule list and the add form."""

    TABLE_ID = "schedules-table"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("schedule *",)
    AUTO_FOCUS = "DataTable"
    VIEW_NAME = "schedule"

    def compose_content(self) -> ComposeResult:
        if self.component("scheduler") is None:
            yield Label("Schedule: not available (no scheduler in this application)", id="schedules-missing")
            return
        table: DataTable = DataTable(id="schedules-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Name", "Last triggered", "Next run", "Triggers", "Actions")
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Open", id="sched-open")
            yield Button("Enable / disable", id="sched-toggle")
            yield Button("Run now", id="sched-run")
            yield Button("Remove", id="sched-remove", variant="error")
        with Vertical(id="sched-add-form"):
            yield Label("Add a schedule", classes="section")
            with Horizontal(classes="field"):
                yield Label("Name", classes="key")
                yield Input(placeholder="morning greeting", id="sched-name")
            with Horizontal(classes="field"):
                yield Label("Description", classes="key")
                yield Input(id="sched-description")
            with Horizontal(classes="field"):
                yield Label("Trigger(s) JSON", classes="key")
                yield Input(DEFAULT_TRIGGER, id="sched-trigger")
            with Horizontal(classes="field"):
                yield Label("Action(s) JSON", classes="key")
                yield Input(DEFAULT_ACTION, id="sched-action")
            yield Label("", id="sched-add-error", classes="error", markup=False)
            yield Button("Add schedule", id="sched-add", variant="primary")

    @property
    def scheduler(self) -> Any:
        """The schedule manager."""
        return self.component("scheduler")

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """One row per schedule, as shown."""
        rows = []
        for schedule in self.scheduler.schedules:
            status = schedule.status
            last = status if status in ("never", "disabled") else fmt.moment(schedule.last_triggered)
            rows.append((
                schedule.name, last, fmt.moment(schedule.next_run) if schedule.next_run else "-",
                "; ".join(t.describe() for t in schedule.triggers),
                "; ".join(a.describe() for a in schedule.actions),
            ))
        return rows

    def refresh_view(self) -> None:
        if self.scheduler is None:
            return
        table = self.query_one("#schedules-table", DataTable)
        selected = self.selected()
        table.clear()
        rows = self.rows()
        for row in rows:
            table.add_row(*row, key=row[0])
        if selected in [r[0] for r in rows]:
            table.move_cursor(row=table.get_row_index(selected))
        for problem in getattr(self.scheduler, "problems", []):
            self.set_status(problem, error=True)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Add, open, toggle, run or remove."""
        button = event.button.id
        if button == "sched-add":
            self.add_from_form()
            return
        name = self.selected()
        if name is None:
            self.set_status("Select a schedule first.", error=True)
            return
        if button == "sched-open":
            self.app.push_screen(ScheduleView(name))
        elif button == "sched-toggle":
            schedule = self.scheduler.get(name)
            await self.run_action(f"{'Disable' if schedule.enabled else 'Enable'} {name}",
                                  self.scheduler.set_enabled, name, not schedule.enabled)
        elif button == "sched-run":
            await self.run_action(f"Run {name}", self.scheduler.run_now, name)
        elif button == "sched-remove":
            await self.run_action(f"Remove {name}", self.scheduler.remove, name)

    def add_from_form(self) -> bool:
        """Add the schedule typed into the form; the reason is shown inline when the scheduler refuses it."""
        error = self.query_one("#sched-add-error", Label)
        try:
            definition = {
                "name": self.query_one("#sched-name", Input).value.strip(),
                "description": self.query_one("#sched-description", Input).value,
                "triggers": parse_json_list("Trigger(s)", self.query_one("#sched-trigger", Input).value),
                "actions": parse_json_list("Action(s)", self.query_one("#sched-action", Input).value),
            }
            schedule = self.scheduler.add(definition)
        except Exception as exc:  # ScheduleError/ValueError: shown inline, nothing added
            error.update(str(exc))
            error.display = True
            return False
        error.update("")
        error.display = False
        self.query_one("#sched-name", Input).value = ""
        self.set_status(f"Schedule '{schedule.name}' added.")
        self.refresh_view()
        return True

    def on_mount(self) -> None:
        super().on_mount()
        for label in self.query("#sched-add-error").results(Label):
            label.display = False

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens the schedule."""
        self.app.push_screen(ScheduleView(str(event.row_key.value)))
