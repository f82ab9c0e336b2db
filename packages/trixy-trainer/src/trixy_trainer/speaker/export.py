"""Speaker model files: .pth (AES zip, weights + metafile.json), .pt (torch.package), .onnx (dynamo export).

ONNX interface (fixed): input ``audio`` float32 ``[batch, samples]`` in [-1, 1] at ``sample_rate``, both axes
dynamic; outputs ``embedding`` ``[batch, dim]`` (L2-normalised) and ``logits`` ``[batch, num_speaker]``.
Metadata (all formats): ``num_speaker``, ``speaker001``..., ``speaker`` (list), ``sample_rate``,
``unknown_threshold``, ``speaker_embeddings`` (enrolled mean embeddings, id order), ``model_config``, ...
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trixy_core.modelfiles import read_pth, write_onnx_metadata, write_pt, write_pth
from trixy_trainer.speaker.errors import SpeakerMetadataError
from trixy_trainer.speaker.model import SpeakerModel, build_model
from trixy_trainer.speaker.onnx_speech_trim import add_speech_trim
from trixy_trainer.speaker.speakers import speakers_from_metadata

logger = logging.getLogger(__name__)

#: Keys every speaker model carries (checked on read and write).
SPEAKER_REQUIRED_KEYS = ("sample_rate", "technology", "num_speaker", "unknown_threshold", "model_config")
MAX_EXPORT_SAMPLES = 16000 * 600


def export_onnx(model: SpeakerModel, path: str | Path, metadata: Mapping[str, Any], check_samples: int = 24000) -> float:
    """Export with the dynamo exporter (dynamic batch and samples), write metadata, return max |onnx - torch|."""
    import onnxruntime

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()
    example = (torch.randn(2, check_samples) * 0.1,)
    if any(isinstance(m, torch.nn.LSTM) for m in model.modules()):
        _export_recurrent(model, example, path)
    else:
        batch = torch.export.Dim("batch", min=1, max=1024)
        samples = torch.export.Dim("samples", min=model.frontend.min_samples + 1, max=MAX_EXPORT_SAMPLES)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                model,
                example,
                dynamo=True,
                input_names=["audio"],
                output_names=["embedding", "logits"],
                dynamic_shapes={"audio": {0: batch, 1: samples}},
                verbose=False,
            )
        program.save(str(path), external_data=False)
    add_speech_trim(path)  # the graph embeds the speech of its input, not the silence around it
    write_onnx_metadata(path, metadata, SPEAKER_REQUIRED_KEYS)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for n in (check_samples, check_samples // 2 + 321):
        audio = (torch.randn(3, n) * 0.1).numpy()
        with torch.no_grad():
            ref = [t.numpy() for t in model(torch.from_numpy(audio))]
        got = session.run(["embedding", "logits"], {"audio": audio})
        worst = max(worst, *(float(np.max(np.abs(a - b))) for a, b in zip(got, ref, strict=True)))
    logger.info("exported %s (max |onnx - torch| = %.2e)", path, worst)
    return worst


def _export_recurrent(model: SpeakerModel, example: tuple[torch.Tensor], path: Path) -> None:
    """TorchScript exporter for models with an LSTM (GE2E): it maps ``nn.LSTM`` to the ONNX ``LSTM`` op, while the
    dynamo exporter cannot decompose an LSTM over a dynamic number of frames (torch 2.13). Same ONNX interface."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            example,
            str(path),
            dynamo=False,
            input_names=["audio"],
            output_names=["embedding", "logits"],
            dynamic_axes={"audio": {0: "batch", 1: "samples"}, "embedding": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=18,
        )


def write_speaker_pt(path: str | Path, model: SpeakerModel, metadata: Mapping[str, Any]) -> Path:
    """Self-contained torch.package export readable by ``trixy_core.modelfiles.read_pt`` (all of ``trixy_trainer``
    the model needs is interned, so loading it needs only torch and numpy)."""
    return write_pt(path, model, metadata, required=SPEAKER_REQUIRED_KEYS)


def export_speaker_model(
    model: SpeakerModel,
    out_dir: str | Path,
    name: str,
    metadata: Mapping[str, Any],
    formats: Iterable[str] = ("onnx", "pth"),
    password: str | None = None,
) -> dict[str, Path]:
    """Write ``<out_dir>/<name>.<fmt>`` for each format; returns format -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(metadata)
    if int(meta["num_speaker"]) != model.num_speaker:
        raise SpeakerMetadataError(f"metadata lists {meta['num_speaker']} speakers but the model has {model.num_speaker}")
    speakers_from_metadata(meta)
    files: dict[str, Path] = {}
    model = model.cpu().eval()
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        if fmt == "pth":
            write_pth(path, meta, model.state_dict(), password, required=SPEAKER_REQUIRED_KEYS)
        elif fmt == "pt":
            write_speaker_pt(path, model, meta)
        elif fmt == "onnx":
            meta_onnx = dict(meta)
            diff = export_onnx(model, path, meta_onnx)
            if diff > 1e-3:
                raise SpeakerMetadataError(f"{path}: ONNX output differs from torch by {diff:.3g}; export is broken")
        else:
            raise SpeakerMetadataError(f"unknown export format {fmt!r}; use onnx, pth or pt")
        files[fmt] = path
    return files


def load_speaker_pth(path: str | Path, password: str | None = None) -> tuple[SpeakerModel, dict[str, Any]]:
    """Rebuild a trainable :class:`SpeakerModel` from a .pth and return it with its metadata."""
    meta, state = read_pth(path, password, SPEAKER_REQUIRED_KEYS)
    names = speakers_from_metadata(meta)
    model = build_model(meta["model_config"], len(names))
    model.load_state_dict(state)
    return model.eval(), meta
