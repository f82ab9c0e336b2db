"""Shared fixtures: a tiny real espeak-ng corpus, prepared once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trixy_trainer.data.prepare import PrepareConfig, prepare_wakeword_data
from trixy_trainer.data.synth import SynthConfig, synthesize_corpus

REPO = Path(__file__).resolve().parents[4]
CONFIG_DIR = REPO / "config" / "trainer"


def tiny_synth_config(out_dir: Path) -> SynthConfig:
    return SynthConfig(
        out_dir=out_dir,
        custom_count=8,
        system_count=6,
        confusable_count=6,
        sentence_count=3,
        background_count=3,
        background_seconds=3.0,
        voices=["en-us", "en-gb", "en-029"],
        variants=["", "f3"],
        seed=5,
    )


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    raw = tmp_path_factory.mktemp("ww") / "raw"
    synthesize_corpus(tiny_synth_config(raw))
    return raw


def prepare_config(raw: Path, chunked: Path) -> PrepareConfig:
    return PrepareConfig(raw_dir=raw, chunked_dir=chunked, val_fraction=0.0, test_fraction=0.0, test_voices=["en-029"], max_chunk_seconds=1.6, margin_seconds=0.1)


@pytest.fixture(scope="session")
def make_prepare_config():
    """The preparation settings the tiny corpus uses (no val split; voice en-029 held out for test)."""
    return prepare_config


@pytest.fixture(scope="session")
def tiny_chunked(tiny_raw: Path) -> Path:
    chunked = tiny_raw.parent / "chunked"
    prepare_wakeword_data(prepare_config(tiny_raw, chunked))
    return chunked


@pytest.fixture
def espeak_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every espeak-ng call the speech-embedding corpus makes (``text``, ``voice``, ``pitch``, ``speed``); the calls
    still run espeak-ng for real."""
    import trixy_trainer.wakeword.embedding_corpus as ec

    calls: list[dict] = []
    real = ec.speak

    def recording(text, voice, pitch, speed, binary=None):
        calls.append({"text": text, "voice": voice, "pitch": pitch, "speed": speed})
        return real(text, voice, pitch, speed, binary)

    monkeypatch.setattr(ec, "speak", recording)
    return calls
