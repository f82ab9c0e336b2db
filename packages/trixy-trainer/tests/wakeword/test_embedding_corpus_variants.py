"""`data.voice_variants`: which espeak-ng variants the training voices use; the test split never changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import VARIANTS, espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import (
    EXTRA_VARIANTS,
    CorpusConfig,
    _cache_path,
    _languages,
    _voices,
    positive_clip,
)
from trixy_trainer.wakeword.embedding_train import corpus_config, voice_variants

TEST_VARIANTS = ("klatt3", "Annie", "grandma", "travis", "zac", "iven3", "m7", "f5")


def _config(tmp_path: Path, **changes: object) -> CorpusConfig:
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, **changes)


def test_default_extended_or_a_list_and_bad_values_are_config_errors() -> None:
    assert voice_variants("default") == VARIANTS == voice_variants(None)
    assert voice_variants("extended") == VARIANTS + EXTRA_VARIANTS
    assert not set(EXTRA_VARIANTS) & set(VARIANTS)
    assert not set(EXTRA_VARIANTS) & set(TEST_VARIANTS)
    assert voice_variants(["", "Storm"]) == ["", "Storm"]
    for bad in ("robots", [], [1]):
        with pytest.raises(ConfigError, match="voice_variants"):
            voice_variants(bad)
    assert corpus_config(load_config("wakeword", ["data.voice_variants=extended"])).variants == VARIANTS + EXTRA_VARIANTS
    assert corpus_config(load_config("wakeword", [])).variants == VARIANTS


def test_extra_variants_reach_training_voices_only(tmp_path: Path) -> None:
    extended = _config(tmp_path, variants=VARIANTS + EXTRA_VARIANTS)
    _, train_variants = _voices(extended, "train", english_only=False)
    _, test_variants = _voices(extended, "test", english_only=False)
    assert set(EXTRA_VARIANTS) <= set(train_variants)
    assert not set(train_variants) & set(TEST_VARIANTS)
    assert sorted(test_variants) == sorted(TEST_VARIANTS)
    assert _voices(extended, "test", english_only=False) == _voices(_config(tmp_path), "test", english_only=False)


def test_the_cache_keeps_default_chunks_and_separates_other_variant_lists(tmp_path: Path) -> None:
    base = _config(tmp_path)
    same = _config(tmp_path, variants=list(VARIANTS))
    other = _config(tmp_path, variants=VARIANTS + EXTRA_VARIANTS)
    for split in ("train", "calibration", "test"):
        for kind in ("trixy", "confusable", "speech", "noise"):
            assert _cache_path(base, split, kind, 0) == _cache_path(same, split, kind, 0)
            changed = split != "test" and kind != "noise"
            assert (_cache_path(base, split, kind, 0) != _cache_path(other, split, kind, 0)) == changed, (split, kind)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_a_listed_variant_speaks_the_training_phrases(tmp_path: Path) -> None:
    cfg = _config(tmp_path, variants=["Storm"], voice_change_p=0.0, speed_p=0.0)
    for index in range(3):
        audio, wake_end, voice, _ = positive_clip(cfg, "train", "trixy", index, espeak_binary())
        assert voice.endswith("+Storm")
        assert 0 < wake_end < audio.size and float(abs(audio).max()) > 0.0


def test_language_variants_give_the_negative_speech_languages_those_variants_outside_the_test_split(tmp_path: Path) -> None:
    plain = _config(tmp_path, variants=["Storm", "Lee"], negative_languages=["fr-fr", "pt", "sk"], test_languages=["pt"])
    voiced = _config(tmp_path, variants=["Storm", "Lee"], negative_languages=["fr-fr", "pt", "sk"], test_languages=["pt"],
                     language_variants=True)
    assert _languages(plain, "calibration") == ["fr-fr", "sk"]
    assert _languages(voiced, "calibration") == ["fr-fr+Storm", "fr-fr+Lee", "sk+Storm", "sk+Lee"]
    assert _languages(voiced, "test") == _languages(plain, "test")  # the held-out split never changes
    for split in ("train", "calibration"):
        assert _cache_path(plain, split, "speech", 0) != _cache_path(voiced, split, "speech", 0)
        assert _cache_path(plain, split, "trixy", 0) == _cache_path(voiced, split, "trixy", 0)  # only the talk changes
    assert _cache_path(plain, "test", "speech", 0) == _cache_path(voiced, "test", "speech", 0)
