"""Whole wake-word networks: raw audio -> probabilities (full window) and the streaming variant with a mel cache."""

from __future__ import annotations

import torch
from torch import nn

from trixy_trainer.features.logmel import FeatureSettings, LogMel


class WakewordNet(nn.Module):
    """``audio [batch, samples]`` -> logits; the log-mel front end is part of the model (and of the ONNX graph)."""

    def __init__(self, backbone: nn.Module, features: FeatureSettings | None = None) -> None:
        super().__init__()
        self.frontend = LogMel(features)
        self.backbone = backbone

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        return self.backbone(self.frontend(audio))

    def reparameterize(self) -> WakewordNet:
        """Merge multi-branch blocks for inference when the backbone supports it."""
        self.eval()
        if hasattr(self.backbone, "reparameterize"):
            self.backbone.reparameterize()
        return self


class WakewordProbabilities(nn.Module):
    """Export wrapper: ``audio`` -> softmax ``probabilities``."""

    def __init__(self, net: WakewordNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(audio), dim=-1)


class WakewordBackboneProbabilities(nn.Module):
    """Export wrapper for streaming: log-mel ``[batch, n_mels, frames]`` -> softmax ``probabilities``."""

    def __init__(self, net: WakewordNet) -> None:
        super().__init__()
        self.backbone = net.backbone

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.backbone(mel), dim=-1)
