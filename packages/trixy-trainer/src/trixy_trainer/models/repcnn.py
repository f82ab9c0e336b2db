"""RepCNN: multi-branch 1-D convolution blocks for training, re-parameterised into single convolutions for inference.

Input is a log-mel map ``[batch, n_mels, frames]`` (mel bands as channels, convolution over time). Each block is a
depthwise stage (k-tap conv + 1-tap conv + identity, each with BatchNorm) and a pointwise stage (1x1 conv +
identity, each with BatchNorm), as in RepVGG/MobileOne and Apple's RepCNN for wake words. ``reparameterize()``
folds every branch and BatchNorm into one convolution with bias, giving the same outputs with fewer
parameters and operations.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


def _fuse_bn(weight: torch.Tensor, bias: torch.Tensor | None, bn: nn.BatchNorm1d) -> tuple[torch.Tensor, torch.Tensor]:
    std = torch.sqrt(bn.running_var + bn.eps)
    scale = bn.weight / std
    base = bias if bias is not None else torch.zeros_like(bn.running_mean)
    return weight * scale.reshape(-1, 1, 1), bn.bias + (base - bn.running_mean) * scale


class RepConv1d(nn.Module):
    """A conv whose training form sums a k-tap branch, an optional 1-tap branch and an optional identity branch."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__()
        self.channels_in, self.channels_out = channels_in, channels_out
        self.kernel, self.stride, self.groups = kernel, stride, groups
        self.conv_k = nn.Conv1d(channels_in, channels_out, kernel, stride, kernel // 2, groups=groups, bias=False)
        self.bn_k = nn.BatchNorm1d(channels_out)
        self.conv_1: nn.Conv1d | None = None
        self.bn_1: nn.BatchNorm1d | None = None
        if kernel > 1:
            self.conv_1 = nn.Conv1d(channels_in, channels_out, 1, stride, 0, groups=groups, bias=False)
            self.bn_1 = nn.BatchNorm1d(channels_out)
        self.bn_id = nn.BatchNorm1d(channels_out) if channels_in == channels_out and stride == 1 else None
        self.fused: nn.Conv1d | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fused is not None:
            return self.fused(x)
        out = self.bn_k(self.conv_k(x))
        if self.conv_1 is not None and self.bn_1 is not None:
            out = out + self.bn_1(self.conv_1(x))
        if self.bn_id is not None:
            out = out + self.bn_id(x)
        return out

    @torch.no_grad()
    def reparameterize(self) -> None:
        """Fold all branches and BatchNorms into one conv (call in eval mode after training)."""
        if self.fused is not None:
            return
        weight, bias = _fuse_bn(self.conv_k.weight, None, self.bn_k)
        pad = self.kernel // 2
        if self.conv_1 is not None and self.bn_1 is not None:
            w1, b1 = _fuse_bn(self.conv_1.weight, None, self.bn_1)
            weight = weight + F.pad(w1, (pad, pad))
            bias = bias + b1
        if self.bn_id is not None:
            per_group = self.channels_in // self.groups
            ident = torch.zeros(self.channels_out, per_group, self.kernel, device=weight.device)
            for c in range(self.channels_out):
                ident[c, c % per_group, pad] = 1.0
            wi, bi = _fuse_bn(ident, None, self.bn_id)
            weight, bias = weight + wi, bias + bi
        fused = nn.Conv1d(self.channels_in, self.channels_out, self.kernel, self.stride, pad, groups=self.groups)
        fused.weight.copy_(weight)
        fused.bias.copy_(bias)
        self.fused = fused
        for name in ("conv_k", "bn_k", "conv_1", "bn_1", "bn_id"):
            setattr(self, name, None)


class RepBlock(nn.Module):
    """Depthwise RepConv (temporal context) + pointwise RepConv (channel mixing), each followed by ReLU."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.depthwise = RepConv1d(channels_in, channels_in, kernel, stride, groups=channels_in)
        self.pointwise = RepConv1d(channels_in, channels_out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.pointwise(F.relu(self.depthwise(x))))


class RepCNN(nn.Module):
    """Tiny RepCNN backbone: ``[batch, n_mels, frames]`` -> class logits."""

    def __init__(
        self,
        n_mels: int = 40,
        num_classes: int = 3,
        stem_channels: int = 32,
        channels: Sequence[int] = (32, 48, 48, 64, 64),
        strides: Sequence[int] = (2, 1, 2, 1, 1),
        kernel: int = 5,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if len(channels) != len(strides):
            raise ValueError("channels and strides must have the same length")
        self.input_norm = nn.BatchNorm1d(n_mels)
        self.stem = RepConv1d(n_mels, stem_channels, 3, stride=2)
        blocks = []
        prev = stem_channels
        for width, stride in zip(channels, strides, strict=True):
            blocks.append(RepBlock(prev, width, kernel, stride))
            prev = width
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * prev, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(self.input_norm(features)))
        x = self.blocks(x)
        pooled = torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)
        return self.head(self.dropout(pooled))

    def reparameterize(self) -> RepCNN:
        """Fold every multi-branch block into single convolutions (in place); returns self."""
        self.eval()
        for module in self.modules():
            if isinstance(module, RepConv1d):
                module.reparameterize()
        return self
