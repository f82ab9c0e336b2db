"""Model files: save/load round trips and clear errors for all three formats."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import pyzipper

from trixy_core.modelfiles import (
    WAKEWORD_REQUIRED_KEYS,
    CorruptModelFileError,
    IncompatibleMetadataError,
    MissingMetafileError,
    ModelFileError,
    ModelPasswordError,
    UnsupportedModelFormatError,
    base_metadata,
    from_onnx_props,
    read_metadata,
    read_onnx_metadata,
    read_pt,
    read_pth,
    read_pth_metadata,
    to_onnx_props,
    validate_metadata,
    write_onnx_metadata,
    write_pt,
    write_pth,
)

torch = pytest.importorskip("torch")


@pytest.fixture()
def meta() -> dict:
    return base_metadata(
        sample_rate=16000,
        chunk_samples=16240,
        classes=["trixy", "system_command", "none"],
        threshold=0.7,
        technology="repcnn",
        author="test",
        results={"frr": 0.01},
    )


def test_pth_round_trip_keeps_weights_and_metadata(tmp_path: Path, meta: dict) -> None:
    layer = torch.nn.Linear(4, 3)
    path = write_pth(tmp_path / "m.pth", meta, layer.state_dict(), password="s3cret", required=WAKEWORD_REQUIRED_KEYS)
    loaded_meta, state = read_pth(path, password="s3cret", required=WAKEWORD_REQUIRED_KEYS)
    assert loaded_meta["classes"] == meta["classes"] and loaded_meta["results"] == {"frr": 0.01}
    assert torch.equal(state["weight"], layer.weight.detach())
    with zipfile.ZipFile(path) as archive:  # it is a real, encrypted zip
        assert set(archive.namelist()) == {"metafile.json", "weights.pt"}
        assert all(info.flag_bits & 0x1 for info in archive.infolist())


def test_pth_wrong_password_is_a_password_error(tmp_path: Path, meta: dict) -> None:
    path = write_pth(tmp_path / "m.pth", meta, b"weights", password="right")
    with pytest.raises(ModelPasswordError, match="wrong password"):
        read_pth_metadata(path, password="wrong")


def test_pth_password_comes_from_environment(tmp_path: Path, meta: dict, monkeypatch) -> None:
    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "from-env")
    path = write_pth(tmp_path / "m.pth", meta, b"weights")
    assert read_pth_metadata(path, password="from-env")["technology"] == "repcnn"
    monkeypatch.delenv("TRIXY_MODEL_PASSWORD")
    with pytest.raises(ModelPasswordError, match="TRIXY_MODEL_PASSWORD"):
        read_pth_metadata(path)


def test_pth_truncated_archive_is_corrupt(tmp_path: Path, meta: dict) -> None:
    path = write_pth(tmp_path / "m.pth", meta, b"x" * 1000, password="pw")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptModelFileError):
        read_pth_metadata(path, password="pw")
    (tmp_path / "junk.pth").write_bytes(b"not a zip at all")
    with pytest.raises(CorruptModelFileError, match="not a readable"):
        read_pth_metadata(tmp_path / "junk.pth", password="pw")


def test_pth_without_metafile_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "plain.pth"
    with pyzipper.AESZipFile(path, "w", encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(b"pw")
        archive.writestr("weights.pt", b"abc")
    with pytest.raises(MissingMetafileError, match="metafile.json"):
        read_pth_metadata(path, password="pw")


def test_incompatible_metadata_is_rejected(tmp_path: Path, meta: dict) -> None:
    bad = dict(meta)
    del bad["classes"]
    with pytest.raises(IncompatibleMetadataError, match="classes"):
        write_pth(tmp_path / "m.pth", bad, b"w", password="pw", required=WAKEWORD_REQUIRED_KEYS)
    path = write_pth(tmp_path / "m.pth", bad, b"w", password="pw")
    with pytest.raises(IncompatibleMetadataError, match="missing required"):
        read_pth_metadata(path, password="pw", required=WAKEWORD_REQUIRED_KEYS)
    for key, value in [("threshold", 1.5), ("sample_rate", "16k"), ("classes", []), ("format_version", 99)]:
        with pytest.raises(IncompatibleMetadataError, match=key):
            validate_metadata({**meta, key: value}, WAKEWORD_REQUIRED_KEYS)


def test_onnx_props_encode_lists_as_json_and_round_trip(meta: dict) -> None:
    props = to_onnx_props(meta)
    assert json.loads(props["classes"]) == meta["classes"]
    assert props["technology"] == "repcnn" and props["sample_rate"] == "16000"
    assert from_onnx_props(props) == meta


def _tiny_onnx(path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    node = helper.make_node("Identity", ["audio"], ["probabilities"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def test_onnx_metadata_round_trip_with_onnx_and_onnxruntime(tmp_path: Path, meta: dict, monkeypatch) -> None:
    path = tmp_path / "m.onnx"
    _tiny_onnx(path)
    with pytest.raises(MissingMetafileError):
        read_onnx_metadata(path)
    write_onnx_metadata(path, meta, WAKEWORD_REQUIRED_KEYS)
    assert read_metadata(path, required=WAKEWORD_REQUIRED_KEYS) == meta
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert json.loads(session.get_modelmeta().custom_metadata_map["classes"]) == meta["classes"]
    out = session.run(None, {"audio": np.ones((2, 3), np.float32)})[0]
    assert out.shape == (2, 3)
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)  # the satellite path: onnxruntime only
    assert read_onnx_metadata(path, WAKEWORD_REQUIRED_KEYS)["threshold"] == 0.7
    (tmp_path / "bad.onnx").write_bytes(b"\x00garbage")
    with pytest.raises(CorruptModelFileError):
        read_onnx_metadata(tmp_path / "bad.onnx")


def test_pt_torch_package_round_trip(tmp_path: Path, meta: dict) -> None:
    model = torch.nn.Sequential(torch.nn.Linear(4, 2))
    path = write_pt(tmp_path / "m.pt", model, meta, required=WAKEWORD_REQUIRED_KEYS)
    assert read_metadata(path, required=WAKEWORD_REQUIRED_KEYS) == meta
    loaded_meta, loaded = read_pt(path)
    x = torch.randn(1, 4)
    assert loaded_meta["threshold"] == 0.7
    assert torch.allclose(loaded(x), model(x))


UNLOADABLE_IN_A_PACKAGE = """
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(slots=True)
class Settings:
    width: int = 4


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.settings = Settings()
        self.linear = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.linear(x)
"""


def test_pt_that_cannot_be_loaded_back_is_refused_at_write_time(tmp_path: Path, meta: dict, monkeypatch) -> None:
    """A dataclass with string annotations cannot be re-created inside torch.package: write_pt says so and keeps
    no broken file, instead of a .pt that fails on every user's machine."""
    import importlib
    import sys

    package = tmp_path / "src" / "pt_probe_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "net.py").write_text(UNLOADABLE_IN_A_PACKAGE)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    try:
        module = importlib.import_module("pt_probe_pkg.net")
        with pytest.raises(ModelFileError, match="cannot be loaded back"):
            write_pt(tmp_path / "bad.pt", module.Net(), meta, required=WAKEWORD_REQUIRED_KEYS)
        assert not (tmp_path / "bad.pt").exists()
    finally:
        for name in [n for n in sys.modules if n.startswith("pt_probe_pkg")]:
            del sys.modules[name]


def test_unknown_suffix_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedModelFormatError, match=".bin"):
        read_metadata(tmp_path / "model.bin")
