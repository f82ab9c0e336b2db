"""The full-window graph (the ONNX contract) scores a word wherever a short file put it: ``probabilities`` is the most
wake-like of the last window and the windows ending up to 1.2 s before it, silence put before the input, but only
where the steps a window drops at the end are quiet; ``window_probabilities`` is the last window, the stream's row.
With ``smoothing`` each window's row is first averaged with the windows before it, as the satellite smooths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trixy_trainer.models.embedding_wakeword import (
    HOP_SAMPLES,
    LOOKBACK_HOPS,
    EmbeddingHead,
    EmbeddingWakewordNet,
    EmbeddingWakewordProbabilities,
    dither,
)
from trixy_trainer.pretrained import speech_embedding as se


@pytest.fixture(scope="module")
def wrapper() -> EmbeddingWakewordProbabilities:
    torch.manual_seed(0)
    mel, embedding = se.load_speech_frontend()
    return EmbeddingWakewordProbabilities(EmbeddingWakewordNet(mel, embedding, EmbeddingHead(3, members=2)).eval()).eval()


@pytest.fixture(scope="module")
def smoothed(wrapper) -> EmbeddingWakewordProbabilities:
    return EmbeddingWakewordProbabilities(wrapper.net, smoothing=2).eval()


def _rows_by_hand(wrapper: EmbeddingWakewordProbabilities, audio: np.ndarray, extra: int = 0) -> np.ndarray:
    """Each window one at a time: the window ending k steps early is the input moved k steps later, silence first."""
    net, size = wrapper.net, audio.size
    rows = []
    with torch.no_grad():
        for k in range(LOOKBACK_HOPS + extra, -1, -1):
            moved = np.concatenate([np.zeros(k * HOP_SAMPLES, np.float32), audio[: size - k * HOP_SAMPLES]])
            x = torch.from_numpy(moved)[None] + dither(size)
            rows.append(torch.softmax(net(x), dim=-1)[0].numpy())
    return np.array(rows)  # [lookback + 1, classes], the last window last


def _burst(rng: np.random.Generator, seconds: float, start: float = 0.0, total: float = 2.0) -> np.ndarray:
    audio = np.zeros(int(total * 16000), np.float32)
    first = int(start * 16000)
    audio[first : first + int(seconds * 16000)] = 0.3 * rng.standard_normal(int(seconds * 16000))
    return audio


def _run(wrapper: EmbeddingWakewordProbabilities, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        chosen, last = wrapper(torch.from_numpy(audio)[None])
    return chosen[0].numpy(), last[0].numpy()


def test_an_input_that_ends_in_sound_gets_its_last_window_the_streams_row(wrapper) -> None:
    audio = _burst(np.random.default_rng(1), 2.0)
    chosen, last = _run(wrapper, audio)
    rows = _rows_by_hand(wrapper, audio)
    np.testing.assert_allclose(last, rows[-1], atol=1e-5)
    np.testing.assert_array_equal(chosen, last)


def test_a_sound_followed_by_silence_is_scored_at_its_most_wake_like_window(wrapper) -> None:
    audio = _burst(np.random.default_rng(2), 0.5, start=0.05)  # a short file padded after it: 1.45 s of silence
    chosen, last = _run(wrapper, audio)
    rows = _rows_by_hand(wrapper, audio)
    np.testing.assert_allclose(last, rows[-1], atol=1e-5)
    assert np.argmin(rows[:, -1]) < LOOKBACK_HOPS  # (this seeded head scores an earlier window best)
    np.testing.assert_allclose(chosen, rows[np.argmin(rows[:, -1])], atol=1e-5)  # every window may count
    assert chosen[-1] <= last[-1]


def test_only_windows_that_drop_quiet_steps_count(wrapper) -> None:
    rng = np.random.default_rng(3)
    audio = _burst(rng, 1.6)  # sound, then 0.4 s (5 steps) of silence at the end
    rows = _rows_by_hand(wrapper, audio)
    allowed = rows[-6:]  # the last window and the 5 that drop only silence
    assert np.argmin(rows[:, -1]) < LOOKBACK_HOPS - 5  # the best of all drops sound: it must not be chosen
    chosen, _ = _run(wrapper, audio)
    np.testing.assert_allclose(chosen, allowed[np.argmin(allowed[:, -1])], atol=1e-5)
    # a loud final step (a window cut out of talk) turns every earlier window off
    audio[-HOP_SAMPLES:] = 0.3 * rng.standard_normal(HOP_SAMPLES)
    chosen, last = _run(wrapper, audio)
    np.testing.assert_array_equal(chosen, last)


def test_the_batch_is_scored_row_by_row(wrapper) -> None:
    rng = np.random.default_rng(4)
    batch = np.stack([_burst(rng, 0.5, start=0.1), _burst(rng, 2.0), _burst(rng, 1.6)])
    with torch.no_grad():
        chosen, last = wrapper(torch.from_numpy(batch))
    for i, audio in enumerate(batch):
        one, one_last = _run(wrapper, audio)
        np.testing.assert_allclose(chosen[i].numpy(), one, atol=1e-6)
        np.testing.assert_allclose(last[i].numpy(), one_last, atol=1e-6)


def _best(candidates: np.ndarray) -> np.ndarray:
    return candidates[np.argmin(candidates[:, -1])]


def test_smoothing_averages_each_window_with_the_one_before_it_as_the_satellite_does(wrapper, smoothed) -> None:
    audio = _burst(np.random.default_rng(2), 0.5, start=0.05)  # a short file: every window may count
    rows = _rows_by_hand(wrapper, audio, extra=1)
    pairs = (rows[1:] + rows[:-1]) / 2  # [lookback + 1, classes]: each window with the one before it
    chosen, last = _run(smoothed, audio)
    np.testing.assert_allclose(last, rows[-1], atol=1e-5)  # window_probabilities stays the stream's row
    np.testing.assert_allclose(chosen, _best(np.vstack([pairs, rows[-1:]])), atol=1e-5)
    assert np.argmin(pairs[:, -1]) < LOOKBACK_HOPS and pairs[:, -1].min() < rows[-1, -1]  # (a pair is chosen here)
    unsmoothed, _ = _run(wrapper, audio)
    assert chosen[-1] >= unsmoothed[-1] - 1e-6  # a mean never beats the single best window


def test_with_smoothing_an_input_that_ends_in_sound_gets_its_last_window_or_its_last_pair(wrapper, smoothed) -> None:
    for seed in (5, 6, 7):
        audio = _burst(np.random.default_rng(seed), 2.0)
        rows = _rows_by_hand(wrapper, audio, extra=1)
        chosen, last = _run(smoothed, audio)
        np.testing.assert_allclose(chosen, _best(np.vstack([rows[-2:].mean(axis=0), rows[-1]])), atol=1e-5)


def test_smoothing_keeps_the_quiet_rule(wrapper, smoothed) -> None:
    audio = _burst(np.random.default_rng(3), 1.6)  # 5 quiet steps at the end
    rows = _rows_by_hand(wrapper, audio, extra=1)
    pairs = ((rows[1:] + rows[:-1]) / 2)[-6:]  # the last window's pair and the 5 that drop only silence
    chosen, _ = _run(smoothed, audio)
    np.testing.assert_allclose(chosen, _best(np.vstack([pairs, rows[-1:]])), atol=1e-5)
    assert np.argmin(((rows[1:] + rows[:-1]) / 2)[:, -1]) < LOOKBACK_HOPS - 5  # the best pair of all drops sound


def test_smoothing_is_at_least_one_window(wrapper) -> None:
    with pytest.raises(ValueError, match="smoothing"):
        EmbeddingWakewordProbabilities(wrapper.net, smoothing=0)
