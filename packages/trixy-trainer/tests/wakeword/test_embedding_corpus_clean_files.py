"""`data.clean_file_p`: a share of the training and calibration words (wake phrases and confusables) made as a
text-to-speech engine writes a file (no microphone, room or noise; digital silence plus the graphs' dither) instead
of put in a room; talk, noise and the held-out test split never change."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.models.embedding_wakeword import DITHER_STD
from trixy_trainer.wakeword import voice_augment as va
from trixy_trainer.wakeword.embedding_corpus import CorpusConfig, _cache_path, negative_clip, positive_clip
from trixy_trainer.wakeword.embedding_train import clean_file_probability, corpus_config


def _config(tmp_path: Path, **kwargs) -> CorpusConfig:
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, **kwargs)


def test_default_is_off_and_the_setting_is_checked() -> None:
    assert corpus_config(load_config("wakeword", [])).clean_file_p == 0.0
    assert corpus_config(load_config("wakeword", ["data.clean_file_p=0.25"])).clean_file_p == 0.25
    for bad in (1.5, -0.1, "often", True):
        with pytest.raises(ConfigError, match="clean_file_p"):
            clean_file_probability(bad)
    with pytest.raises(ConfigError, match="clean_file_p"):
        corpus_config(load_config("wakeword", ["data.clean_file_p=2"]))


def test_only_training_and_calibration_words_get_new_cache_keys(tmp_path: Path) -> None:
    base, changed = _config(tmp_path), _config(tmp_path, clean_file_p=0.25)
    for split in ("train", "calibration"):
        for kind in ("trixy", "confusable"):
            assert _cache_path(base, split, kind, 0) != _cache_path(changed, split, kind, 0)
        for kind in ("speech", "noise"):  # talk stays in rooms, noise is no file
            assert _cache_path(base, split, kind, 0) == _cache_path(changed, split, kind, 0)
    for kind in ("trixy", "confusable", "speech"):
        assert _cache_path(base, "test", kind, 0) == _cache_path(changed, "test", kind, 0)  # the held-out test never changes


def test_off_it_draws_nothing_so_the_default_corpus_stays_the_same() -> None:
    audio = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    off = _config(Path("."))
    np.testing.assert_array_equal(off.finish(np.random.default_rng(7), "train", "trixy", audio, 0.1),
                                  va.room(audio, np.random.default_rng(7), speech_rms=0.1))
    on = _config(Path("."), clean_file_p=1.0)
    for split, kind in (("test", "trixy"), ("train", "noise"), ("train", "speech")):  # never a file: as a room
        np.testing.assert_array_equal(on.finish(np.random.default_rng(7), split, kind, audio, 0.1),
                                      va.room(audio, np.random.default_rng(7), speech_rms=0.1))


def test_a_clean_file_is_the_sound_at_a_file_level_with_digital_silence_and_the_dither() -> None:
    rng = np.random.default_rng(1)
    audio = np.concatenate([np.zeros(8000), 0.3 * np.sin(np.arange(16000) * 0.05), np.zeros(8000)]).astype(np.float32)
    out = va.clean_file(audio, rng)
    assert out.dtype == np.float32 and out.shape == audio.shape
    assert 10 ** (-20 / 20) * 0.99 <= np.abs(out).max() <= 10 ** (-1 / 20) * 1.01
    silence = np.concatenate([out[:8000], out[-8000:]])
    assert abs(float(silence.std()) - DITHER_STD) < 0.1 * DITHER_STD  # the exported graphs' dither, nothing louder
    assert va.QUANTISATION_STD == pytest.approx(DITHER_STD)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_training_clips_become_files_and_the_test_split_does_not(tmp_path: Path) -> None:
    plain = dict(voice_change_p=0.0, speed_p=0.0, follow_command_p=0.0)
    on, off = _config(tmp_path, clean_file_p=1.0, **plain), _config(tmp_path, **plain)
    binary = espeak_binary()
    audio, wake_end, _, _ = positive_clip(on, "train", "trixy", 0, binary)
    assert 0 < wake_end < audio.size and np.abs(audio[:1600]).max() < 1e-4  # digital silence (and dither) before it
    confusable, _, _ = negative_clip(on, "calibration", "confusable", 0, binary)
    assert np.abs(confusable[:1600]).max() < 1e-4 and np.abs(confusable).max() > 0.09
    room, _, _, _ = positive_clip(off, "train", "trixy", 0, binary)
    assert room.shape != audio.shape or not np.array_equal(room, audio)
    test_on, test_end, _, _ = positive_clip(on, "test", "trixy", 0, binary)
    test_off, off_end, _, _ = positive_clip(off, "test", "trixy", 0, binary)
    np.testing.assert_array_equal(test_on, test_off)
    assert test_end == off_end
