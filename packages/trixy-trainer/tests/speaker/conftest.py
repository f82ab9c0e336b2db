"""Shared fixtures for the speaker trainer tests: a tiny espeak-ng corpus and one tiny model trained once."""

from __future__ import annotations

from pathlib import Path

import pytest

from trixy_trainer.speaker.prepare import PrepareConfig, prepare_speakers
from trixy_trainer.speaker.synth import make_speakers, synthesize_speakers

CHUNK = 12000  # 0.75 s slices keep the tests fast
TINY_MODEL = [
    "model.encoder.channels=16",
    "model.encoder.embedding_dim=16",
    "model.encoder.scale=4",
    "model.encoder.mfa_channels=32",
    "model.encoder.attention_channels=8",
    "model.encoder.se_bottleneck=8",
]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 training speakers x 5 utterances and 2 held-out speakers x 3 utterances, synthesised once."""
    root = tmp_path_factory.mktemp("speaker_corpus")
    synthesize_speakers(root / "raw", make_speakers(4, "train", seed=3), utterances=5, seed=1)
    synthesize_speakers(root / "heldout", make_speakers(2, "heldout", seed=3), utterances=3, seed=2)
    return root


@pytest.fixture(scope="session")
def prepared(corpus: Path) -> Path:
    """The corpus cut into CHUNK-sample slices."""
    prepare_speakers(PrepareConfig(corpus / "raw", corpus / "chunked", CHUNK, val_fraction=0.0, test_fraction=0.3))
    return corpus / "chunked"


def overrides_for(root: Path, out: Path, *extra: str) -> list[str]:
    """Hydra overrides that point the speaker config at a test corpus and a one-batch training."""
    return [
        f"data.raw_dir={root / 'raw'}",
        f"data.chunked_dir={root / 'chunked'}",
        f"data.calibration_dir={root / 'heldout'}",
        f"output_dir={out}",
        f"run_dir={out / 'run'}",
        "name=tiny",
        "trainer.max_epochs=1",
        "data.batches_per_epoch=1",
        "data.speakers_per_batch=4",
        "data.num_workers=0",
        "data.train_crop_samples=8000",
        "num_threads=1",
        "export.password=test-password",
        *TINY_MODEL,
        *extra,
    ]


@pytest.fixture(scope="session")
def trained(corpus: Path, prepared: Path, tmp_path_factory: pytest.TempPathFactory):
    """One tiny model trained for one batch and exported to .onnx/.pth/.pt."""
    from trixy_trainer.speaker.train import train_speakers

    out = tmp_path_factory.mktemp("speaker_model")
    result = train_speakers(overrides_for(corpus, out, "export.formats=[onnx,pth,pt]"))
    return result


@pytest.fixture(scope="session")
def speaker_overrides():
    """The :func:`overrides_for` helper as a fixture (test modules cannot import conftest in importlib mode)."""
    return overrides_for
