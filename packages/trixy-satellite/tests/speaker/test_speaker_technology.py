"""A model whose technology this satellite cannot run is refused with a message that says what to install; the
model's own embedding window is used for long audio."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trixy_satellite.speaker import SpeakerIdentifier, SpeakerModelError
from trixy_satellite.speaker.technology import SUPPORTED_TECHNOLOGIES, check_requirement, peek_metadata

onnx = pytest.importorskip("onnx")


def with_metadata(source: Path, target: Path, **changes: object) -> Path:
    """Copy an ONNX model with some metadata_props replaced (values JSON-encoded like the trainer writes them)."""
    model = onnx.load(str(source))
    props = {p.key: p.value for p in model.metadata_props}
    props.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in changes.items()})
    del model.metadata_props[:]
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(target))
    return target


def test_the_shipped_model_names_a_technology_this_satellite_runs(default_model: Path) -> None:
    ident = SpeakerIdentifier(default_model)
    assert ident.metadata["technology"] in SUPPORTED_TECHNOLOGIES


def test_unknown_technology_is_refused_with_what_to_install(default_model: Path, tmp_path: Path) -> None:
    future = with_metadata(default_model, tmp_path / "future.onnx", technology="wavlm_xxl")
    with pytest.raises(SpeakerModelError, match=r"'wavlm_xxl' is not supported.*pip install --upgrade trixy-satellite"):
        SpeakerIdentifier(future)


def test_missing_runtime_requirement_is_refused_with_the_pip_command(default_model: Path, tmp_path: Path) -> None:
    needy = with_metadata(default_model, tmp_path / "needy.onnx", runtime_requires=["onnxruntime>=99.0"])
    with pytest.raises(SpeakerModelError, match=r"onnxruntime .* needs onnxruntime>=99\.0: pip install 'onnxruntime>=99\.0'"):
        SpeakerIdentifier(needy)
    assert check_requirement("onnxruntime>=1.0") is None
    assert "not installed: pip install 'no-such-package-xyz>=1'" in str(check_requirement("no-such-package-xyz>=1"))


def test_a_model_onnxruntime_cannot_load_still_says_which_technology_it_needs(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    node = helper.make_node("FancySpeakerOp", ["audio"], ["embedding"], domain="org.future")
    graph = helper.make_graph([node], "future", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, 16000])],
                              [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, 8])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("org.future", 1)])
    model.metadata_props.add(key="technology", value="future_tech")
    path = tmp_path / "future.onnx"
    onnx.save(model, str(path))
    assert peek_metadata(path, "technology") == "future_tech"
    with pytest.raises(SpeakerModelError, match=r"'future_tech' is not supported.*pip install --upgrade trixy-satellite"):
        SpeakerIdentifier(path)


def test_long_audio_is_embedded_in_the_models_window(default_model: Path, tmp_path: Path) -> None:
    windowed = with_metadata(default_model, tmp_path / "w.onnx", embedding_window_s=1.0)
    ident = SpeakerIdentifier(windowed)
    assert ident.max_window == 16000
    assert SpeakerIdentifier(windowed, max_window_s=3.0).max_window == 48000  # an explicit argument wins
    emb = ident.embed((np.random.default_rng(0).normal(size=40000) * 0.1).astype(np.float32))
    assert emb.shape == (ident.embedding_dim,) and abs(float(np.linalg.norm(emb)) - 1.0) < 1e-5
