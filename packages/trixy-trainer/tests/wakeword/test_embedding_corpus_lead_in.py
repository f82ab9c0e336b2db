"""`data.lead_in_p` and `data.phrase_speed`: wake phrases and confusables said right after a lead-in word ("hey
Trixy", "okay taxi") and at a wider range of speaking rates, in the training and calibration splits only."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import (
    LEAD_INS,
    SPEED,
    CorpusConfig,
    _cache_path,
    negative_clip,
    positive_clip,
)
from trixy_trainer.wakeword.embedding_train import corpus_config, lead_in_probability, phrase_speed


def _config(tmp_path: Path, **kwargs) -> CorpusConfig:
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, **kwargs)


def test_defaults_are_off_and_settings_are_checked() -> None:
    corpus = corpus_config(load_config("wakeword", []))
    assert (corpus.lead_in_p, corpus.phrase_speed) == (0.0, SPEED)
    corpus = corpus_config(load_config("wakeword", ["data.lead_in_p=0.25", "data.phrase_speed=[95,280]"]))
    assert (corpus.lead_in_p, corpus.phrase_speed) == (0.25, (95, 280))
    for bad in (1.5, -0.1, "often", True):
        with pytest.raises(ConfigError, match="lead_in_p"):
            lead_in_probability(bad)
    for bad in ([280, 95], [95], [50, 200], [95, 500], "fast", [95.5, 200]):
        with pytest.raises(ConfigError, match="phrase_speed"):
            phrase_speed(bad)
    with pytest.raises(ConfigError, match="phrase_speed"):
        corpus_config(load_config("wakeword", ["data.phrase_speed=[300,200]"]))


def test_only_training_and_calibration_words_get_new_cache_keys(tmp_path: Path) -> None:
    base = _config(tmp_path)
    changed = _config(tmp_path, lead_in_p=0.25, phrase_speed=(95, 280))
    for split in ("train", "calibration"):
        for kind in ("trixy", "confusable"):
            assert _cache_path(base, split, kind, 0) != _cache_path(changed, split, kind, 0)
        assert _cache_path(base, split, "speech", 0) == _cache_path(changed, split, "speech", 0)  # talk is unchanged
    for kind in ("trixy", "confusable", "speech"):
        assert _cache_path(base, "test", kind, 0) == _cache_path(changed, "test", kind, 0)  # the held-out test never changes


def test_lead_in_draws_nothing_when_off_so_the_default_corpus_stays_the_same() -> None:
    cfg = _config(Path("."))
    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    assert cfg.lead_in(rng, "train", "Trixie") == "Trixie"
    assert rng.random() == twin.random()
    on = _config(Path("."), lead_in_p=1.0)
    said = on.lead_in(np.random.default_rng(5), "train", "Trixie")
    assert said.endswith(" Trixie") and said[: -len(" Trixie")] in LEAD_INS
    assert on.lead_in(np.random.default_rng(5), "test", "Trixie") == "Trixie"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_wake_phrases_and_confusables_are_spoken_with_lead_ins_and_rates_but_never_in_the_test(tmp_path: Path, espeak_calls) -> None:
    cfg = _config(tmp_path, lead_in_p=1.0, phrase_speed=(260, 262), voice_change_p=0.0, speed_p=0.0, follow_command_p=0.0)
    binary = espeak_binary()
    audio, wake_end, _, _ = positive_clip(cfg, "train", "trixy", 0, binary)
    text, speed = espeak_calls[0]["text"], espeak_calls[0]["speed"]
    assert text.split()[-1] == "Trixie" and text[: -len(" Trixie")] in LEAD_INS and speed in (260, 261)
    assert 0 < wake_end < audio.size and np.abs(audio[wake_end - 1600 : wake_end]).max() > 0.01  # the word ends there
    espeak_calls.clear()
    negative_clip(cfg, "calibration", "confusable", 0, binary)
    first = espeak_calls[0]
    assert any(first["text"].startswith(f"{lead} ") for lead in LEAD_INS) and first["speed"] in (260, 261)
    espeak_calls.clear()
    positive_clip(cfg, "test", "trixy", 0, binary)
    negative_clip(cfg, "test", "confusable", 0, binary)
    assert [c["text"] for c in espeak_calls if "Trixie" in c["text"]] == ["Trixie"]
    assert all(SPEED[0] <= c["speed"] < SPEED[1] for c in espeak_calls)  # the held-out test split as always
