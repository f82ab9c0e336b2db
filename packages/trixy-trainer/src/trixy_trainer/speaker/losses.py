"""Speaker losses: AAM-softmax (ArcFace, default), GE2E and batch-hard triplet.

All take L2-normalised embeddings. AAM-softmax scores against the model's prototype rows; GE2E and triplet need
batches of P speakers x K utterances (the data module's sampler makes them for every loss).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class AAMSoftmax(nn.Module):
    """Additive angular margin softmax: CE over ``s * cos(theta + m)`` for the true class, ``s * cos`` otherwise."""

    needs_prototypes = True

    def __init__(self, margin: float = 0.2, scale: float = 30.0, easy_margin: bool = False) -> None:
        super().__init__()
        self.margin = margin
        self.scale = scale
        self.easy_margin = easy_margin

    def forward(self, embedding: torch.Tensor, labels: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
        cosine = F.linear(F.normalize(embedding, dim=1), F.normalize(prototypes, dim=1)).clamp(-1 + 1e-7, 1 - 1e-7)
        sine = torch.sqrt(1.0 - cosine * cosine)
        phi = cosine * math.cos(self.margin) - sine * math.sin(self.margin)
        if self.easy_margin:
            phi = torch.where(cosine > 0, phi, cosine)
        else:  # keep the target logit monotonic beyond theta = pi - m
            th, mm = math.cos(math.pi - self.margin), math.sin(math.pi - self.margin) * self.margin
            phi = torch.where(cosine > th, phi, cosine - mm)
        one_hot = F.one_hot(labels, cosine.shape[1]).to(cosine.dtype)
        logits = self.scale * (one_hot * phi + (1.0 - one_hot) * cosine)
        return F.cross_entropy(logits, labels)


class GE2ELoss(nn.Module):
    """Generalised end-to-end softmax loss (Wan et al., 2018) over P speakers x K utterances per batch."""

    needs_prototypes = False

    def __init__(self, init_w: float = 10.0, init_b: float = -5.0) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(init_w))
        self.b = nn.Parameter(torch.tensor(init_b))

    def forward(self, embedding: torch.Tensor, labels: torch.Tensor, prototypes: torch.Tensor | None = None) -> torch.Tensor:
        speakers = torch.unique(labels)
        emb = F.normalize(embedding, dim=1)
        centroids = torch.stack([emb[labels == s].mean(dim=0) for s in speakers])  # [P, D]
        counts = torch.stack([(labels == s).sum() for s in speakers]).to(emb.dtype)
        index = torch.searchsorted(speakers, labels)  # row of each utterance's own speaker
        # exclusive centroid for the own speaker (utterance removed), as in the paper
        own = (centroids[index] * counts[index, None] - emb) / (counts[index, None] - 1).clamp(min=1)
        sim = F.normalize(emb, dim=1) @ F.normalize(centroids, dim=1).t()
        own_sim = (F.normalize(emb, dim=1) * F.normalize(own, dim=1)).sum(dim=1)
        sim = sim.scatter(1, index[:, None], own_sim[:, None])
        logits = self.w.clamp(min=1e-6) * sim + self.b
        return F.cross_entropy(logits, index)


class TripletLoss(nn.Module):
    """Batch-hard triplet loss on cosine distance: hardest positive vs hardest negative per anchor."""

    needs_prototypes = False

    def __init__(self, margin: float = 0.3) -> None:
        super().__init__()
        self.margin = margin

    def forward(self, embedding: torch.Tensor, labels: torch.Tensor, prototypes: torch.Tensor | None = None) -> torch.Tensor:
        emb = F.normalize(embedding, dim=1)
        dist = 1.0 - emb @ emb.t()
        same = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        pos = torch.where(same & ~eye, dist, torch.full_like(dist, -1.0)).max(dim=1).values
        neg = torch.where(~same, dist, torch.full_like(dist, 4.0)).min(dim=1).values
        valid = (pos >= 0) & (neg < 4.0)
        if not bool(valid.any()):
            return emb.sum() * 0.0
        return F.relu(pos[valid] - neg[valid] + self.margin).mean()


LOSSES = {"aam": AAMSoftmax, "ge2e": GE2ELoss, "triplet": TripletLoss}


def build_loss(name: str, **kwargs: float) -> nn.Module:
    """Create the loss named in ``config/trainer/speaker/loss``."""
    if name not in LOSSES:
        raise ValueError(f"unknown speaker loss {name!r}; choose one of {sorted(LOSSES)}")
    return LOSSES[name](**kwargs)
