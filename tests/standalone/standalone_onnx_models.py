"""Tiny real wake-word ONNX models for the update and sync tests (built with onnx, run by onnxruntime).

The graph scores loudness: probabilities = softmax(mean(|audio|) * weight + bias) over (trixy, system_command, none).
`quiet_model` never fires; `loud_model` fires on loud audio. Both carry full Trixy metadata.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = ["trixy", "system_command", "none"]


def make_energy_model(path: Path, weight: list[float], bias: list[float], *, trained: str,
                      chunk_samples: int = 16000) -> Path:
    """Write a wake-word .onnx with the Trixy interface (input audio, output probabilities) and metadata."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from trixy_core.modelfiles import to_onnx_props

    nodes = [
        helper.make_node("Abs", ["audio"], ["abs"]),
        helper.make_node("ReduceMean", ["abs"], ["level"], axes=[1], keepdims=1),
        helper.make_node("Mul", ["level", "w"], ["scaled"]),
        helper.make_node("Add", ["scaled", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    inits = [numpy_helper.from_array(np.asarray([weight], np.float32), "w"),
             numpy_helper.from_array(np.asarray(bias, np.float32), "b")]
    graph = helper.make_graph(
        nodes, "energy_wakeword",
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", chunk_samples])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    meta = {"format_version": 1, "sample_rate": 16000, "chunk_samples": chunk_samples, "classes": CLASSES,
            "threshold": 0.5, "technology": "energy-test", "training_date": trained,
            "detector": {"hop_samples": 1280, "smoothing_hops": 1, "refractory_s": 1.0}}
    for key, value in to_onnx_props(meta).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def quiet_model(path: Path, trained: str = "2026-01-01T00:00:00+00:00") -> Path:
    """A model that never detects (always 'none')."""
    return make_energy_model(path, [0.0, 0.0, 0.0], [0.0, 0.0, 4.0], trained=trained)


def loud_model(path: Path, trained: str = "2026-06-01T00:00:00+00:00") -> Path:
    """A model that detects 'trixy' in loud audio."""
    return make_energy_model(path, [40.0, 0.0, 0.0], [-2.0, 0.0, 0.0], trained=trained)


def loud_noise(seconds: float = 1.5, seed: int = 1) -> bytes:
    """Loud white noise as 16 kHz s16le PCM."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-0.6, 0.6, int(16000 * seconds)) * 32767).astype("<i2").tobytes()


def detections(detector, pcm: bytes) -> list:
    """Feed `pcm` in 20 ms chunks and collect the detections."""
    found = []
    for start in range(0, len(pcm), 640):
        found.extend(detector.feed(pcm[start:start + 640]))
    return found
