"""The one Lightning `Trainer` recipe shared by the wake-word and speaker trainers.

Devices, strategy and precision come from the `trainer` config group, so Lightning's multi-device strategies work
unchanged where a GPU exists; logs go to CSV under the run folder, and progress reaches the caller through the
`ProgressReporter` callback instead of a progress bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
from omegaconf import DictConfig


def build_trainer(t: DictConfig, run_dir: Path, callbacks: list[Any], **overrides: Any) -> L.Trainer:
    """A `L.Trainer` from the `trainer` config group `t`; `overrides` add or replace Trainer arguments."""
    options: dict[str, Any] = {
        "max_epochs": int(t.max_epochs),
        "min_epochs": int(t.min_epochs),
        "accelerator": t.accelerator,
        "devices": t.devices,
        "strategy": t.strategy,
        "precision": t.precision,
        "gradient_clip_val": t.gradient_clip_val,
        "fast_dev_run": t.fast_dev_run,
        "limit_val_batches": t.limit_val_batches,
        "callbacks": callbacks,
        "default_root_dir": str(run_dir),
        "logger": L.pytorch.loggers.CSVLogger(str(run_dir), name="logs"),
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "log_every_n_steps": 10,
    }
    options.update(overrides)
    return L.Trainer(**options)
