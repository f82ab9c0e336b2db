"""Wake-word network on a frozen real-speech embedding: audio -> openWakeWord mel -> speech embedding -> small head.

Only the head is trained (on espeak-ng speech); the front end was trained by Google on real speech, which is what
lets a model trained on one synthesiser hear people. Two export forms share the weights:

- full window: ``audio [batch, chunk_samples]`` -> ``probabilities`` (the fixed Trixy contract: the most wake-like
  of the windows ending in the last 1.2 s of the input) and ``window_probabilities`` (the window ending at its end);
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


#: the full-window graph also scores the windows that end up to this many 80 ms steps before its input's end
#: (1.2 s), over silence before the input, so a word anywhere in the input is scored where the head scores it best
LOOKBACK_HOPS = 15
#: ... but a window ending k steps early counts only when the k steps it drops are silence: the input's last
#: k x 80 ms each at least 20 dB below its loudest 80 ms (amplitude ratio). A window that drops speech at the end
#: would see talk cut short and silence before it, which no stream ever shows the head (it fired on held-out talk).
QUIET_RATIO = 0.1


class EmbeddingWakewordProbabilities(nn.Module):
    """Full-window export wrapper: ``audio [batch, chunk_samples]`` -> ``probabilities`` and ``window_probabilities``.

    ``window_probabilities`` is the window that ends at the input's last sample, exactly what the streaming graph
    gives at that hop (the satellite's fallback without a stream graph uses it). ``probabilities`` (the contract's
    output) is the most wake-like (lowest "none") of that window and the ``lookback`` windows ending 80 ms, 160 ms,
    ... before it, the input preceded by (dithered) silence: the head scores a word best 0.2-1.0 s after its end,
    so a caller scoring one padded window per short clip gets the word's score wherever the clip put it (the last
    window alone scored 0 % of clean words placed at the start of the input, with silence after them). A window
    ending k steps early counts only when the input's last k steps are quiet (``QUIET_RATIO``): it then sees the
    input's sound with that silence moved from its end to its start. An input that ends in speech (a window cut
    out of a stream) gets its last window (with ``smoothing``, the more wake-like of it and its smoothed row).

    Each window's row is first averaged with the ``smoothing - 1`` windows before it, exactly as the satellite
    smooths its stream (``detector.smoothing_hops``) and as the stored thresholds were chosen (a single window's
    peak is higher than the smoothed one: without this, clean confusable words met more false accepts at the stored
    threshold than the satellite gives them). The last window also counts as it is: a word that ends near the
    input's end reaches its best score in windows a stream would see later, which a file does not have, and
    smoothing it with the window before (which cuts into the word) missed many more of those words.
    """

    def __init__(self, net: EmbeddingWakewordNet, lookback: int = LOOKBACK_HOPS, smoothing: int = 1) -> None:
        super().__init__()
        if smoothing < 1:
            raise ValueError(f"smoothing is a number of windows (at least 1), got {smoothing}")
        self.net = net
        self.lookback = int(lookback)
        self.smoothing = int(smoothing)
        pad = (self.lookback + self.smoothing - 1) * HOP_SAMPLES
        self.register_buffer("silence", torch.zeros(1, pad))
        self.register_buffer("dither", dither(pad + net.chunk_samples))  # windows end on a step boundary

    def _counting(self, audio: torch.Tensor) -> torch.Tensor:
        """``[B, lookback + 1]``: which windows count, oldest first; the window ending k steps early counts when the
        input's last k steps are all quiet (the last window always counts)."""
        batch = audio.shape[0]
        steps = audio[:, audio.shape[1] % HOP_SAMPLES :].reshape(batch, -1, HOP_SAMPLES)  # 80 ms steps, end-aligned
        level = steps.pow(2).mean(dim=-1)  # [B, steps]: power of each
        loud = (level > level.amax(dim=1, keepdim=True) * QUIET_RATIO**2).to(audio.dtype)
        # loud steps among the newest n, n = 0 .. lookback (cumsum: ONNX has no cumulative product)
        newest = torch.cumsum(torch.flip(loud[:, -self.lookback :], dims=[1]), dim=1)
        dropped_loud = torch.flip(torch.cat([torch.zeros_like(newest[:, :1]), newest], dim=1), dims=[1])
        return dropped_loud < 0.5

    def forward(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch = audio.shape[0]
        padded = torch.cat([self.silence.expand(batch, -1), audio], dim=1) + self.dither
        scored = self.lookback + self.smoothing  # windows scored: the last, the look-back, their smoothing partners
        mel = self.net.mel(padded)[:, -(self.net.frames + STEP_FRAMES * (scored - 1)) :]
        embeddings = self.net.embedding(mel)  # [B, windows + scored - 1, 96]
        size = self.net.head.windows
        windows = embeddings.unfold(1, size, 1).transpose(2, 3)  # [B, scored, windows, 96]
        logits = self.net.head(windows.reshape(batch * scored, size, EMBEDDING_DIM))
        rows = torch.softmax(logits, dim=-1).reshape(batch, scored, -1)
        smoothed = rows.unfold(1, self.smoothing, 1).mean(dim=-1)  # [B, lookback + 1, classes], oldest first
        # ... and the last window as it is (a word near the input's end has no later window to be smoothed with)
        candidates = torch.cat([smoothed, rows[:, -1:]], dim=1)
        counting = torch.cat([self._counting(audio), torch.ones_like(rows[:, -1:, 0], dtype=torch.bool)], dim=1)
        none = torch.where(counting, candidates[:, :, -1], torch.full_like(candidates[:, :, -1], 2.0))
        best = torch.argmin(none, dim=1)  # the most wake-like candidate that counts
        chosen = torch.gather(candidates, 1, best[:, None, None].expand(-1, 1, candidates.shape[-1]))[:, 0]
        return chosen, rows[:, -1]


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
    "LOOKBACK_HOPS",
    "N_MELS",
    "EmbeddingHead",
    "EmbeddingWakewordNet",
    "EmbeddingWakewordProbabilities",
    "EmbeddingWakewordStream",
    "initial_contexts",
]
