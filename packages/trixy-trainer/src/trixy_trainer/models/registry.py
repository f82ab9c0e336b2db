"""Architecture registry: the Hydra ``model.architecture`` name -> backbone class."""

from __future__ import annotations

from typing import Any

from torch import nn

from trixy_trainer.errors import ConfigError
from trixy_trainer.models.repcnn import RepCNN
from trixy_trainer.models.tcresnet import TCResNet

ARCHITECTURES: dict[str, type[nn.Module]] = {"repcnn": RepCNN, "tcresnet": TCResNet}


def build_backbone(architecture: str, n_mels: int, num_classes: int, **params: Any) -> nn.Module:
    """Instantiate the backbone named ``architecture`` with its config parameters."""
    try:
        cls = ARCHITECTURES[architecture]
    except KeyError:
        raise ConfigError(f"unknown model architecture {architecture!r}; choose one of {sorted(ARCHITECTURES)}") from None
    return cls(n_mels=n_mels, num_classes=num_classes, **params)
