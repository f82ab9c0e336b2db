"""``data.calibration_voices``: thresholds chosen on the training voices (other clips) or on voices in variants no
split trains on; the train and test splits never change."""

from __future__ import annotations

from pathlib import Path

import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import VARIANTS
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.calibration_voices import calibration_voices, split_corpus, unseen_variant_corpus
from trixy_trainer.wakeword.embedding_corpus import (
    EXTRA_VARIANTS,
    CorpusConfig,
    _cache_path,
    _languages,
    _voices,
)
from trixy_trainer.wakeword.embedding_train import corpus_config, load_corpus

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def _corpus(tmp_path: Path, **changes: object) -> CorpusConfig:
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]},
                        negative_languages=["fr-fr", "sk", "pt"], test_languages=["pt"], **changes)


def test_unseen_variants_speak_the_calibration_split_in_variants_no_split_trains_on(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    calibration = split_corpus(corpus, "calibration", "unseen_variants")
    _, variants = _voices(calibration, "calibration", english_only=False)
    assert variants and set(variants) <= set(EXTRA_VARIANTS)
    _, train_variants = _voices(corpus, "train", english_only=False)
    assert not set(variants) & set(train_variants)
    _, test_variants = _voices(corpus, "test", english_only=False)
    assert not set(variants) & set(test_variants)
    languages = _languages(calibration, "calibration")
    assert {lang.split("+")[0] for lang in languages} == {"fr-fr", "sk"}  # the test's languages stay out
    assert all(lang.split("+")[1] in variants for lang in languages)
    for kind in ("trixy", "confusable", "speech"):  # its own cache chunks, apart from the training-voice calibration
        assert _cache_path(calibration, "calibration", kind, 0) != _cache_path(corpus, "calibration", kind, 0)


def test_train_and_test_splits_and_the_default_never_change(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    for split in ("train", "test"):
        assert split_corpus(corpus, split, "unseen_variants") is corpus
    assert split_corpus(corpus, "calibration", "training") is corpus
    assert calibration_voices(None) == "training"
    assert calibration_voices(load_config("wakeword", [], CONFIG_DIR).data.calibration_voices) == "training"


@pytest.mark.parametrize("value", ["unseen", "held_out", 3, ""])
def test_bad_choices_are_config_errors(value) -> None:
    with pytest.raises(ConfigError, match="calibration_voices"):
        calibration_voices(value)


def test_training_on_every_extra_variant_leaves_none_unseen(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, variants=VARIANTS + EXTRA_VARIANTS)
    with pytest.raises(ConfigError, match="every extra variant"):
        unseen_variant_corpus(corpus)


def test_a_bad_choice_stops_load_corpus_before_any_clip_is_made(tmp_path: Path) -> None:
    for overrides in (["data.calibration_voices=elsewhere"],
                      ["data.calibration_voices=unseen_variants", "data.voice_variants=extended"]):
        cfg = load_config("wakeword", [f"data.cache_dir={tmp_path}", *overrides], CONFIG_DIR)
        with pytest.raises(ConfigError, match="calibration_voices"):
            load_corpus(cfg)
        assert not any(tmp_path.iterdir())
    assert corpus_config(load_config("wakeword", [], CONFIG_DIR)).language_variants is False
