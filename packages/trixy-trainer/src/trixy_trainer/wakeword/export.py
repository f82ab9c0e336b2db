"""Export a trained wake-word network: full-window ONNX, streaming ONNX, encrypted .pth and optional .pt.

The full ONNX graph is the fixed interface (input ``audio`` [batch, chunk_samples] float32 in [-1, 1], output
``probabilities`` [batch, classes]); the streaming graph (``<name>.stream.onnx``) is the CNN alone on log-mel
frames, so a satellite computes only the new frames of each hop. Both are checked against torch after export.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, write_onnx_metadata, write_pt, write_pth
from trixy_trainer.errors import TrainerError
from trixy_trainer.features.logmel import FeatureSettings, mel_filterbank
from trixy_trainer.models.wakeword_net import (
    WakewordBackboneProbabilities,
    WakewordNet,
    WakewordProbabilities,
)

logger = logging.getLogger(__name__)

ONNX_OPSET = 18


def _export(module: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], dynamic: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            str(path),
            dynamo=True,
            external_data=False,
            opset_version=ONNX_OPSET,
            input_names=inputs,
            output_names=outputs,
            dynamic_shapes=dynamic,
            verbose=False,
        )
    _strip(path)


def _strip(path: Path) -> None:
    """Drop exporter debug data (per-node stack traces, doc strings) that would double the file size."""
    import onnx

    model = onnx.load(str(path))
    for node in model.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    del model.graph.value_info[:]
    onnx.save(model, str(path))


def _filterbank_nodes(name: str, settings: FeatureSettings) -> tuple[list, list]:
    """ONNX nodes that compute the ``[n_mels, n_freqs]`` mel filterbank at session start (ONNX Runtime folds them
    into a constant once), from 42 band edges instead of 8 040 stored weights: the same float64 formula as
    :func:`trixy_trainer.features.logmel.mel_filterbank`, so the result is identical to torch's."""
    from onnx import TensorProto, helper, numpy_helper

    n_freqs = settings.n_fft // 2 + 1
    m_lo, m_hi = (2595.0 * np.log10(1.0 + f / 700.0) for f in (settings.f_min, settings.f_max))
    f_pts = 700.0 * (10 ** (np.linspace(m_lo, m_hi, settings.n_mels + 2) / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    p = f"{name}__"
    consts = {
        "f_pts": f_pts, "diff_lo": f_diff[:-1], "diff_hi": f_diff[1:], "bin_hz": np.array((settings.sample_rate // 2) / (n_freqs - 1)),
        "n_freqs": np.array(n_freqs, np.int64), "zero_i": np.array(0, np.int64), "one_i": np.array(1, np.int64),
        "zero": np.array(0.0), "axis1": np.array([1], np.int64), "s0": np.array([0], np.int64),
        "s_lo": np.array([settings.n_mels], np.int64), "s2": np.array([2], np.int64), "s_hi": np.array([settings.n_mels + 2], np.int64),
    }
    initializers = [numpy_helper.from_array(np.asarray(v), p + k) for k, v in consts.items()]
    nodes = [
        helper.make_node("Range", [p + "zero_i", p + "n_freqs", p + "one_i"], [p + "bins"]),
        helper.make_node("Cast", [p + "bins"], [p + "bins_f"], to=TensorProto.DOUBLE),
        helper.make_node("Mul", [p + "bins_f", p + "bin_hz"], [p + "freqs"]),
        helper.make_node("Unsqueeze", [p + "freqs", p + "axis1"], [p + "freqs_col"]),
        helper.make_node("Sub", [p + "f_pts", p + "freqs_col"], [p + "slopes"]),
        helper.make_node("Slice", [p + "slopes", p + "s0", p + "s_lo", p + "axis1"], [p + "slopes_lo"]),
        helper.make_node("Neg", [p + "slopes_lo"], [p + "neg_lo"]),
        helper.make_node("Div", [p + "neg_lo", p + "diff_lo"], [p + "down"]),
        helper.make_node("Slice", [p + "slopes", p + "s2", p + "s_hi", p + "axis1"], [p + "slopes_hi"]),
        helper.make_node("Div", [p + "slopes_hi", p + "diff_hi"], [p + "up"]),
        helper.make_node("Min", [p + "down", p + "up"], [p + "tri"]),
        helper.make_node("Max", [p + "tri", p + "zero"], [p + "fb64"]),
        helper.make_node("Cast", [p + "fb64"], [p + "fb32"], to=TensorProto.FLOAT),
        helper.make_node("Transpose", [p + "fb32"], [name], perm=[1, 0]),
    ]
    return nodes, initializers


def _inline_filterbank(path: Path, settings: FeatureSettings) -> None:
    """Replace the stored filterbank initializer (32 KB of the 100 KB budget) by the nodes that compute it."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    expected = mel_filterbank(settings.n_fft // 2 + 1, settings.f_min, settings.f_max, settings.n_mels, settings.sample_rate).t().numpy()
    for init in list(model.graph.initializer):
        array = numpy_helper.to_array(init)
        if array.shape == expected.shape and np.array_equal(array, expected):
            nodes, initializers = _filterbank_nodes(init.name, settings)
            model.graph.initializer.remove(init)
            model.graph.initializer.extend(initializers)
            existing = list(model.graph.node)
            del model.graph.node[:]
            model.graph.node.extend(nodes + existing)
            onnx.checker.check_model(model)
            onnx.save(model, str(path))
            return
    logger.warning("%s: no stored mel filterbank found to inline; the file keeps it", path)


def _check(path: Path, feeds: dict[str, np.ndarray], expected: Sequence[np.ndarray], atol: Sequence[float] = (1e-4, 2e-3)) -> float:
    """Run the exported graph and compare each output with torch (probabilities 1e-4, log-mel cache 2e-3)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)
    worst = 0.0
    for g, e, tol in zip(got, expected, atol, strict=False):
        diff = float(np.max(np.abs(g - e)))
        if diff > tol:
            raise TrainerError(f"{path}: ONNX output differs from torch by {diff:.2e} (> {tol}); export is broken")
        worst = max(worst, diff)
    return worst


def export_onnx(net: WakewordNet, path: Path, chunk_samples: int, metadata: Mapping[str, Any]) -> float:
    """Write the full-window ONNX model with metadata; returns the max |onnx - torch| difference."""
    wrapper = WakewordProbabilities(net).eval()
    example = (torch.randn(2, chunk_samples) * 0.1,)
    batch = torch.export.Dim("batch", min=1, max=4096)
    _export(wrapper, example, path, ["audio"], ["probabilities"], {"audio": {0: batch}})
    _inline_filterbank(path, net.frontend.settings)
    write_onnx_metadata(path, metadata, WAKEWORD_REQUIRED_KEYS)
    probe = torch.randn(3, chunk_samples) * 0.1
    with torch.no_grad():
        expected = wrapper(probe).numpy()
    return _check(path, {"audio": probe.numpy()}, [expected])


def export_stream_onnx(net: WakewordNet, path: Path, chunk_samples: int, hop_samples: int, metadata: Mapping[str, Any]) -> float:
    """Write the streaming graph: the CNN alone on log-mel frames (``mel`` [batch, n_mels, frames] -> ``probabilities``).

    A streaming detector computes only the new mel frames of each hop (numpy FFT + the filterbank described by the
    ``features`` metadata) and keeps the rest in a ring buffer; ONNX Runtime's STFT operator alone would cost more
    than the whole CNN. The satellite's tests check it reproduces the full-window graph.
    """
    settings = net.frontend.settings
    if hop_samples % settings.hop_length:
        raise TrainerError(f"stream hop {hop_samples} is not a multiple of the feature shift {settings.hop_length}")
    backbone = WakewordBackboneProbabilities(net).eval()
    frames = settings.frames_for(chunk_samples)
    example = (torch.randn(2, settings.n_mels, frames),)
    batch = torch.export.Dim("batch", min=1, max=4096)
    _export(backbone, example, path, ["mel"], ["probabilities"], {"mel": {0: batch}})
    stream_meta = dict(metadata)
    stream_meta.update(graph="mel", stream_hop_samples=hop_samples, stream_frames=frames, features=settings.to_dict())
    write_onnx_metadata(path, stream_meta, WAKEWORD_REQUIRED_KEYS)
    probe = torch.randn(2, 1, chunk_samples) * 0.1
    with torch.no_grad():
        mel = net.frontend(probe[:, 0])
        expected = backbone(mel).numpy()
    return _check(path, {"mel": mel.numpy()}, [expected])


def export_wakeword(
    net: WakewordNet,
    out_dir: str | Path,
    name: str,
    metadata: Mapping[str, Any],
    formats: Sequence[str] = ("onnx", "pth"),
    password: str | None = None,
    hop_samples: int = 1280,
) -> dict[str, Path]:
    """Export ``net`` in ``formats`` ("onnx" also writes the streaming graph); returns format -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chunk_samples = int(metadata["chunk_samples"])
    training_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    merged = copy.deepcopy(net).eval().reparameterize()
    meta = dict(metadata)
    paths: dict[str, Path] = {}
    if "onnx" in formats:
        paths["onnx"] = out / f"{name}.onnx"
        diff = export_onnx(merged, paths["onnx"], chunk_samples, meta)
        paths["stream_onnx"] = out / f"{name}.stream.onnx"
        diff_stream = export_stream_onnx(merged, paths["stream_onnx"], chunk_samples, hop_samples, meta)
        logger.info("ONNX export matches torch (max diff %.1e full, %.1e stream)", diff, diff_stream)
    if "pth" in formats:
        paths["pth"] = write_pth(out / f"{name}.pth", {**meta, "reparameterized": False}, training_state, password, required=WAKEWORD_REQUIRED_KEYS)
    if "pt" in formats:
        paths["pt"] = write_pt(out / f"{name}.pt", merged, {**meta, "reparameterized": True}, required=WAKEWORD_REQUIRED_KEYS)
    return paths
