"""`data.positive_languages` / `data.positive_language_p`: the wake word said by more espeak-ng languages' voices
(with the `language_phrases` spelling) in the training and calibration splits; off by default, never in the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import (
    POSITIVE_LANGUAGES,
    CorpusConfig,
    _cache_path,
    positive_clip,
)
from trixy_trainer.wakeword.embedding_train import (
    corpus_config,
    positive_language_probability,
    positive_languages,
)


def _config(tmp_path: Path, **kwargs) -> CorpusConfig:
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "system_command", "none"],
                        phrases={"trixy": ["Trixie"], "system_command": ["system command"]},
                        accent_phrases={"trixy": ["Trixi"]}, language_phrases={"trixy": ["Triksi"]}, **kwargs)


def test_defaults_are_off_and_settings_are_checked() -> None:
    corpus = corpus_config(load_config("wakeword", []))
    assert (list(corpus.positive_languages), corpus.positive_language_p) == ([], 0.0)
    assert corpus.language_phrases == {"trixy": ["Triksi"]}
    corpus = corpus_config(load_config("wakeword", ["data.positive_languages=extended", "data.positive_language_p=0.3"]))
    assert list(corpus.positive_languages) == POSITIVE_LANGUAGES and corpus.positive_language_p == 0.3
    corpus = corpus_config(load_config("wakeword", ["data.positive_languages=[af,tr]", "data.positive_language_p=1"]))
    assert list(corpus.positive_languages) == ["af", "tr"]
    for bad in ("many", 7, ["af", 3]):
        with pytest.raises(ConfigError, match="positive_languages"):
            positive_languages(bad)
    for bad in (1.5, -0.1, "half", True):
        with pytest.raises(ConfigError, match="positive_language_p"):
            positive_language_probability(bad)
    # a voice family or language the held-out test split scores must not say the wake word in training
    for held_out in ("nl", "it"):
        with pytest.raises(ConfigError, match="held out"):
            corpus_config(load_config("wakeword", [f"data.positive_languages=[af,{held_out}]", "data.positive_language_p=0.3"]))


def test_the_built_in_list_keeps_out_the_test_splits_voices() -> None:
    corpus = corpus_config(load_config("wakeword", []))
    assert not set(POSITIVE_LANGUAGES) & {*corpus.test_voices, *corpus.test_languages}
    assert len(set(POSITIVE_LANGUAGES)) == len(POSITIVE_LANGUAGES)


def test_only_the_training_and_calibration_wake_word_gets_new_cache_keys(tmp_path: Path) -> None:
    base = _config(tmp_path)
    on = _config(tmp_path, positive_languages=["af", "tr"], positive_language_p=0.3)
    for split in ("train", "calibration"):
        assert _cache_path(base, split, "trixy", 0) != _cache_path(on, split, "trixy", 0)
        for kind in ("system_command", "confusable", "speech"):  # no language_phrases / not a wake phrase
            assert _cache_path(base, split, kind, 0) == _cache_path(on, split, kind, 0)
    for kind in ("trixy", "system_command", "confusable", "speech"):
        assert _cache_path(base, "test", kind, 0) == _cache_path(on, "test", kind, 0)
    # a share of 0 or no languages changes nothing, so such a run reads the default chunks
    assert _cache_path(base, "train", "trixy", 0) == _cache_path(_config(tmp_path, positive_languages=["af"]), "train", "trixy", 0)


def test_the_choice_draws_nothing_when_off_so_the_default_corpus_stays_the_same() -> None:
    cfg = _config(Path("."))
    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    assert cfg.language_voice(rng, "train", "trixy", "en-us+m3") == ("en-us+m3", None)
    assert rng.random() == twin.random()
    on = _config(Path("."), positive_languages=["af", "tr"], positive_language_p=1.0)
    voice, spellings = on.language_voice(np.random.default_rng(5), "train", "trixy", "en-us+m3")
    assert voice in ("af+m3", "tr+m3") and spellings == ["Triksi"]  # the variant is kept, the language replaced
    assert on.language_voice(np.random.default_rng(5), "train", "trixy", "en-gb")[0] in ("af", "tr")
    assert on.language_voice(np.random.default_rng(5), "test", "trixy", "en-us+m3") == ("en-us+m3", None)
    assert on.language_voice(np.random.default_rng(5), "train", "system_command", "en-us") == ("en-us", None)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_those_voices_say_the_word_in_training_but_never_in_the_test(tmp_path: Path, espeak_calls) -> None:
    cfg = _config(tmp_path, positive_languages=["tr"], positive_language_p=1.0, voice_change_p=0.0, speed_p=0.0,
                  follow_command_p=0.0)
    binary = espeak_binary()
    audio, wake_end, voice, _ = positive_clip(cfg, "train", "trixy", 0, binary)
    phrase = [c for c in espeak_calls if c["text"] == "Triksi"]
    assert phrase and phrase[0]["voice"] == voice and voice.split("+")[0] == "tr"
    assert 0 < wake_end < audio.size and np.abs(audio[wake_end - 1600 : wake_end]).max() > 0.01  # the word ends there
    espeak_calls.clear()
    _, _, voice, _ = positive_clip(cfg, "test", "trixy", 0, binary)
    assert not voice.startswith("tr") and not any(c["text"] == "Triksi" for c in espeak_calls)
