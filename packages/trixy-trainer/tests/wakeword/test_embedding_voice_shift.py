"""``data.voice_shift_p``: training windows moved, all rows alike, by part of the difference between two wake-phrase
clips' mean embeddings (voice, room and microphone; the phrase cancels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from trixy_trainer.config import load_config
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import ClipSet
from trixy_trainer.wakeword.embedding_module import WindowBatches
from trixy_trainer.wakeword.embedding_train import clip_means, voice_shift_probability, voice_shift_scale

WINDOWS = 4
CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def _batches(voice_means: np.ndarray | None, p: float, seed: int = 7, scale: float = 1.0) -> WindowBatches:
    rows = 40
    embeddings = np.arange(rows * 96, dtype=np.float32).reshape(rows, 96) % 13  # rows differ: windows are not constant
    ends = np.arange(WINDOWS - 1, rows, dtype=np.int64)
    labels = (np.arange(ends.size) % 2).astype(np.int64)  # class 0 = wake, 1 = none
    return WindowBatches(embeddings, ends, labels, 2, WINDOWS, 64, 3, [0.5, 0.5], 0.0, seed, voice_means, p, scale)


def _unshifted(batches: WindowBatches, x: torch.Tensor) -> torch.Tensor:
    """The windows the batch would hold without shifts: found by matching each window's time differences."""
    every = batches.gather(np.arange(batches.ends.size))  # [windows, rows, 96]
    diffs = (x - x[:, :1]).reshape(x.shape[0], -1)
    table = (every - every[:, :1]).reshape(every.shape[0], -1)
    match = torch.cdist(diffs, table).argmin(dim=1)
    return every[match]


def test_every_window_moves_as_a_whole_along_a_difference_of_two_clip_means() -> None:
    means = np.stack([np.full(96, 0.0), np.full(96, 10.0), np.linspace(-5, 5, 96)]).astype(np.float32)
    batches = _batches(means, 1.0)
    for x, _ in batches:
        shift = x - _unshifted(batches, x)
        assert torch.allclose(shift, shift[:, :1].expand_as(shift), atol=1e-4)  # one vector per window, all rows
        moved = shift[:, 0]
        # each shift is u * (means[a] - means[b]) with u in [0, 1): along one pair's difference, never longer
        diffs = torch.from_numpy(means[:, None] - means[None]).reshape(-1, 96)
        diffs = diffs[diffs.norm(dim=1) > 0]
        real = moved[moved.norm(dim=1) > 1e-3]
        cosine = torch.nn.functional.normalize(real, dim=1) @ torch.nn.functional.normalize(diffs, dim=1).T
        best = cosine.argmax(dim=1)
        assert torch.all(cosine.max(dim=1).values > 0.9999)
        assert torch.all(real.norm(dim=1) <= diffs[best].norm(dim=1) + 1e-3)
        assert real.shape[0] > 0.4 * moved.shape[0]  # most windows really move (a == b moves nothing)


def test_no_means_or_zero_probability_leaves_windows_unchanged_and_the_draws_alike() -> None:
    means = np.random.default_rng(0).normal(size=(5, 96)).astype(np.float32) * 3
    for batches in (_batches(None, 0.5), _batches(means, 0.0)):
        for x, _ in batches:
            assert torch.equal(x, _unshifted(batches, x))
    plain = [y for _, y in _batches(None, 0.0)]
    off = [y for _, y in _batches(means, 0.0)]
    assert all(torch.equal(a, b) for a, b in zip(plain, off, strict=True))  # the same windows drawn


def test_about_the_configured_share_of_windows_moves() -> None:
    means = np.stack([np.zeros(96), np.full(96, 4.0)]).astype(np.float32)
    batches = _batches(means, 0.3, seed=3)
    moved = total = 0
    for x, _ in batches:
        shift = (x - _unshifted(batches, x))[:, 0]
        moved += int((shift.norm(dim=1) > 1e-3).sum())
        total += x.shape[0]
    # p = 0.3, and half the pairs (a == b) move nothing: about 15 % of 192 windows
    assert 0.05 < moved / total < 0.3


def test_clip_means_are_the_mean_embedding_of_each_clip() -> None:
    embeddings = np.array([[1.0] * 96, [3.0] * 96, [10.0] * 96, [20.0] * 96, [30.0] * 96], np.float16)
    clips = ClipSet(embeddings, np.array([0, 2, 5], np.int64), np.array([0, 0]), np.array([100, 200]), ["a", "b"])
    assert np.allclose(clip_means(clips), np.array([[2.0] * 96, [20.0] * 96]))


def test_the_scale_bounds_how_far_a_window_moves() -> None:
    means = np.stack([np.zeros(96), np.full(96, 1.0)]).astype(np.float32)  # the one difference has norm 9.8
    for scale in (0.25, 2.0):
        batches = _batches(means, 1.0, seed=5, scale=scale)
        lengths = torch.cat([(x - _unshifted(batches, x))[:, 0].norm(dim=1) for x, _ in batches])
        assert float(lengths.max()) <= scale * np.sqrt(96) + 1e-3
        assert float(lengths.max()) > 0.8 * scale * np.sqrt(96)


@pytest.mark.parametrize("value", ["often", -0.1, 1.5, True])
def test_bad_probabilities_are_config_errors(value) -> None:
    with pytest.raises(ConfigError, match="voice_shift_p"):
        voice_shift_probability(value)


@pytest.mark.parametrize("value", ["far", 0, -1.0, 3.5, False])
def test_bad_scales_are_config_errors(value) -> None:
    with pytest.raises(ConfigError, match="voice_shift_scale"):
        voice_shift_scale(value)


def test_null_is_off_and_the_recipe_default_and_an_override_compose() -> None:
    assert voice_shift_probability(None) == 0.0 and voice_shift_scale(None) == 1.0
    default = load_config("wakeword", [], CONFIG_DIR).data
    assert voice_shift_probability(default.voice_shift_p) == 1.0 and voice_shift_scale(default.voice_shift_scale) == 1.0
    before = load_config("wakeword", ["data.voice_shift_p=0", "data.voice_shift_scale=1.5"], CONFIG_DIR).data  # before 2026-12-06
    assert voice_shift_probability(before.voice_shift_p) == 0.0 and voice_shift_scale(before.voice_shift_scale) == 1.5
