"""Optimiser and learning-rate schedule wiring for the Lightning modules (the ``optimizer``/``scheduler`` groups).

Both groups are Hydra partials (``_partial_: true``): the optimiser is called with the parameters, the schedule with
the optimiser plus the figures only Lightning knows at fit time, ``epochs`` and ``total_steps``, passed where the
schedule's signature names them and the config did not set them. So any ``torch.optim`` optimiser or
``torch.optim.lr_scheduler`` class can be swapped in from the command line.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import torch
from omegaconf import DictConfig

from trixy_trainer.config import instantiate_section
from trixy_trainer.errors import ConfigError

OptimizerFactory = Callable[..., torch.optim.Optimizer]
SchedulerFactory = Callable[..., Any]

MIN_ONE_CYCLE_STEPS = 4
"""Below this many steps there is no room for a warm-up and a decay: the rate stays constant."""


def cosine_annealing(
    optimizer: torch.optim.Optimizer, epochs: int, final_lr_fraction: float = 0.05
) -> torch.optim.lr_scheduler.LRScheduler:
    """Cosine decay over ``epochs`` (at least 1) from the optimiser's rate to ``final_lr_fraction`` of it."""
    lr = float(optimizer.param_groups[0]["lr"])
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, int(epochs)), eta_min=lr * final_lr_fraction)


def one_cycle(optimizer: torch.optim.Optimizer, total_steps: int, warmup: float = 0.1) -> torch.optim.lr_scheduler.LRScheduler:
    """:func:`one_cycle_schedule` peaking at the optimiser's configured rate."""
    return one_cycle_schedule(optimizer, float(optimizer.param_groups[0]["lr"]), total_steps, warmup)


def one_cycle_schedule(
    optimizer: torch.optim.Optimizer, max_lr: float, total_steps: int, warmup: float
) -> torch.optim.lr_scheduler.LRScheduler:
    """OneCycleLR whose warm-up is a whole number of steps, at least 2 and leaving at least 2 for the decay.

    OneCycleLR ends its warm-up at step ``warmup * total - 1``; where that lands on 0 (0.1 x 10 steps: a one-epoch
    fine-tune) or on the last step, it divides by zero. Rounding the warm-up to whole steps in [2, total - 2] keeps
    both phases at least one step long, for any epoch count and batch count.
    """
    total = max(1, int(total_steps))
    if total < MIN_ONE_CYCLE_STEPS:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _step: 1.0)
    warm_steps = min(max(2, round(max(0.0, warmup) * total)), total - 2)
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total,
                                               pct_start=warm_steps / total)


def fit_figures(trainer: Any) -> dict[str, Callable[[], int]]:
    """The fit-time figures a schedule may take, computed only when asked for: ``epochs`` (``max_epochs``, at least
    1) and ``total_steps`` (Lightning's estimate of optimiser steps); 1 and 1000 without a trainer."""
    if trainer is None:
        return {"epochs": lambda: 1, "total_steps": lambda: 1000}
    return {
        "epochs": lambda: max(1, int(trainer.max_epochs or 1)),
        "total_steps": lambda: int(trainer.estimated_stepping_batches),
    }


def _fit_arguments(factory: SchedulerFactory, trainer: Any) -> dict[str, Any]:
    """The fit-time figures ``factory`` takes and its partial does not already bind."""
    bound = factory.keywords if isinstance(factory, functools.partial) else {}
    try:
        names = set(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return {}
    return {k: figure() for k, figure in fit_figures(trainer).items() if k in names and k not in bound}


def configure_optimizers(
    parameters: Iterable[torch.nn.Parameter],
    optimizer: OptimizerFactory,
    scheduler: SchedulerFactory | None,
    interval: str,
    trainer: Any = None,
) -> Any:
    """What ``LightningModule.configure_optimizers`` returns: the optimiser and, where configured, its schedule
    stepped per ``interval`` ("epoch" or "step"); ``trainer`` is the module's Lightning trainer (or None)."""
    opt = optimizer(parameters)
    if scheduler is None:
        return opt
    sched = scheduler(opt, **_fit_arguments(scheduler, trainer))
    return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": interval}}


def build_optimization(cfg: DictConfig) -> tuple[OptimizerFactory, SchedulerFactory | None]:
    """The ``optimizer`` partial (tried once on a dummy parameter, so a wrong argument fails before training) and
    the ``scheduler`` partial (None where the config has none: ``~scheduler``)."""
    optimizer = instantiate_section(cfg, "optimizer")
    try:
        optimizer([torch.nn.Parameter(torch.zeros(1))])
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"optimizer {cfg.optimizer.get('_target_')} refuses its arguments: {exc}") from exc
    scheduler = instantiate_section(cfg, "scheduler") if cfg.get("scheduler") is not None else None
    return optimizer, scheduler
