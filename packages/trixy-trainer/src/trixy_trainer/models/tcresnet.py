"""TC-ResNet (Choi et al., 2019): temporal 1-D convolutions with mel bands as channels and residual blocks.

The alternative architecture for ``model=tcresnet``; it has no re-parameterisation step.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class TCResBlock(nn.Module):
    """Two k-tap temporal convs with BatchNorm and a (strided 1x1 when needed) shortcut."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels_in, channels_out, kernel, stride, kernel // 2, bias=False)
        self.bn1 = nn.BatchNorm1d(channels_out)
        self.conv2 = nn.Conv1d(channels_out, channels_out, kernel, 1, kernel // 2, bias=False)
        self.bn2 = nn.BatchNorm1d(channels_out)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or channels_in != channels_out:
            self.shortcut = nn.Sequential(nn.Conv1d(channels_in, channels_out, 1, stride, bias=False), nn.BatchNorm1d(channels_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class TCResNet(nn.Module):
    """TC-ResNet8-like backbone: ``[batch, n_mels, frames]`` -> class logits."""

    def __init__(
        self,
        n_mels: int = 40,
        num_classes: int = 3,
        stem_channels: int = 16,
        channels: Sequence[int] = (24, 32, 48),
        kernel: int = 9,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.input_norm = nn.BatchNorm1d(n_mels)
        self.stem = nn.Conv1d(n_mels, stem_channels, 3, 1, 1, bias=False)
        blocks, prev = [], stem_channels
        for width in channels:
            blocks.append(TCResBlock(prev, width, kernel, 2))
            prev = width
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(prev, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(self.input_norm(features)))
        return self.head(self.dropout(x.mean(dim=2)))
