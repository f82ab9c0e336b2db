"""The one Lightning `Trainer` recipe shared by the wake-word and speaker trainers.

The `trainer` config group holds only `lightning.Trainer` arguments and is passed as `L.Trainer(**trainer)`, so
devices, strategy, precision and Lightning's multi-device strategies work unchanged where a GPU exists. The code adds
the runtime objects: callbacks, a CSV logger under the run folder, `default_root_dir`, and the few arguments a recipe
needs (the speech-embedding head has no validation loader). Progress reaches the caller through the
`ProgressReporter` callback.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import lightning as L
from lightning.fabric.utilities.exceptions import MisconfigurationException
from omegaconf import DictConfig

from trixy_trainer.config import MOVED_KEYS, to_container
from trixy_trainer.errors import ConfigError


def trainer_kwargs(t: DictConfig | dict[str, Any]) -> dict[str, Any]:
    """The `trainer` group as `L.Trainer` keyword arguments; a key Trainer does not take raises `ConfigError`."""
    kwargs = to_container(t)
    accepted = set(inspect.signature(L.Trainer.__init__).parameters) - {"self"}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        moved = {f"trainer.{k}": MOVED_KEYS[f"trainer.{k}"] for k in unknown if f"trainer.{k}" in MOVED_KEYS}
        hint = f"; moved: {moved}" if moved else ""
        raise ConfigError(f"trainer: {unknown} are not lightning.Trainer arguments (the trainer group holds only those){hint}")
    return kwargs


def build_trainer(t: DictConfig, run_dir: Path, callbacks: list[Any], **recipe: Any) -> L.Trainer:
    """`L.Trainer(**t, callbacks=..., logger=..., default_root_dir=run_dir)`; `recipe` replaces Trainer arguments
    a recipe cannot do without (they win over the config)."""
    kwargs = {**trainer_kwargs(t), **recipe}
    logger = L.pytorch.loggers.CSVLogger(str(run_dir), name="logs")
    try:
        return L.Trainer(**kwargs, callbacks=callbacks, logger=logger, default_root_dir=str(run_dir))
    except (TypeError, ValueError, MisconfigurationException) as exc:  # Lightning's own checks (an unknown accelerator, a bad precision, ...)
        raise ConfigError(f"trainer: lightning.Trainer refused {kwargs}: {exc}") from exc
