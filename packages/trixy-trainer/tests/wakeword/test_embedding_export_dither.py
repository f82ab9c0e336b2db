"""The exported speech-embedding graphs add a fixed 16-bit dither: digital silence (exact zeros) no longer reaches the
embedding 100 dB below anything real, both graphs stay equal, and a trained model picks it up by re-export alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata, read_pth, write_pth
from trixy_trainer.errors import TrainerError
from trixy_trainer.models.embedding_wakeword import (
    BLOCK_OVERLAP,
    DITHER_DBFS,
    HOP_SAMPLES,
    LAST_FRAME_LAG,
    dither,
)
from trixy_trainer.wakeword.embedding_export import reexport_embedding_model

REPO = Path(__file__).resolve().parents[4]
SHIPPED = REPO / "models" / "wakeword" / "trixy"
PASSWORD = "trixy-default-model"


def test_the_dither_is_16_bit_quantisation_noise_aligned_to_the_80_ms_steps() -> None:
    assert -101.5 < DITHER_DBFS < -100.5
    window = dither(32000)
    level = 20 * np.log10(float(window.std()))
    assert abs(level - DITHER_DBFS) < 0.5
    assert torch.equal(window[:HOP_SAMPLES], window[HOP_SAMPLES : 2 * HOP_SAMPLES])  # one pattern per step
    # the streaming input starts 480 samples before a step boundary: sample p gets the same value in both graphs
    start = 32000 - BLOCK_OVERLAP - LAST_FRAME_LAG
    block = dither(4 * HOP_SAMPLES + BLOCK_OVERLAP, -(BLOCK_OVERLAP + LAST_FRAME_LAG))
    assert torch.equal(block[: BLOCK_OVERLAP + LAST_FRAME_LAG], window[start:])


def test_a_trained_model_is_reexported_with_the_dither_and_keeps_its_metadata(tmp_path: Path) -> None:
    shutil.copy(SHIPPED / "trixy.pth", tmp_path / "trixy.pth")
    before, _ = read_pth(tmp_path / "trixy.pth", PASSWORD, WAKEWORD_REQUIRED_KEYS)
    files = reexport_embedding_model(tmp_path / "trixy.pth", tmp_path / "out", PASSWORD)
    assert {p.name for p in files.values()} == {"trixy.onnx", "trixy.stream.onnx", "trixy.pth"}
    after = read_metadata(files["onnx"], required=WAKEWORD_REQUIRED_KEYS)
    assert after["features"]["dither_dbfs"] == DITHER_DBFS
    # the full window smooths as the satellite does: the detector's smoothing_hops, written where tools read it
    assert after["features"]["full_window_smoothing_hops"] == after["detector"]["smoothing_hops"] == 2
    assert after["features"]["full_window_lookback_hops"] == 15
    # the one threshold for single-threshold tools is the highest class threshold (not the lowest, as before)
    assert after["threshold"] == max(after["class_thresholds"].values()) > min(after["class_thresholds"].values())
    for key in ("classes", "class_thresholds", "chunk_samples", "architecture", "results", "detector", "pretrained"):
        assert after[key] == before[key], key
    session = ort.InferenceSession(str(files["onnx"]), providers=["CPUExecutionProvider"])
    probs = session.run(None, {"audio": np.zeros((1, int(after["chunk_samples"])), np.float32)})[0]
    assert probs.shape == (1, 3) and probs[0, 2] > 0.9  # digital silence is "none", like a quiet room


def test_reexport_refuses_a_model_that_is_not_a_speech_embedding_one(tmp_path: Path) -> None:
    meta, state = read_pth(SHIPPED / "trixy.pth", PASSWORD, WAKEWORD_REQUIRED_KEYS)
    other = write_pth(tmp_path / "cnn.pth", {**meta, "architecture": {"name": "repcnn", "params": {}}}, state, PASSWORD,
                      required=WAKEWORD_REQUIRED_KEYS)
    with pytest.raises(TrainerError, match="not a speech-embedding model"):
        reexport_embedding_model(other, tmp_path / "out", PASSWORD)
