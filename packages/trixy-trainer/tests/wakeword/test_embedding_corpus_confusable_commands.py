"""`data.confusable_command_p`: a share of the training and calibration confusables followed by a command, as half
of the wake phrases are ("tricky, what time is it"), so that a command after a word is not what the head learns as
the wake word. Talk, noise, the wake phrases and the held-out test split never change."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import CorpusConfig, _cache_path, negative_clip
from trixy_trainer.wakeword.embedding_train import confusable_command_probability, corpus_config


def _config(tmp_path: Path, **kwargs) -> CorpusConfig:
    plain = {"voice_change_p": 0.0, "speed_p": 0.0, **kwargs}
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, **plain)


def test_the_setting_is_read_and_checked() -> None:
    cfg = load_config("wakeword", [])
    assert corpus_config(cfg).confusable_command_p == float(cfg.data.confusable_command_p)
    assert corpus_config(load_config("wakeword", ["data.confusable_command_p=0.25"])).confusable_command_p == 0.25
    for bad in (1.5, -0.1, "often", True):
        with pytest.raises(ConfigError, match="confusable_command_p"):
            confusable_command_probability(bad)
    assert confusable_command_probability(None) == 0.0


def test_only_training_and_calibration_confusables_get_new_cache_keys(tmp_path: Path) -> None:
    base, changed = _config(tmp_path), _config(tmp_path, confusable_command_p=0.5)
    for split in ("train", "calibration"):
        assert _cache_path(base, split, "confusable", 0) != _cache_path(changed, split, "confusable", 0)
        for kind in ("trixy", "speech", "noise"):
            assert _cache_path(base, split, kind, 0) == _cache_path(changed, split, kind, 0)
    for kind in ("trixy", "confusable", "speech"):
        assert _cache_path(base, "test", kind, 0) == _cache_path(changed, "test", kind, 0)  # the held-out test never changes


def test_off_or_in_the_test_split_it_draws_nothing() -> None:
    off, on = _config(Path(".")), _config(Path("."), confusable_command_p=1.0)
    rng = np.random.default_rng(3)
    assert not off.confusable_command(rng, "train") and not on.confusable_command(rng, "test")
    assert rng.random() == np.random.default_rng(3).random()  # no draw was taken
    assert on.confusable_command(np.random.default_rng(3), "calibration")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_a_confusable_then_a_command_is_longer_speech_and_the_test_split_keeps_its_clips(tmp_path: Path) -> None:
    binary = espeak_binary()
    on, off = _config(tmp_path, confusable_command_p=1.0), _config(tmp_path)
    said, _, said_command = negative_clip(on, "train", "confusable", 0, binary)
    alone, _, alone_command = negative_clip(off, "train", "confusable", 0, binary)

    def speech_seconds(audio: np.ndarray) -> float:
        frames = audio[: audio.size // 160 * 160].reshape(-1, 160)
        return float((np.sqrt((frames**2).mean(axis=1)) > 0.01 * np.abs(audio).max()).sum()) * 0.01

    assert speech_seconds(said) > speech_seconds(alone) + 0.4  # the command's words came after the confusable
    assert alone_command == -1 and 16000 < said_command < said.size  # where the command starts is recorded
    assert speech_seconds(said[said_command:]) > 0.4
    np.testing.assert_array_equal(negative_clip(on, "test", "confusable", 0, binary)[0],
                                  negative_clip(off, "test", "confusable", 0, binary)[0])
