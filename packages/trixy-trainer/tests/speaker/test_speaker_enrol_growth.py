"""Enrolment without training, and fine-tuning that grows the speaker list while keeping old ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from trixy_trainer.speaker.enroll import enroll_speaker, slice_views, utterance_slices
from trixy_trainer.speaker.errors import EnrolmentError
from trixy_trainer.speaker.export import load_speaker_pth
from trixy_trainer.speaker.scoring import embed_batches
from trixy_trainer.speaker.train import train_speakers


def test_enrolment_appends_a_speaker_with_its_mean_embedding(trained, corpus: Path) -> None:
    model, meta = load_speaker_pth(trained.files["pth"], "test-password")
    old_rows = model.prototypes.detach().clone()
    files = sorted((corpus / "heldout").glob("*/*.wav"))[:2]
    slices = utterance_slices(files, int(meta["chunk_samples"]), 16000)
    new = enroll_speaker(model, meta, "dora", slices)
    assert new["num_speaker"] == 5 and new["speaker005"] == "dora" and new["speaker"][:4] == meta["speaker"]
    assert new["speaker_source"][-1] == "enrolled"
    assert torch.equal(model.prototypes[:4], old_rows)
    emb = np.asarray(new["speaker_embeddings"][-1])
    assert np.isclose(np.linalg.norm(emb), 1.0, atol=1e-4)
    with torch.no_grad():
        logits = model(torch.from_numpy(slices[:1]))[1]
    assert logits.shape == (1, 5)
    with pytest.raises(EnrolmentError, match="already known"):
        enroll_speaker(model, new, "dora", slices)
    with pytest.raises(EnrolmentError, match="no usable speech"):
        enroll_speaker(model, new, "eve", slices[:0])


def test_enrolment_views_are_averaged_in_unless_turned_off(trained, corpus: Path) -> None:
    model, meta = load_speaker_pth(trained.files["pth"], "test-password")
    files = sorted((corpus / "heldout").glob("*/*.wav"))[:2]
    slices = utterance_slices(files, int(meta["chunk_samples"]), 16000)
    plain = enroll_speaker(model, meta, "dora", slices, views=False)
    model, meta = load_speaker_pth(trained.files["pth"], "test-password")
    viewed = enroll_speaker(model, meta, "dora", slices)
    mean = embed_batches(model, slices).mean(axis=0)
    np.testing.assert_allclose(plain["speaker_embeddings"][-1], mean / np.linalg.norm(mean), atol=2e-5)
    assert not np.allclose(viewed["speaker_embeddings"][-1], plain["speaker_embeddings"][-1], atol=1e-3)
    assert viewed["enrolment"]["dora"] == {"utterances": len(slices), "views": True}
    assert plain["enrolment"]["dora"]["views"] is False


def test_slice_views_keep_a_short_recordings_padding_silent() -> None:
    t = np.arange(8000) / 16000
    piece = np.zeros(16000, np.float32)
    piece[2000:10000] = 0.3 * np.sin(2 * np.pi * 200 * t)
    views = slice_views(np.stack([piece, np.zeros(16000, np.float32)]), 16000)
    assert views.shape == (4, 16000)  # 4 views of the voiced slice, none of the silent one
    assert np.all(views[:, :2000] == 0) and np.all(views[:, 10000:] == 0)
    assert np.all(np.abs(views[:, 2000:10000]).max(axis=1) > 0.1)


def test_finetuning_with_a_new_speaker_keeps_old_ids(trained, corpus: Path, tmp_path: Path, speaker_overrides) -> None:
    root = tmp_path / "grow"
    shutil.copytree(corpus / "raw", root / "raw")
    shutil.copytree(corpus / "chunked", root / "chunked")
    newcomer = sorted((corpus / "heldout").iterdir())[0]
    shutil.copytree(newcomer, root / "raw" / "000-newcomer")  # sorts first, must still get the last id
    from trixy_trainer.speaker.prepare import PrepareConfig, prepare_speakers

    prepare_speakers(PrepareConfig(root / "raw", root / "chunked", 12000, val_fraction=0.0, test_fraction=0.3))
    old = json.loads((corpus / "chunked" / "manifest.json").read_text())["speakers"]
    result = train_speakers(
        speaker_overrides(root, tmp_path / "out", f"finetune_from={trained.files['pth']}", "export.formats=[pth]")
    )
    assert result.metadata["speaker"] == [*old, "000-newcomer"]
    assert result.metadata["num_speaker"] == 5
    growth = result.evaluation["growth"]
    assert growth["added_speakers"] == ["000-newcomer"]
    assert 0.0 <= growth["old_speaker_accuracy_before"] <= 1.0 and 0.0 <= growth["old_speaker_accuracy_after"] <= 1.0
    # the grown model really trained (a fine-tune base arrives in eval mode: BatchNorm statistics must still move)
    base, _ = load_speaker_pth(trained.files["pth"], "test-password")
    grown, _ = load_speaker_pth(result.files["pth"], "test-password")
    stats = [k for k in base.state_dict() if k.endswith("running_mean")]
    assert stats and any(not torch.equal(base.state_dict()[k], grown.state_dict()[k]) for k in stats)


def test_finetuning_for_one_epoch_of_ten_batches_trains(trained, corpus: Path, tmp_path: Path, speaker_overrides) -> None:
    """`trainer.max_epochs=1` with 10 steps put OneCycleLR's warm-up end on step 0 (0.1 x 10 - 1): ZeroDivisionError."""
    result = train_speakers(speaker_overrides(corpus, tmp_path / "out", f"finetune_from={trained.files['pth']}",
                                              "export.formats=[pth]", "data.batches_per_epoch=10",
                                              "trainer.max_epochs=1"))
    assert result.files["pth"].is_file() and result.metadata["num_speaker"] == 4
