"""Architecture registry: the Hydra ``model.architecture`` name -> backbone class, and the ``model`` group's
``_target_`` for the all-trained CNN recipe (:func:`cnn_wakeword_net`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from trixy_trainer.errors import ConfigError
from trixy_trainer.features.logmel import FeatureSettings
from trixy_trainer.models.repcnn import RepCNN
from trixy_trainer.models.tcresnet import TCResNet
from trixy_trainer.models.wakeword_net import WakewordNet

ARCHITECTURES: dict[str, type[nn.Module]] = {"repcnn": RepCNN, "tcresnet": TCResNet}


def build_backbone(architecture: str, n_mels: int, num_classes: int, **params: Any) -> nn.Module:
    """Instantiate the backbone named ``architecture`` with its config parameters."""
    try:
        cls = ARCHITECTURES[architecture]
    except KeyError:
        raise ConfigError(f"unknown model architecture {architecture!r}; choose one of {sorted(ARCHITECTURES)}") from None
    return cls(n_mels=n_mels, num_classes=num_classes, **params)


def cnn_wakeword_net(
    architecture: str, num_classes: int, params: Mapping[str, Any] | None = None, features: Mapping[str, Any] | None = None
) -> WakewordNet:
    """Log-mel front end (``features``: :class:`FeatureSettings` fields) + the backbone named ``architecture``."""
    settings = FeatureSettings(**dict(features or {}))
    return WakewordNet(build_backbone(architecture, settings.n_mels, num_classes, **dict(params or {})), settings)
