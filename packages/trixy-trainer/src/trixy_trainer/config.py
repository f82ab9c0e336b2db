"""Hydra configuration: compose ``config/trainer/<name>.yaml`` with command-line overrides (arguments win)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from trixy_trainer.errors import ConfigError

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


def load_config(name: str, overrides: Sequence[str] = (), config_dir: str | Path | None = None) -> DictConfig:
    """Compose config ``name`` with Hydra's compose API; ``overrides`` are Hydra override strings."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    directory = Path(config_dir) if config_dir else find_config_dir()
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
