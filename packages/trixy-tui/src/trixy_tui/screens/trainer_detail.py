"""Sub-main view of one ML trainer: F1 Info, F2 Model info (from the model file's metadata), F3 Training (live
status, progress bar, epoch time and ETA pushed by `training progress` events, loss/accuracy plot, start/stop/pause/resume with
parameters). Live: each `training progress` event of this trainer sets the `progress` reactive, which redraws."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar

from trixy_core.events import names
from trixy_core.events.data import TrainingProgress
from trixy_tui import format as fmt
from trixy_tui.access import NotAvailable, attr, method
from trixy_tui.modelinfo import model_metadata
from trixy_tui.screens.base import SubMainView
from trixy_tui.trainer_handles import find_trainer, trainer_state
from trixy_tui.widgets import InfoTable, TrainingPlot


def plot_files(trainer: Any) -> list[str]:
    """PNG plots to open: those the last run wrote (loss/accuracy curves, DET), else the model folder's."""
    written = attr(trainer, "plots", default=None)
    if written:
        return [str(p) for p in written]
    model = attr(trainer, "model_path", default=None)
    return [str(p) for p in sorted(Path(str(model)).parent.glob("*.png"))] if model else []

PARAMS = (("batch_size", "Batch size", 32), ("min_epochs", "Min epochs", 1), ("max_epochs", "Max epochs", 20))


class TrainerView(SubMainView):
    """One trainer: what it trains, its model, and its training run."""

    KIND = "ML Trainer"
    PANES = (("f1", "info", "Info"), ("f2", "model", "Model info"), ("f3", "training", "Training"))
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = (names.TRAINING_PROGRESS,)

    progress: reactive[TrainingProgress | None] = reactive(None, init=False, always_update=True)
    """The last `training progress` event of this trainer."""

    @property
    def trainer(self) -> Any:
        """The trainer handle shown."""
        return find_trainer(self.component("trainers"), self.item_name)

    def compose_pane(self, pane: str) -> ComposeResult:
        if pane == "info":
            yield InfoTable("Trainer", id="trainer-info")
        elif pane == "model":
            yield InfoTable("Model", id="trainer-model")
        else:
            yield InfoTable("Training", id="trainer-status")
            yield ProgressBar(total=100, show_eta=False, id="trainer-progress")
            yield TrainingPlot(id="trainer-plot")
            defaults = attr(self.trainer, "default_params", default={}) or {}
            for key, label, default in PARAMS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="key")
                    yield Input(str(defaults.get(key, default)), id=f"param-{key}", type="integer")
            with Horizontal(classes="field"):
                yield Label("Resume from checkpoint", classes="key")
                yield Checkbox("continue the last checkpoint", value=bool(defaults.get("resume")), id="param-resume")
            yield Label("", id="trainer-param-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start", id="train-start", variant="success")
                yield Button("Pause", id="train-pause", variant="warning")
                yield Button("Resume", id="train-resume")
                yield Button("Stop", id="train-stop", variant="error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#trainer-param-error", Label).display = False

    def on_live_event(self, event_name: str, data: Any) -> bool:
        """Keep this trainer's progress (the watcher redraws); other trainers' events are ignored."""
        if attr(data, "trainer") == self.item_name:
            self.progress = data
        return False

    def watch_progress(self) -> None:
        """Redraw with the new progress (when on screen)."""
        if self.is_current:
            self._safe_refresh()

    def refresh_view(self) -> None:
        trainer = self.trainer
        if trainer is None:
            self.query_one("#trainer-info", InfoTable).show([("Trainer", f"{self.item_name}: not available")])
            return
        self.query_one("#trainer-info", InfoTable).show([
            ("Name", str(attr(trainer, "name"))),
            ("Description", fmt.text(attr(trainer, "description"))),
            ("State", trainer_state(trainer)),
            ("Model file", fmt.text(attr(trainer, "model_path"))),
            ("Plots", fmt.text(", ".join(plot_files(trainer)) or "none yet")),
        ])
        self._show_model(attr(trainer, "model_path"))
        self._show_training(trainer)

    def _show_model(self, path: Any) -> None:
        table = self.query_one("#trainer-model", InfoTable)
        if not path:
            table.show([("Model", "not available (no model file yet)")])
            return
        try:
            meta = model_metadata(path)
        except Exception as exc:  # missing/corrupt file: the reason is shown
            table.show([("Model", f"not available: {exc}")])
            return
        table.show((str(k), fmt.text(v) if not isinstance(v, dict | list) else str(v)) for k, v in sorted(meta.items()))

    def _show_training(self, trainer: Any) -> None:
        progress = attr(trainer, "progress")
        running = bool(attr(trainer, "running", default=False))
        last = attr(trainer, "last_run")
        rows = [("State", "paused" if running and attr(trainer, "paused") else "running" if running else "idle")]
        if progress is not None:
            rows += [
                ("Epoch", f"{attr(progress, 'epoch', default=0)} of {attr(progress, 'max_epochs', default='?')}"),
                ("Loss", fmt.text(attr(progress, "loss"))),
                ("Accuracy", fmt.text(attr(progress, "accuracy"))),
                ("Epoch time", fmt.duration(attr(progress, "epoch_s"))),
                ("Time left (ETA)", fmt.duration(attr(progress, "eta_s")) if running else "-"),
            ]
        if not running and last is not None:
            rows += [
                ("Last run finished", fmt.moment(attr(last, "finished_at"))),
                ("Last run result", fmt.text(attr(last, "status"))),
                ("Last run epochs", fmt.text(attr(last, "epochs"))),
                ("Last run duration", fmt.duration(attr(last, "duration_s"))),
            ]
        self.query_one("#trainer-status", InfoTable).show(rows)
        bar = self.query_one("#trainer-progress", ProgressBar)
        total = attr(progress, "max_epochs", default=0) or 0
        bar.update(total=max(1, total), progress=attr(progress, "epoch", default=0) or 0)
        history = list(attr(trainer, "history", default=[]) or [])
        self.query_one("#trainer-plot", TrainingPlot).plot(
            [float(p.loss) for p in history if attr(p, "loss") is not None],
            [float(p.accuracy) for p in history if attr(p, "accuracy") is not None],
        )

    def params(self) -> dict[str, Any]:
        """The typed start parameters; ValueError names the field that is wrong."""
        values: dict[str, Any] = {}
        for key, label, _default in PARAMS:
            text = self.query_one(f"#param-{key}", Input).value.strip()
            if not text.isdigit() or int(text) < 1:
                raise ValueError(f"{label} must be a whole number of at least 1, got {text!r}")
            values[key] = int(text)
        if values["min_epochs"] > values["max_epochs"]:
            raise ValueError("Min epochs must not be larger than max epochs")
        values["resume"] = self.query_one("#param-resume", Checkbox).value
        return values

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start, pause, resume or stop the training."""
        trainer = self.trainer
        button = event.button.id or ""
        controls = {"train-pause": "pause", "train-resume": "resume", "train-stop": "stop"}
        if trainer is None:
            self.set_status(f"Trainer {self.item_name}: not available", error=True)
            return
        if button == "train-start":
            error = self.query_one("#trainer-param-error", Label)
            try:
                params = self.params()
            except ValueError as exc:
                error.update(str(exc))
                error.display = True
                return
            error.display = False
            await self._call("Start training", trainer, "start", params)
        elif button in controls:
            await self._call(controls[button].capitalize() + " training", trainer, controls[button])

    async def _call(self, label: str, trainer: Any, name: str, *args: Any) -> None:
        try:
            function = method(trainer, name)
        except NotAvailable as exc:
            self.set_status(f"{label}: not available: {exc}", error=True)
            return
        await self.run_action(label, function, *args)
