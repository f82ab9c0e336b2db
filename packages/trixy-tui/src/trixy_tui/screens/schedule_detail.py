"""Sub-main view of one schedule: F1 Info, F2 Triggers, F3 Actions; triggers and actions are edited as JSON and
saved through the scheduler (which validates them)."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label, TextArea

from trixy_tui import format as fmt
from trixy_tui.screens.base import SubMainView
from trixy_tui.widgets import InfoTable


class ScheduleView(SubMainView):
    """One schedule: what it is, when it ran, and its editable triggers and actions."""

    KIND = "Schedule"
    PANES = (("f1", "info", "Info"), ("f2", "triggers", "Triggers"), ("f3", "actions", "Actions"))

    @property
    def scheduler(self) -> Any:
        """The schedule manager."""
        return self.component("scheduler")

    @property
    def schedule(self) -> Any:
        """The schedule shown (None once removed)."""
        return self.scheduler.get(self.item_name)

    def compose_pane(self, pane: str) -> ComposeResult:
        schedule = self.schedule
        if pane == "info":
            yield InfoTable("Schedule", id="sched-info")
            with Horizontal(classes="buttons"):
                yield Button("Enable / disable", id="sched-detail-toggle")
                yield Button("Run now", id="sched-detail-run")
            return
        field = pane  # "triggers" or "actions"
        specs = [dict(s.spec) for s in getattr(schedule, field, [])] if schedule is not None else []
        yield InfoTable(field.capitalize(), id=f"sched-{field}-list")
        yield Label(f"Edit the {field} as a JSON list, then save:", classes="section")
        yield TextArea(json.dumps(specs, indent=2), id=f"sched-{field}-json", language="json")
        yield Label("", id=f"sched-{field}-error", classes="error", markup=False)
        yield Button(f"Save {field}", id=f"sched-save-{field}", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        for field in ("triggers", "actions"):
            self.query_one(f"#sched-{field}-error", Label).display = False

    def refresh_view(self) -> None:
        schedule = self.schedule
        if schedule is None:
            self.query_one("#sched-info", InfoTable).show([("Name", self.item_name), ("Status", "removed")])
            return
        last_error = getattr(schedule, "last_error", "")
        self.query_one("#sched-info", InfoTable).show([
            ("Name", schedule.name),
            ("Description", fmt.text(schedule.description)),
            ("Enabled", fmt.text(schedule.enabled)),
            ("Last triggered", fmt.moment(schedule.last_triggered)),
            ("Last duration", f"{schedule.last_duration_s:.3f} s" if schedule.last_duration_s is not None else "-"),
            ("Last result", f"error: {last_error}" if last_error else ("ok" if schedule.runs else "-")),
            ("Next run", fmt.moment(schedule.next_run) if schedule.next_run else "-"),
            ("Runs", str(schedule.runs)),
            ("Running now", fmt.text(bool(getattr(schedule, "running", False)))),
        ])
        self.query_one("#sched-triggers-list", InfoTable).show(
            (f"{i}.", t.describe()) for i, t in enumerate(schedule.triggers, start=1)
        )
        self.query_one("#sched-actions-list", InfoTable).show(
            (f"{i}.", a.describe()) for i, a in enumerate(schedule.actions, start=1)
        )

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Toggle, run, or save triggers/actions."""
        button = event.button.id or ""
        schedule = self.schedule
        if schedule is None:
            self.set_status(f"Schedule {self.item_name} was removed.", error=True)
            return
        if button == "sched-detail-toggle":
            await self.run_action(f"{'Disable' if schedule.enabled else 'Enable'} {schedule.name}",
                                  self.scheduler.set_enabled, schedule.name, not schedule.enabled)
        elif button == "sched-detail-run":
            await self.run_action(f"Run {schedule.name}", self.scheduler.run_now, schedule.name)
        elif button.startswith("sched-save-"):
            self.save(button.removeprefix("sched-save-"))

    def save(self, field: str) -> bool:
        """Replace the triggers or actions with the edited JSON; refused inline when the scheduler rejects it."""
        error = self.query_one(f"#sched-{field}-error", Label)
        text = self.query_one(f"#sched-{field}-json", TextArea).text
        try:
            value = json.loads(text)
            if not isinstance(value, list):
                raise ValueError(f"the {field} must be a JSON list of objects")
            definition = self.schedule.to_dict()
            definition[field] = value
            self.scheduler.add(definition, replace=True)
        except json.JSONDecodeError as exc:
            return self._refuse(error, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        except Exception as exc:  # ScheduleError: shown inline, the schedule is unchanged
            return self._refuse(error, str(exc))
        error.display = False
        self.set_status(f"{field.capitalize()} of '{self.item_name}' saved.")
        self._safe_refresh()
        return True

    @staticmethod
    def _refuse(error: Label, message: str) -> bool:
        error.update(message)
        error.display = True
        return False
