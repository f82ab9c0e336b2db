"""Reading the `trainers` component: its handles, one by name, and a handle's state in words.

Shared by the trainer list and the trainer view (each imports this, neither the other). The handle's duck-typed
contract is in docs/tui.md ("Trainer handle").
"""

from __future__ import annotations

from typing import Any

from trixy_tui import format as fmt
from trixy_tui.access import attr


def trainer_handles(trainers: Any) -> list[Any]:
    """The trainer handles of the `trainers` component, whatever its container type."""
    if trainers is None:
        return []
    values = getattr(trainers, "values", None)
    return list(values()) if callable(values) else list(trainers)


def find_trainer(trainers: Any, name: str) -> Any:
    """The trainer handle called `name`, or None."""
    return next((t for t in trainer_handles(trainers) if str(attr(t, "name")) == name), None)


def trainer_state(trainer: Any) -> str:
    """"epoch 3/20 (running)", "paused at epoch 3/20", "last run <time>: finished" or "never run"."""
    progress = attr(trainer, "progress")
    epoch = f"epoch {attr(progress, 'epoch', default=0)}/{attr(progress, 'max_epochs', default='?')}"
    if attr(trainer, "running", default=False):
        return f"paused at {epoch}" if attr(trainer, "paused", default=False) else f"{epoch} (running)"
    last = attr(trainer, "last_run")
    if last is None:
        return "never run"
    return f"last run {fmt.moment(attr(last, 'finished_at'))}: {attr(last, 'status', default='finished')}"
