"""`data.negative_languages`: which espeak-ng languages speak the negative talk, and that the cache tells lists apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import ACCENT_VOICES, ENGLISH_VOICES, VARIANTS, espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import (
    EXTRA_NEGATIVE_LANGUAGES,
    NEGATIVE_LANGUAGES,
    CorpusConfig,
    _cache_path,
    negative_clip,
)
from trixy_trainer.wakeword.embedding_train import corpus_config, negative_languages


def test_default_extended_or_a_list_and_bad_values_are_config_errors() -> None:
    assert negative_languages("default") == NEGATIVE_LANGUAGES == negative_languages(None)
    assert negative_languages("extended") == NEGATIVE_LANGUAGES + EXTRA_NEGATIVE_LANGUAGES
    assert not set(EXTRA_NEGATIVE_LANGUAGES) & set(NEGATIVE_LANGUAGES)
    assert negative_languages(["haw", "mi"]) == ["haw", "mi"]
    for bad in ("klingon", [], [1, 2]):
        with pytest.raises(ConfigError, match="negative_languages"):
            negative_languages(bad)
    assert corpus_config(load_config("wakeword", ["data.negative_languages=[haw]"])).negative_languages == ["haw"]


def test_the_cache_keeps_default_chunks_and_separates_other_language_lists(tmp_path: Path) -> None:
    base = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]})
    other = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]},
                         negative_languages=["haw"])
    assert _cache_path(base, "train", "speech", 0) != _cache_path(other, "train", "speech", 0)
    assert _cache_path(base, "calibration", "speech", 0) != _cache_path(other, "calibration", "speech", 0)
    assert _cache_path(base, "train", "trixy", 0) == _cache_path(other, "train", "trixy", 0)  # only talk changes...
    assert _cache_path(base, "test", "speech", 0) == _cache_path(other, "test", "speech", 0)  # ...of training voices
    # the default list's chunks keep the key they had before the option existed
    assert _cache_path(base, "train", "speech", 0).name.startswith("train_speech_")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_negative_talk_uses_only_the_listed_languages(tmp_path: Path) -> None:
    cfg = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]},
                       negative_languages=["haw"], speech_seconds=12.0, voice_change_p=0.0)
    families = set(ENGLISH_VOICES) | set(ACCENT_VOICES) | set(VARIANTS)  # "+"-joined voice tags: bases and variants
    seen = set()
    for index in range(4):
        _, voices, _ = negative_clip(cfg, "train", "speech", index, espeak_binary())
        seen |= set(voices.split("+"))
    languages = seen - families
    assert languages == {"haw"}
