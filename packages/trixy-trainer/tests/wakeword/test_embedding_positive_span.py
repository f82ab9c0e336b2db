"""``data.positive_after_s``: how long after the wake phrase's end training windows count as the wake word; and
``data.command_positive_s``: how long after a following command starts they still do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.config import load_config
from trixy_trainer.errors import ConfigError, TrainerError
from trixy_trainer.wakeword.embedding_corpus import HOP, WINDOW_END_OFFSET, ClipSet, window_labels
from trixy_trainer.wakeword.embedding_train import command_positive_samples, positive_after_samples

WINDOWS = 16
ROWS = 80  # 6.4 s of embeddings per clip


def _clips(wake_end: list[int], command_start: list[int] | None = None) -> ClipSet:
    n = len(wake_end)
    return ClipSet(
        embeddings=np.zeros((n * ROWS, 96), np.float16),
        offsets=np.arange(n + 1, dtype=np.int64) * ROWS,
        labels=np.array([0 if we >= 0 else 1 for we in wake_end], np.int64),
        wake_end=np.array(wake_end, np.int64),
        voices=["en-us"] * n,
        command_start=None if command_start is None else np.array(command_start, np.int64),
    )


def _window_end(index: np.ndarray) -> np.ndarray:
    return (index % ROWS) * HOP + WINDOW_END_OFFSET


@pytest.mark.parametrize("after_s", [0.4, 1.0])
def test_windows_after_the_phrase_are_positive_up_to_the_span_then_left_out_then_negative(after_s: float) -> None:
    wake_end = 3 * 16000
    ends, labels = window_labels(_clips([wake_end]), WINDOWS, 1, positive_after_samples(after_s))
    offset = (_window_end(ends) - wake_end) / 16000  # seconds from the phrase's end to each window's end
    positive = offset[labels == 0]
    assert positive.min() >= -0.04 and positive.max() <= after_s and positive.max() > after_s - 0.08
    negative = offset[labels == 1]
    assert not ((negative > -0.3) & (negative < 1.25)).any()  # never "not the wake word" while the window holds it
    assert (negative >= 1.25).any() and (negative <= -0.3).any()


def test_a_longer_span_gives_more_positive_windows_and_leaves_negatives_alone() -> None:
    clips = _clips([3 * 16000, -1])
    short = window_labels(clips, WINDOWS, 1, positive_after_samples(0.4))
    long = window_labels(clips, WINDOWS, 1, positive_after_samples(1.0))
    assert (long[1] == 0).sum() >= 2 * (short[1] == 0).sum()
    speech_rows = lambda result: result[0][result[0] >= ROWS]  # noqa: E731 - the second clip: no wake word
    assert np.array_equal(speech_rows(short), speech_rows(long))


@pytest.mark.parametrize("value", ["soon", -1, 0.05, 1.3])
def test_bad_spans_are_config_errors(value) -> None:
    with pytest.raises(ConfigError, match="positive_after_s"):
        positive_after_samples(value)


def test_the_default_and_a_hydra_override() -> None:
    config_dir = Path(__file__).resolve().parents[4] / "config" / "trainer"
    assert positive_after_samples(load_config("wakeword", [], config_dir).data.positive_after_s) == 16000  # 1.0 s
    cfg = load_config("wakeword", ["data.positive_after_s=0.4"], config_dir)  # the span before 2026-12-06
    assert positive_after_samples(cfg.data.positive_after_s) == 6400


def test_a_command_after_the_phrase_ends_its_positive_span_early_and_leaves_the_rest_out() -> None:
    wake_end, command = 3 * 16000, 3 * 16000 + 3200  # the command starts 0.2 s after the phrase
    clips = _clips([wake_end, wake_end, -1], [command, -1, -1])
    plain = window_labels(clips, WINDOWS, 1, positive_after_samples(1.0))
    ends, labels = window_labels(clips, WINDOWS, 1, positive_after_samples(1.0), command_positive_samples(0.2))
    first = ends < ROWS
    offset = (_window_end(ends[first]) - wake_end) / 16000
    positive = offset[labels[first] == 0]
    assert positive.min() >= -0.04 and 0.3 < positive.max() <= 0.4  # until 0.2 s into the command
    negative = offset[labels[first] == 1]
    assert not ((negative > -0.3) & (negative < 1.25)).any()  # the windows after it are left out, not negatives
    assert first.sum() < (plain[0] < ROWS).sum()
    rest = lambda result: (result[0][result[0] >= ROWS], result[1][result[0] >= ROWS])  # noqa: E731
    for a, b in zip(rest(plain), rest((ends, labels)), strict=True):  # no command: the phrase's own span, as before
        np.testing.assert_array_equal(a, b)


def test_the_command_rule_needs_clips_that_record_commands_and_checks_its_value() -> None:
    with pytest.raises(TrainerError, match="command_positive_s"):
        window_labels(_clips([3 * 16000]), WINDOWS, 1, positive_after_samples(1.0), command_positive_samples(0.2))
    assert command_positive_samples(None) is None and command_positive_samples(0) == 0
    for bad in ("soon", -0.1, 1.3, True):
        with pytest.raises(ConfigError, match="command_positive_s"):
            command_positive_samples(bad)
    config_dir = Path(__file__).resolve().parents[4] / "config" / "trainer"
    assert load_config("wakeword", [], config_dir).data.command_positive_s is None  # off by default
