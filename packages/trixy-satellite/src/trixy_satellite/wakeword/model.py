"""Loading a Trixy wake-word ONNX model (numpy + onnxruntime only).

The full-window graph (``<name>.onnx``: ``audio`` [batch, chunk_samples] -> ``probabilities``) is the fixed interface.
When ``<name>.stream.onnx`` lies beside it the detector streams: for the CNN models it is the CNN alone (input
``mel`` [batch, n_mels, frames]) and the detector computes only the new log-mel frames of each hop; for the
speech-embedding models (``graph: speech-embedding``) it takes a block of new audio plus cached mel frames and
embeddings and returns one probability row per 80 ms hop. A model whose ``technology`` this satellite cannot run is
refused with a message that says what to install.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, ModelFileError, metadata_from_props
from trixy_satellite.wakeword.errors import WakewordModelError

logger = logging.getLogger(__name__)

#: Wake-word technologies this satellite runs with numpy + onnxruntime alone (the model's ``technology`` key):
#: the all-trained CNNs, and the head on openWakeWord's speech embedding (front end inside the ONNX graph).
SUPPORTED_TECHNOLOGIES = frozenset({"repcnn", "tcresnet", "oww-embedding"})
#: Technologies known to need something this package does not install: what to install for them.
TECHNOLOGY_REQUIREMENTS = {
    "tflite": "a TFLite runtime: pip install ai-edge-litert (Trixy satellites run ONNX; re-export the model to ONNX)",
    "torch": "torch: pip install 'trixy-satellite[torch]' (or export the model to ONNX with trixy-train)",
}


def check_technology(path: Path, metadata: dict[str, Any]) -> None:
    """Refuse a model this satellite cannot run, saying what to install: a technology known to need another
    runtime, or a ``runtime_requires`` entry that is not installed. Any other technology keeps the fixed ONNX
    contract, so it is tried as a plain ONNX model (with a log line)."""
    from trixy_satellite.speaker.technology import check_requirement

    technology = str(metadata.get("technology", ""))
    need = TECHNOLOGY_REQUIREMENTS.get(technology.split(":")[0])
    if need:
        raise WakewordModelError(f"{path}: the model needs technology {technology!r}, which this satellite cannot run; install {need}")
    requires = metadata.get("runtime_requires") or []
    problems = [p for p in (check_requirement(str(r)) for r in ([requires] if isinstance(requires, str) else requires)) if p]
    if problems:
        raise WakewordModelError(f"{path}: cannot run this {technology or 'wake-word'} model: {'; '.join(problems)}")
    if technology not in SUPPORTED_TECHNOLOGIES:
        logger.warning("%s: wake-word technology %r is not one this satellite knows (%s); running it as a plain ONNX model "
                       "of the fixed contract (upgrade with pip install -U trixy-satellite if it misbehaves)",
                       path, technology, ", ".join(sorted(SUPPORTED_TECHNOLOGIES)))


def _session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise WakewordModelError(f"{path}: cannot load ONNX model ({exc})") from exc


@dataclass(slots=True)
class WakewordModel:
    """A loaded wake-word model: sessions plus the metadata every tool relies on."""

    path: Path
    metadata: dict[str, Any]
    session: ort.InferenceSession
    stream_session: ort.InferenceSession | None = None
    stream_metadata: dict[str, Any] = field(default_factory=dict)
    #: the full-window output that is the window ending at the input's end (the stream's row): graphs with the
    #: look-back have ``window_probabilities``; in older ones ``probabilities`` is that window
    window_output: str = "probabilities"

    @property
    def sample_rate(self) -> int:
        """Sample rate the model expects."""
        return int(self.metadata["sample_rate"])

    @property
    def chunk_samples(self) -> int:
        """Window length in samples."""
        return int(self.metadata["chunk_samples"])

    @property
    def classes(self) -> list[str]:
        """Class names; a wake word id is an index into this list (the last class is "none")."""
        return list(self.metadata["classes"])

    @property
    def threshold(self) -> float:
        """Detection threshold chosen at training time."""
        return float(self.metadata["threshold"])

    @property
    def class_thresholds(self) -> list[float]:
        """One threshold per wake class (every class but the last, "none"): the metadata's ``class_thresholds``
        where the trainer chose them per class, else the single ``threshold`` for all."""
        chosen = self.metadata.get("class_thresholds") or {}
        if not isinstance(chosen, dict):
            chosen = {}
        return [float(chosen.get(name, self.threshold)) for name in self.classes[:-1]]

    def predict(self, audio: np.ndarray) -> np.ndarray:
        """Full-window probabilities for ``audio`` [batch, chunk_samples] float32 in [-1, 1] (the contract's output:
        for speech-embedding graphs, the most wake-like of the windows ending in the input's last 1.2 s)."""
        return self.session.run(["probabilities"], {"audio": np.asarray(audio, dtype=np.float32)})[0]

    def predict_last_window(self, audio: np.ndarray) -> np.ndarray:
        """Probabilities of the one window ending at the input's last sample: what the streaming graph gives at that
        hop (``window_probabilities``; graphs without that output give ``probabilities``, which is that window)."""
        return self.session.run([self.window_output], {"audio": np.asarray(audio, dtype=np.float32)})[0]


def load_wakeword_model(path: str | Path, threads: int = 1, use_stream: bool = True) -> WakewordModel:
    """Load ``path`` (.onnx) and, if present, its streaming companion ``<stem>.stream.onnx``."""
    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise WakewordModelError(f"{path}: the satellite runs .onnx wake-word models; export one with trixy-train export")
    if not path.is_file():
        raise WakewordModelError(f"{path}: wake-word model not found")
    session = _session(path, threads)
    try:
        meta = metadata_from_props(session.get_modelmeta().custom_metadata_map, str(path), WAKEWORD_REQUIRED_KEYS)
    except ModelFileError as exc:
        raise WakewordModelError(str(exc)) from exc
    check_technology(path, meta)
    names = [i.name for i in session.get_inputs()], [o.name for o in session.get_outputs()]
    if names[0] != ["audio"] or "probabilities" not in names[1]:
        raise WakewordModelError(f"{path}: expected input 'audio' and output 'probabilities', got {names}")
    model = WakewordModel(path=path, metadata=meta, session=session,
                          window_output="window_probabilities" if "window_probabilities" in names[1] else "probabilities")
    stream_path = path.with_name(path.stem + ".stream.onnx")
    if use_stream and stream_path.is_file():
        stream = _session(stream_path, threads)
        try:
            stream_meta = metadata_from_props(stream.get_modelmeta().custom_metadata_map, str(stream_path), WAKEWORD_REQUIRED_KEYS)
        except ModelFileError as exc:
            raise WakewordModelError(str(exc)) from exc
        if stream_meta["chunk_samples"] != meta["chunk_samples"] or stream_meta["classes"] != meta["classes"]:
            raise WakewordModelError(f"{stream_path}: does not belong to {path.name} (chunk or classes differ)")
        model.stream_session, model.stream_metadata = stream, stream_meta
    logger.info("wake-word model %s: classes %s, threshold %.3f, streaming %s", path.name, meta["classes"], meta["threshold"], model.stream_session is not None)
    return model
