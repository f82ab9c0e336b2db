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
