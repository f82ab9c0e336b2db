"""TitaNet-S-like encoder: the smaller alternative to ECAPA-TDNN (Koluguri et al., 2022, shrunk).

Depthwise-separable 1-D convolutions with squeeze-excitation and residuals, then the same attentive statistics
pooling as ECAPA. Far fewer weights per channel than ECAPA's dense convolutions.
"""

from __future__ import annotations

import torch
from torch import nn

from trixy_trainer.speaker.ecapa import AttentiveStatsPool, SqueezeExcite


class SeparableConv(nn.Module):
    """Depthwise conv (time) + pointwise conv (channels) + batch norm."""

    def __init__(self, cin: int, cout: int, kernel: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv1d(cin, cin, kernel, padding=kernel // 2, groups=cin)
        self.pointwise = nn.Conv1d(cin, cout, 1)
        self.bn = nn.BatchNorm1d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.pointwise(self.depthwise(x)))


class MegaBlock(nn.Module):
    """``repeats`` separable convs with ReLU, SE on the output, and a 1x1 residual path."""

    def __init__(self, channels: int, kernel: int, repeats: int, se_bottleneck: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(SeparableConv(channels, channels, kernel) for _ in range(repeats))
        self.se = SqueezeExcite(channels, se_bottleneck)
        self.residual = nn.Sequential(nn.Conv1d(channels, channels, 1), nn.BatchNorm1d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for i, conv in enumerate(self.convs):
            y = conv(y)
            if i < len(self.convs) - 1:
                y = torch.relu(y)
        return torch.relu(self.se(y) + self.residual(x))


class TitaNetLite(nn.Module):
    """Features ``[batch, n_features, frames]`` -> embedding ``[batch, embedding_dim]``."""

    def __init__(
        self,
        n_features: int = 40,
        channels: int = 128,
        embedding_dim: int = 128,
        kernels: tuple[int, ...] | list[int] = (7, 11, 15),
        repeats: int = 2,
        attention_channels: int = 64,
        se_bottleneck: int = 32,
        out_channels: int | None = None,
    ) -> None:
        super().__init__()
        out_channels = out_channels or channels * 2
        self.embedding_dim = embedding_dim
        self.stem = nn.Sequential(SeparableConv(n_features, channels, 3), nn.ReLU())
        self.blocks = nn.Sequential(*(MegaBlock(channels, int(k), repeats, se_bottleneck) for k in kernels))
        self.final = nn.Sequential(nn.Conv1d(channels, out_channels, 1), nn.BatchNorm1d(out_channels), nn.ReLU())
        self.pool = AttentiveStatsPool(out_channels, attention_channels, global_context=True)
        self.pool_bn = nn.BatchNorm1d(out_channels * 2)
        self.embed = nn.Linear(out_channels * 2, embedding_dim)
        self.embed_bn = nn.BatchNorm1d(embedding_dim)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        x = self.final(self.blocks(self.stem(feats)))
        return self.embed_bn(self.embed(self.pool_bn(self.pool(x))))
