"""Lightning module and batch sampler for the speech-embedding head (trained on cached embeddings).

Batches mix windows by share: each wake class, hard negatives (the training negatives the head currently scores
highest, re-mined every few epochs), and the rest of the negatives. Voice shifts (a random part of the difference
between two wake-phrase clips' mean embeddings, added to a whole window), a little Gaussian noise and random scaling
on the embeddings stand in for voices and rooms the corpus does not have.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import IterableDataset

from trixy_trainer.models.embedding_wakeword import EmbeddingHead
from trixy_trainer.schedules import OptimizerFactory, SchedulerFactory, configure_optimizers


class WindowBatches(IterableDataset):
    """Endless-per-epoch balanced batches of ``[batch, windows, 96]`` embeddings and labels."""

    def __init__(
        self,
        embeddings: np.ndarray,
        ends: np.ndarray,
        labels: np.ndarray,
        classes: int,
        windows: int,
        batch_size: int,
        steps: int,
        balance: Sequence[float],
        hard_share: float,
        seed: int,
        voice_means: np.ndarray | None = None,
        voice_shift_p: float = 0.0,
        voice_shift_scale: float = 1.0,
    ) -> None:
        self.flat = torch.from_numpy(embeddings.astype(np.float32))
        self.ends, self.labels = ends, labels
        self.by_class = [np.flatnonzero(labels == c) for c in range(classes)]
        self.windows, self.batch_size, self.steps = windows, batch_size, steps
        self.balance = np.asarray(balance, np.float64) / np.sum(balance)
        self.hard_share = hard_share
        self.hard = np.zeros(0, np.int64)  # indices into ends/labels of mined negatives
        self.rng = np.random.default_rng(seed)
        self.offsets = torch.arange(-(windows - 1), 1)
        self.voice_means = None if voice_means is None else torch.from_numpy(voice_means.astype(np.float32))
        self.voice_shift_p, self.voice_shift_scale = voice_shift_p, voice_shift_scale

    def gather(self, index: np.ndarray) -> torch.Tensor:
        """Windows ending at ``ends[index]``."""
        idx = torch.from_numpy(self.ends[index])[:, None] + self.offsets[None, :]
        return self.flat[idx]

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for _ in range(self.steps):
            counts = self.rng.multinomial(self.batch_size, self.balance)
            picks = []
            for c, n in enumerate(counts):
                pool = self.by_class[c]
                if c == len(counts) - 1 and self.hard.size and self.hard_share > 0:
                    n_hard = int(round(n * self.hard_share))
                    picks.append(self.rng.choice(self.hard, n_hard))
                    n -= n_hard
                if pool.size and n:
                    picks.append(self.rng.choice(pool, n))
            index = np.concatenate(picks)
            yield self.voice_shift(self.gather(index)), torch.from_numpy(self.labels[index])

    def voice_shift(self, x: torch.Tensor) -> torch.Tensor:
        """Move ``voice_shift_p`` of the windows, all their rows alike, by ``u * (means[a] - means[b])``: a and b
        two random wake-phrase clips, u uniform in [0, ``voice_shift_scale``). The two clips say the same phrase, so what their mean
        embeddings differ by is mostly voice, room and microphone: the head learns to ignore those directions."""
        if self.voice_means is None or self.voice_shift_p <= 0:
            return x
        chosen = np.flatnonzero(self.rng.random(x.shape[0]) < self.voice_shift_p)
        a = self.rng.integers(0, len(self.voice_means), chosen.size)
        b = self.rng.integers(0, len(self.voice_means), chosen.size)
        part = torch.from_numpy(self.rng.uniform(0.0, self.voice_shift_scale, chosen.size).astype(np.float32))
        x[torch.from_numpy(chosen)] += (part[:, None] * (self.voice_means[a] - self.voice_means[b]))[:, None, :]
        return x


class HeadModule(L.LightningModule):
    """Trains an :class:`EmbeddingHead` (built from the ``model`` group) with the ``optimizer``/``scheduler``
    partials; re-mines hard negatives every ``mine_every`` epochs."""

    def __init__(
        self,
        head: EmbeddingHead,
        num_classes: int,
        optimizer: OptimizerFactory,
        scheduler: SchedulerFactory | None = None,
        negative_weight: float = 1.0,
        feature_noise: float = 0.5,
        mine_every: int = 4,
        mine_top: int = 20000,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["head", "optimizer", "scheduler"])
        self.head = head
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.batches: WindowBatches | None = None

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        return self.head(embeddings)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        if self.hparams.feature_noise > 0:
            scale = 1.0 + 0.1 * torch.randn(x.shape[0], 1, 1)
            x = x * scale + self.hparams.feature_noise * torch.randn_like(x)
        members = self.head.member_logits(x)  # [members, batch, classes]: each member is fitted on its own
        weight = torch.ones(self.hparams.num_classes)
        weight[-1] = self.hparams.negative_weight
        loss = torch.stack([F.cross_entropy(logits, y, weight=weight) for logits in members]).mean()
        acc = (torch.softmax(members, dim=-1).mean(dim=0).argmax(dim=1) == y).float().mean()
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=y.numel())
        self.log("train_acc", acc, on_step=False, on_epoch=True, batch_size=y.numel())
        return loss

    @torch.no_grad()
    def mine(self) -> None:
        """Keep the negatives with the highest wake scores as the hard pool of the next epochs."""
        batches = self.batches
        if batches is None:
            return
        self.head.eval()
        negatives = batches.by_class[-1]
        scores = np.empty(negatives.size, np.float32)
        for start in range(0, negatives.size, 8192):
            part = negatives[start : start + 8192]
            probs = torch.softmax(self.head(batches.gather(part)), dim=-1)
            scores[start : start + part.size] = 1.0 - probs[:, -1].numpy()
        top = min(int(self.hparams.mine_top), negatives.size)
        batches.hard = negatives[np.argsort(scores)[-top:]]
        self.head.train()
        self.log("hard_negative_score", float(np.sort(scores)[-top]), on_epoch=True)

    def on_train_epoch_end(self) -> None:
        every = int(self.hparams.mine_every)
        if every > 0 and (self.current_epoch + 1) % every == 0:
            self.mine()

    def configure_optimizers(self) -> Any:
        return configure_optimizers(self.parameters(), self.optimizer_factory, self.scheduler_factory, "epoch", self._trainer)
