"""`data.negative_revoice`: stronger re-voicing of the training and calibration negatives, its cache keys and errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trixy_trainer.config import load_config
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword import voice_augment as va
from trixy_trainer.wakeword.embedding_corpus import CorpusConfig, Revoice, _cache_path, negative_clip
from trixy_trainer.wakeword.embedding_train import corpus_config, negative_revoice

STRONG = {"voice_change_p": 0.8, "formant_range": [0.75, 1.3], "pitch_hz": [70, 350]}


def test_null_is_the_default_and_settings_are_checked() -> None:
    assert corpus_config(load_config("wakeword", [])).negative_revoice == Revoice()
    cfg = load_config("wakeword", ["data.negative_revoice={voice_change_p: 0.8, formant_range: [0.75, 1.3]}"])
    assert corpus_config(cfg).negative_revoice == Revoice(0.8, (0.75, 1.3), (85.0, 290.0))
    assert negative_revoice(STRONG) == Revoice(0.8, (0.75, 1.3), (70.0, 350.0))
    for bad in ({"voice_change_p": 1.5}, {"formant_range": [1.3, 0.75]}, {"pitch_hz": [10, 350]}, {"formant": [0.8, 1.2]},
                {"formant_range": "wide"}, "strong"):
        with pytest.raises(ConfigError, match="negative_revoice"):
            negative_revoice(bad)


def test_only_the_training_and_calibration_negatives_get_new_cache_keys(tmp_path: Path) -> None:
    base = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]})
    strong = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]},
                          negative_revoice=negative_revoice(STRONG))
    for split in ("train", "calibration"):
        for kind in ("speech", "confusable"):
            assert _cache_path(base, split, kind, 0) != _cache_path(strong, split, kind, 0)
    assert _cache_path(base, "train", "trixy", 0) == _cache_path(strong, "train", "trixy", 0)
    for kind in ("speech", "confusable", "trixy"):
        assert _cache_path(base, "test", kind, 0) == _cache_path(strong, "test", kind, 0)  # the test never changes


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_the_setting_re_voices_the_training_talk_and_never_the_test_talk(tmp_path: Path, monkeypatch) -> None:
    calls: list[tuple[tuple[float, float], tuple[float, float]]] = []
    real = va.change_voice

    def recording(audio, rng, formant_range=(0.84, 1.2), pitch_hz=(85.0, 290.0)):  # the real Praat change, recorded
        calls.append((tuple(formant_range), tuple(pitch_hz)))
        return real(audio, rng, formant_range, pitch_hz)

    monkeypatch.setattr(va, "change_voice", recording)
    strong = Revoice(1.0, (0.75, 0.76), (70.0, 71.0))
    cfg = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, speech_seconds=3.0,
                       negative_revoice=strong)
    binary = espeak_binary()
    for kind in ("confusable", "speech"):
        calls.clear()
        negative_clip(cfg, "train", kind, 0, binary)
        assert calls and all(c == ((0.75, 0.76), (70.0, 71.0)) for c in calls), kind  # every utterance, strongly
        calls.clear()
        for index in range(4):
            negative_clip(cfg, "test", kind, index, binary)
        assert calls and all(c == ((0.84, 1.2), (85.0, 290.0)) for c in calls), kind  # the test split as always
