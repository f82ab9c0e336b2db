"""Wake-word network on a frozen real-speech embedding: audio -> openWakeWord mel -> speech embedding -> small head.

Only the head is trained (on espeak-ng speech); the front end was trained by Google on real speech, which is what
lets a model trained on one synthesiser hear people. Two export forms share the weights:

- full window: ``audio [batch, chunk_samples]`` -> ``probabilities`` (the fixed Trixy contract);
- streaming: each block of ``k`` 80 ms hops computes only its new mel frames and embeddings from cached context
  (inputs ``audio``, ``mel_context``, ``embedding_context``), ~10x less work per second than the full window.

Both exported graphs add a fixed dither at the level of 16-bit quantisation noise (``DITHER_DBFS``) to their input:
digital silence (exact zeros, as text-to-speech files and noise-gated microphones give) otherwise reaches the
embedding 100 dB below anything real, where the head was never trained, and halved the detection of clean words
framed by it. The pattern repeats every 80 ms step and is aligned to the steps, so both graphs add the same value to
the same sample and stay equal. Real audio, always far above it, is unchanged in effect; training runs without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from trixy_trainer.pretrained.speech_embedding import (
    EMBEDDING_DIM,
    N_FFT,
    N_MELS,
    STEP_FRAMES,
    WINDOW_FRAMES,
    SpeechEmbedding,
    SpeechMel,
    samples_for_embeddings,
)

HOP_SAMPLES = 1280  # one embedding step (8 mel frames of 160 samples)
#: samples a block of k hops needs: its 8k new mel frames (the last one ends 128 samples before the block end)
BLOCK_OVERLAP = N_FFT - 160  # 352 = 512 + (8k - 1) * 160 - 1280k
LAST_FRAME_LAG = 128  # the newest complete frame ends this many samples before the newest sample
#: the exported graphs' dither: Gaussian, the variance of 16-bit quantisation noise (1/12 of a squared step)
DITHER_STD = math.sqrt(1.0 / 12.0) / 32768.0
DITHER_DBFS = round(20.0 * math.log10(DITHER_STD), 1)
DITHER_SEED = 1280


def dither(samples: int, offset: int = 0) -> torch.Tensor:
    """The dither for ``samples`` samples whose first one sits ``offset`` samples after an 80 ms step boundary."""
    pattern = np.random.default_rng(DITHER_SEED).normal(0.0, DITHER_STD, HOP_SAMPLES).astype(np.float32)
    return torch.from_numpy(pattern[(np.arange(samples) + offset) % HOP_SAMPLES])


def _mlp(num_classes: int, windows: int, hidden: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(windows * EMBEDDING_DIM, hidden),
        nn.LayerNorm(hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, hidden),
        nn.LayerNorm(hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


class EmbeddingHead(nn.Module):
    """``[batch, windows, 96]`` speech embeddings -> class logits (openWakeWord's head shape, 3 classes or more).

    With ``members`` > 1 the head is an ensemble of that many MLPs trained side by side from different initial
    weights: its output is the log of their averaged probabilities (so a softmax of it is that average). Averaging
    cuts the run-to-run spread of one small head on voices it never heard. With ``center`` the window's mean
    embedding is subtracted first (what stays the same for 1.28 s, such as the voice and the room, carries less).
    """

    def __init__(
        self, num_classes: int, windows: int = 16, hidden: int = 128, dropout: float = 0.3, members: int = 1, center: bool = False
    ) -> None:
        super().__init__()
        if members < 1:
            raise ValueError(f"an embedding head needs at least one member, got {members}")
        self.windows = windows
        self.size = members
        self.center = bool(center)
        if members == 1:  # the state-dict layout of every single-head model (layers.*)
            self.layers = _mlp(num_classes, windows, hidden, dropout)
        else:
            self.members = nn.ModuleList(_mlp(num_classes, windows, hidden, dropout) for _ in range(members))

    @property
    def mlps(self) -> list[nn.Sequential]:
        """The member MLPs in order (one for a single head)."""
        return [self.layers] if self.size == 1 else list(self.members)

    def member_logits(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Every member's logits ``[members, batch, classes]`` (what training fits, member by member)."""
        if self.center:
            embeddings = embeddings - embeddings.mean(dim=1, keepdim=True)
        if self.size == 1:
            return self.layers(embeddings)[None]
        return torch.stack([member(embeddings) for member in self.members])

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        if self.size == 1:
            return self.member_logits(embeddings)[0]
        probabilities = torch.softmax(self.member_logits(embeddings), dim=-1).mean(dim=0)
        return torch.log(probabilities.clamp_min(1e-12))


def embedding_head(architecture: str, num_classes: int, params: Mapping[str, Any] | None = None) -> EmbeddingHead:
    """The ``model=speech_embedding`` group's ``_target_``: the trainable head (``params``: its arguments)."""
    if architecture != "speech_embedding":
        raise ValueError(f"embedding_head builds architecture speech_embedding, not {architecture!r}")
    return EmbeddingHead(num_classes, **dict(params or {}))


class EmbeddingWakewordNet(nn.Module):
    """``audio [batch, chunk_samples]`` -> logits for the window that ends at the last sample."""

    def __init__(self, mel: SpeechMel, embedding: SpeechEmbedding, head: EmbeddingHead) -> None:
        super().__init__()
        self.mel, self.embedding, self.head = mel, embedding, head
        self.frames = WINDOW_FRAMES + (head.windows - 1) * STEP_FRAMES

    @property
    def chunk_samples(self) -> int:
        """Shortest window (a whole number of hops) that holds the head's embeddings."""
        need = samples_for_embeddings(self.head.windows) + LAST_FRAME_LAG
        return -(-need // HOP_SAMPLES) * HOP_SAMPLES

    def embed(self, audio: torch.Tensor) -> torch.Tensor:
        """Every embedding of ``audio`` ``[batch, samples]`` -> ``[batch, n, 96]`` (frozen front end)."""
        return self.embedding(self.mel(audio))

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        mel = self.mel(audio)[:, -self.frames :]
        return self.head(self.embedding(mel))

    def reparameterize(self) -> EmbeddingWakewordNet:
        """Nothing to merge (kept for the export path shared with the CNN models)."""
        return self.eval()


class EmbeddingWakewordProbabilities(nn.Module):
    """Full-window export wrapper: ``audio`` -> softmax ``probabilities``."""

    def __init__(self, net: EmbeddingWakewordNet) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("dither", dither(net.chunk_samples))  # windows end on a step boundary

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(audio + self.dither), dim=-1)


class EmbeddingWakewordStream(nn.Module):
    """Streaming export wrapper: one block of ``k`` hops in, ``k`` probability rows and the new contexts out.

    ``audio`` holds the block's samples plus the 352 before them, minus the newest 128 (``1280 k + 352`` samples);
    ``mel_context`` the 68 mel frames and ``embedding_context`` the ``windows - 1`` embeddings before the block.
    """

    def __init__(self, net: EmbeddingWakewordNet, block_hops: int = 4) -> None:
        super().__init__()
        self.net = net
        self.mel_context = WINDOW_FRAMES - STEP_FRAMES
        self.embedding_context = net.head.windows - 1
        # the input starts BLOCK_OVERLAP + LAST_FRAME_LAG samples before a step boundary
        self.register_buffer("dither", dither(HOP_SAMPLES * block_hops + BLOCK_OVERLAP, -(BLOCK_OVERLAP + LAST_FRAME_LAG)))

    def forward(
        self, audio: torch.Tensor, mel_context: torch.Tensor, embedding_context: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mel = torch.cat([mel_context, self.net.mel(audio + self.dither)], dim=1)
        new = self.net.embedding(mel)  # [B, k, 96]
        embeddings = torch.cat([embedding_context, new], dim=1)
        windows = embeddings.unfold(1, self.net.head.windows, 1).transpose(2, 3)  # [B, k, windows, 96]
        batch, blocks = windows.shape[0], windows.shape[1]
        logits = self.net.head(windows.reshape(batch * blocks, self.net.head.windows, EMBEDDING_DIM))
        probabilities = torch.softmax(logits, dim=-1).reshape(batch, blocks, -1)
        return probabilities, mel[:, -self.mel_context :], embeddings[:, -self.embedding_context :]


def initial_contexts(net: EmbeddingWakewordNet) -> tuple[torch.Tensor, torch.Tensor]:
    """Contexts equal to an all-silent history (what the full-window graph sees for zero padding, dither included)."""
    silence = dither(net.chunk_samples)[None]
    with torch.no_grad():
        mel = net.mel(silence)[:, -net.frames :]  # as the full window: its last embedding ends on the last frame
        emb = net.embedding(mel)
    return mel[:, -(WINDOW_FRAMES - STEP_FRAMES) :], emb[:, -(net.head.windows - 1) :]


__all__ = [
    "BLOCK_OVERLAP",
    "DITHER_DBFS",
    "HOP_SAMPLES",
    "LAST_FRAME_LAG",
    "N_MELS",
    "EmbeddingHead",
    "EmbeddingWakewordNet",
    "EmbeddingWakewordProbabilities",
    "EmbeddingWakewordStream",
    "initial_contexts",
]
