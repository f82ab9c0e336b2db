"""Hydra configuration: compose ``config/trainer/<name>.yaml`` with command-line overrides (arguments win).

Sections with a ``_target_`` (``model``, ``optimizer``, ``scheduler``) are built with ``hydra.utils.instantiate``
through :func:`instantiate_section`, which turns a bad ``_target_`` or argument into a :class:`ConfigError`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from trixy_trainer.errors import ConfigError

logger = logging.getLogger(__name__)

CONFIG_ENV_VAR = "TRIXY_TRAINER_CONFIG_DIR"
SHIPPED_CONFIG_DIR = Path(__file__).resolve().parent / "conf"
"""The checkout's config/trainer/, copied into the wheel (pyproject force-include), for installs without a checkout."""


def find_config_dir(start: str | Path | None = None) -> Path:
    """``$TRIXY_TRAINER_CONFIG_DIR``, else the first ``config/trainer`` found from ``start`` (cwd) upwards."""
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "config" / "trainer"
        if (candidate / "wakeword.yaml").is_file():
            return candidate
    package_root = Path(__file__).resolve().parents[4] / "config" / "trainer"  # the monorepo checkout
    if package_root.is_dir():
        return package_root
    if (SHIPPED_CONFIG_DIR / "wakeword.yaml").is_file():  # a pip install: the YAML the wheel ships
        return SHIPPED_CONFIG_DIR
    raise ConfigError(f"no config/trainer directory found from {here}; set ${CONFIG_ENV_VAR}")


MOVED_KEYS: dict[str, str] = {
    "trainer.lr": "optimizer.lr",
    "trainer.weight_decay": "optimizer.weight_decay",
    "trainer.label_smoothing": "loss.label_smoothing",
    "trainer.num_threads": "num_threads",
    "trainer.optim.lr": "optimizer.lr",
    "trainer.optim.weight_decay": "optimizer.weight_decay",
    "trainer.optim.warmup": "scheduler.warmup",
    "trainer.optim.freq_mask": "augmentation.freq_mask",
    "trainer.optim.time_mask": "augmentation.time_mask",
}
"""Override keys of the days when the ``trainer`` group also held optimiser settings -> where they live now."""


def migrate_overrides(overrides: Sequence[str]) -> list[str]:
    """Rewrite overrides that name a moved key (``trainer.lr=...`` -> ``optimizer.lr=...``), with a warning."""
    out = []
    for override in overrides:
        key, sep, value = override.partition("=")
        prefix = key[: len(key) - len(key.lstrip("+~"))]
        bare = key[len(prefix) :]
        if bare == "trainer.optim":
            raise ConfigError("trainer.optim was split up: use optimizer.lr, optimizer.weight_decay, scheduler.warmup, "
                              "augmentation.freq_mask and augmentation.time_mask")
        if bare in MOVED_KEYS:
            new = MOVED_KEYS[bare]
            logger.warning("override %s is now %s (the trainer group holds only lightning.Trainer arguments)", bare, new)
            override = f"{prefix}{new}{sep}{value}"
        out.append(override)
    return out


def load_config(name: str, overrides: Sequence[str] = (), config_dir: str | Path | None = None) -> DictConfig:
    """Compose config ``name`` with Hydra's compose API; ``overrides`` are Hydra override strings.

    Overrides of keys that moved out of the ``trainer`` group (:data:`MOVED_KEYS`) are rewritten to the new keys.
    """
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    directory = Path(config_dir) if config_dir else find_config_dir()
    overrides = migrate_overrides(overrides)
    try:
        with initialize_config_dir(config_dir=str(directory.resolve()), version_base=None):
            cfg = compose(config_name=name, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(f"bad trainer configuration ({directory}/{name}.yaml, overrides {list(overrides)}): {exc}") from exc
    OmegaConf.set_struct(cfg, False)
    return cfg


def to_container(cfg: DictConfig | dict) -> dict:
    """Resolved plain-dict copy of a config section."""
    return OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)


def plain_section(cfg: DictConfig | Mapping[str, Any]) -> dict:
    """Resolved plain-dict copy of a section without Hydra's ``_target_``/``_partial_``/... keys (for metadata)."""
    return {k: v for k, v in to_container(cfg).items() if not (isinstance(k, str) and k.startswith("_"))}


def instantiate_section(cfg: DictConfig, section: str, **kwargs: Any) -> Any:
    """``hydra.utils.instantiate(cfg[section], **kwargs)`` (plain containers); a bad ``_target_`` or argument raises
    :class:`ConfigError` naming the section. ``kwargs`` are runtime-only arguments such as ``num_classes``."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate
    from omegaconf.errors import OmegaConfBaseException

    node = cfg.get(section)
    if node is None:
        raise ConfigError(f"the configuration has no {section!r} section")
    if not isinstance(node, DictConfig) or "_target_" not in node:
        raise ConfigError(f"{section} has no _target_ (the class or function hydra.utils.instantiate builds it with)")
    try:
        return instantiate(node, _convert_="all", **kwargs)
    except (InstantiationException, OmegaConfBaseException, TypeError, ValueError, ImportError) as exc:
        raise ConfigError(f"cannot build {section} from {section}._target_={node.get('_target_')}: {exc}") from exc
