"""One-batch training, export to .onnx/.pth/.pt, ONNX-vs-torch, metadata, reload."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from trixy_core.modelfiles import ModelPasswordError, read_metadata, read_pt
from trixy_trainer.speaker.export import SPEAKER_REQUIRED_KEYS, load_speaker_pth


def test_training_exports_all_formats_with_speaker_metadata(trained) -> None:
    assert set(trained.files) == {"onnx", "pth", "pt"}
    meta = read_metadata(trained.files["onnx"], required=SPEAKER_REQUIRED_KEYS)
    assert meta["num_speaker"] == 4
    assert [meta[f"speaker{i:03d}"] for i in range(1, 5)] == meta["speaker"]
    assert meta["sample_rate"] == 16000 and 0.0 < meta["unknown_threshold"] <= 1.0
    assert np.asarray(meta["speaker_embeddings"]).shape == (4, 16)
    assert read_metadata(trained.files["pth"], "test-password", SPEAKER_REQUIRED_KEYS)["speaker"] == meta["speaker"]
    props = {p.key: p.value for p in onnx.load(str(trained.files["onnx"])).metadata_props}
    assert props["speaker001"] == meta["speaker"][0] and props["speaker_embeddings"].startswith("[[")


def test_onnx_interface_is_dynamic_and_matches_torch(trained) -> None:
    model, meta = load_speaker_pth(trained.files["pth"], "test-password")
    session = onnxruntime.InferenceSession(str(trained.files["onnx"]), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["audio"]
    assert [o.name for o in session.get_outputs()] == ["embedding", "logits"]
    for batch, samples in ((1, 5000), (3, 21000)):
        audio = (np.random.default_rng(samples).normal(0, 0.1, (batch, samples))).astype(np.float32)
        emb, logits = session.run(None, {"audio": audio})
        with torch.no_grad():
            ref_emb, ref_logits = model(torch.from_numpy(audio))
        assert emb.shape == (batch, 16) and logits.shape == (batch, meta["num_speaker"])
        assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
        assert np.abs(emb - ref_emb.numpy()).max() < 1e-4
        assert np.abs(logits - ref_logits.numpy()).max() < 1e-3


def test_pt_package_loads_the_same_model(trained) -> None:
    meta, packaged = read_pt(trained.files["pt"], SPEAKER_REQUIRED_KEYS)
    model, _ = load_speaker_pth(trained.files["pth"], "test-password")
    audio = torch.randn(2, 9000) * 0.1
    with torch.no_grad():
        got, ref = packaged.eval()(audio), model(audio)
    assert torch.allclose(got[0], ref[0], atol=1e-5) and torch.allclose(got[1], ref[1], atol=1e-4)
    assert meta["num_speaker"] == 4
    # self-contained: loading needs torch and numpy only, not trixy-trainer
    from torch.package import PackageImporter

    assert not [m for m in PackageImporter(str(trained.files["pt"])).extern_modules if m.startswith("trixy")]


def test_wrong_password_is_a_clear_error(trained) -> None:
    with pytest.raises(ModelPasswordError):
        load_speaker_pth(trained.files["pth"], "nope")


def test_evaluation_reports_figures_and_threshold(trained) -> None:
    ev = trained.evaluation
    for key in ("test_top1", "test_eer", "unknown_threshold", "heldout_enrolled", "heldout_unknown", "unknown_rejection"):
        assert key in ev
    assert ev["heldout_enrolled"] == 1 and ev["heldout_unknown"] == 1
