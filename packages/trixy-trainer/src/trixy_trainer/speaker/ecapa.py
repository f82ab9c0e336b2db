"""ECAPA-TDNN speaker encoder written from the paper (Desplanques et al., Interspeech 2020).

SE-Res2Net blocks with growing dilation, multi-layer feature aggregation (MFA) of all block outputs, attentive
statistics pooling with global context, and a linear embedding layer. ``channels`` and friends make the same code a
full ECAPA (C=512/1024) or the slim variants Trixy ships (C=64..128), chosen in ``config/trainer/speaker/model``.
"""

from __future__ import annotations

import torch
from torch import nn


class Conv1dReluBn(nn.Module):
    """TDNN layer: dilated 1-D convolution, ReLU, batch norm (the order the paper uses)."""

    def __init__(self, cin: int, cout: int, kernel: int = 1, dilation: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, kernel, dilation=dilation, padding=dilation * (kernel - 1) // 2)
        self.bn = nn.BatchNorm1d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(torch.relu(self.conv(x)))


class Res2Conv(nn.Module):
    """Res2Net split: ``scale`` channel groups, each group convolved after adding the previous group's output."""

    def __init__(self, channels: int, kernel: int, dilation: int, scale: int) -> None:
        super().__init__()
        if channels % scale:
            raise ValueError(f"channels ({channels}) must be divisible by res2 scale ({scale})")
        self.scale = scale
        width = channels // scale
        self.convs = nn.ModuleList(Conv1dReluBn(width, width, kernel, dilation) for _ in range(scale - 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        chunks = torch.chunk(x, self.scale, dim=1)
        out = [chunks[0]]
        y = chunks[0]
        for i, conv in enumerate(self.convs):
            y = conv(chunks[i + 1] if i == 0 else chunks[i + 1] + y)
            out.append(y)
        return torch.cat(out, dim=1)


class SqueezeExcite(nn.Module):
    """Channel attention from the utterance mean (squeeze) through a bottleneck (excite)."""

    def __init__(self, channels: int, bottleneck: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv1d(channels, bottleneck, 1)
        self.fc2 = nn.Conv1d(bottleneck, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=2, keepdim=True)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))


class SERes2Block(nn.Module):
    """1x1 conv -> dilated Res2 conv -> 1x1 conv -> SE, with a residual connection."""

    def __init__(self, channels: int, kernel: int, dilation: int, scale: int, se_bottleneck: int) -> None:
        super().__init__()
        self.pre = Conv1dReluBn(channels, channels, 1)
        self.res2 = Res2Conv(channels, kernel, dilation, scale)
        self.post = Conv1dReluBn(channels, channels, 1)
        self.se = SqueezeExcite(channels, se_bottleneck)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.se(self.post(self.res2(self.pre(x))))


class AttentiveStatsPool(nn.Module):
    """Attentive statistics pooling with global context: weighted mean and std over time per channel."""

    def __init__(self, channels: int, attention_channels: int, global_context: bool = True) -> None:
        super().__init__()
        self.global_context = global_context
        cin = channels * 3 if global_context else channels
        self.attention = nn.Sequential(
            nn.Conv1d(cin, attention_channels, 1),
            nn.ReLU(),
            nn.BatchNorm1d(attention_channels),
            nn.Tanh(),
            nn.Conv1d(attention_channels, channels, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.global_context:
            mean = x.mean(dim=2, keepdim=True).expand_as(x)
            std = torch.sqrt(x.var(dim=2, keepdim=True, unbiased=False).clamp(min=1e-5)).expand_as(x)
            attn_in = torch.cat([x, mean, std], dim=1)
        else:
            attn_in = x
        w = torch.softmax(self.attention(attn_in), dim=2)
        mu = torch.sum(w * x, dim=2)
        sigma = torch.sqrt((torch.sum(w * x * x, dim=2) - mu * mu).clamp(min=1e-5))
        return torch.cat([mu, sigma], dim=1)


class EcapaTdnn(nn.Module):
    """Features ``[batch, n_features, frames]`` -> speaker embedding ``[batch, embedding_dim]`` (not normalised)."""

    def __init__(
        self,
        n_features: int = 40,
        channels: int = 128,
        embedding_dim: int = 128,
        scale: int = 8,
        dilations: tuple[int, ...] | list[int] = (2, 3, 4),
        mfa_channels: int | None = None,
        attention_channels: int = 64,
        se_bottleneck: int = 64,
        global_context: bool = True,
    ) -> None:
        super().__init__()
        mfa_channels = mfa_channels or channels * len(dilations)
        self.embedding_dim = embedding_dim
        self.stem = Conv1dReluBn(n_features, channels, kernel=5)
        self.blocks = nn.ModuleList(
            SERes2Block(channels, 3, int(d), scale, se_bottleneck) for d in dilations
        )
        self.mfa = nn.Sequential(nn.Conv1d(channels * len(dilations), mfa_channels, 1), nn.ReLU())
        self.pool = AttentiveStatsPool(mfa_channels, attention_channels, global_context)
        self.pool_bn = nn.BatchNorm1d(mfa_channels * 2)
        self.embed = nn.Linear(mfa_channels * 2, embedding_dim)
        self.embed_bn = nn.BatchNorm1d(embedding_dim)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        x = self.stem(feats)
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        x = self.mfa(torch.cat(outs, dim=1))
        x = self.pool_bn(self.pool(x))
        return self.embed_bn(self.embed(x))
