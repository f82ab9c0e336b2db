"""Export a speech-embedding wake-word model: full-window ONNX, streaming ONNX and the encrypted head (.pth).

Both ONNX graphs carry the frozen front end, so a satellite needs onnxruntime alone. The streaming graph takes one
block of ``block_hops`` hops plus the cached mel frames and embeddings before it and returns a probability row per
hop and the new caches; the export checks it reproduces the full-window graph hop by hop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_pth_metadata, write_onnx_metadata, write_pth
from trixy_trainer.errors import TrainerError
from trixy_trainer.models.embedding_wakeword import (
    BLOCK_OVERLAP,
    DITHER_DBFS,
    HOP_SAMPLES,
    LAST_FRAME_LAG,
    LOOKBACK_HOPS,
    EmbeddingWakewordNet,
    EmbeddingWakewordProbabilities,
    EmbeddingWakewordStream,
    initial_contexts,
)
from trixy_trainer.wakeword.export import _check, _export

logger = logging.getLogger(__name__)

#: the satellite's smoothing when a model's metadata names none (``trixy_satellite.wakeword.detector``)
DEFAULT_SMOOTHING_HOPS = 2


def stream_audio_samples(block_hops: int) -> int:
    """Samples of the streaming graph's ``audio`` input for a block of ``block_hops`` hops."""
    return HOP_SAMPLES * block_hops + BLOCK_OVERLAP


def stream_equivalence(net: EmbeddingWakewordNet, stream_path: Path, full_path: Path, block_hops: int, seconds: float = 4.0) -> float:
    """Feed random audio through the streaming graph block by block and compare every row with the full graph's
    ``window_probabilities`` (the window ending at its input's end)."""
    import onnxruntime as ort

    stream = ort.InferenceSession(str(stream_path), providers=["CPUExecutionProvider"])
    full = ort.InferenceSession(str(full_path), providers=["CPUExecutionProvider"])
    chunk = net.chunk_samples
    rng = np.random.default_rng(0)
    history = np.concatenate([np.zeros(chunk, np.float32), (0.1 * rng.standard_normal(int(seconds * 16000))).astype(np.float32)])
    mel_ctx, emb_ctx = (t.numpy() for t in initial_contexts(net))
    block = HOP_SAMPLES * block_hops
    worst = 0.0
    for end in range(chunk + block, history.size + 1, block):
        audio = history[end - block - BLOCK_OVERLAP - LAST_FRAME_LAG : end - LAST_FRAME_LAG][None]
        probs, mel_ctx, emb_ctx = stream.run(None, {"audio": audio, "mel_context": mel_ctx, "embedding_context": emb_ctx})
        for j in range(block_hops):
            hop_end = end - (block_hops - 1 - j) * HOP_SAMPLES
            expected = full.run(["window_probabilities"], {"audio": history[hop_end - chunk : hop_end][None]})[0][0]
            worst = max(worst, float(np.max(np.abs(probs[0, j] - expected))))
    if worst > 1e-4:
        raise TrainerError(f"{stream_path}: streaming graph differs from the full window by {worst:.2e}; export is broken")
    return worst


def export_embedding_wakeword(
    net: EmbeddingWakewordNet,
    out_dir: str | Path,
    name: str,
    metadata: Mapping[str, Any],
    formats: Sequence[str] = ("onnx", "pth"),
    password: str | None = None,
    block_hops: int = 4,
) -> dict[str, Path]:
    """Write ``<name>.onnx``, ``<name>.stream.onnx`` and ``<name>.pth`` (the head's weights; the front end is rebuilt
    from the installed package) with ``metadata``; returns format -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    net = net.eval()
    meta = dict(metadata)
    # what the full-window graph's ``probabilities`` scan: its last window and this many before it (80 ms apart),
    # each averaged with the windows before it as the satellite smooths (the detector's smoothing_hops, default 2)
    smoothing = int((meta.get("detector") or {}).get("smoothing_hops", DEFAULT_SMOOTHING_HOPS))
    meta["features"] = {**(meta.get("features") or {}), "full_window_lookback_hops": LOOKBACK_HOPS,
                        "full_window_smoothing_hops": smoothing}
    paths: dict[str, Path] = {}
    chunk = net.chunk_samples
    if "onnx" in formats:
        paths["onnx"] = out / f"{name}.onnx"
        wrapper = EmbeddingWakewordProbabilities(net, smoothing=smoothing).eval()
        batch = torch.export.Dim("batch", min=1, max=4096)
        _export(wrapper, (torch.randn(2, chunk) * 0.1,), paths["onnx"], ["audio"], ["probabilities", "window_probabilities"],
                {"audio": {0: batch}})
        write_onnx_metadata(paths["onnx"], meta, WAKEWORD_REQUIRED_KEYS)
        probe = torch.randn(3, chunk) * 0.1
        probe[0, : chunk // 2] = 0.0  # sound up to the end: the last window alone
        probe[1, chunk // 2 :] = 0.0  # sound, then silence: the look-back windows count too
        with torch.no_grad():
            diff = _check(paths["onnx"], {"audio": probe.numpy()}, [t.numpy() for t in wrapper(probe)], atol=(1e-4, 1e-4))
        paths["stream_onnx"] = out / f"{name}.stream.onnx"
        stream = EmbeddingWakewordStream(net, block_hops).eval()
        mel_ctx, emb_ctx = initial_contexts(net)
        example = (torch.randn(1, stream_audio_samples(block_hops)) * 0.1, mel_ctx, emb_ctx)
        _export(
            stream, example, paths["stream_onnx"], ["audio", "mel_context", "embedding_context"],
            ["probabilities", "mel_context_out", "embedding_context_out"], None,
        )
        stream_meta = dict(meta)
        stream_meta.update(
            graph="speech-embedding",
            stream_hop_samples=HOP_SAMPLES * block_hops,
            stream_block_hops=block_hops,
            stream_audio_samples=stream_audio_samples(block_hops),
            stream_lag_samples=LAST_FRAME_LAG,
            # every row: with the dither the silent history is not one row repeated
            mel_context=mel_ctx.numpy()[0].round(6).tolist(),
            embedding_context=emb_ctx.numpy()[0].round(6).tolist(),
        )
        write_onnx_metadata(paths["stream_onnx"], stream_meta, WAKEWORD_REQUIRED_KEYS)
        diff_stream = stream_equivalence(net, paths["stream_onnx"], paths["onnx"], block_hops)
        logger.info("ONNX export matches torch (max diff %.1e full, %.1e stream vs full)", diff, diff_stream)
    if "pth" in formats:
        state = {k: v.detach().clone() for k, v in net.head.state_dict().items()}
        paths["pth"] = write_pth(out / f"{name}.pth", meta, state, password, required=WAKEWORD_REQUIRED_KEYS)
    return paths


def reexport_embedding_model(pth: str | Path, out_dir: str | Path, password: str | None = None) -> dict[str, Path]:
    """Rebuild the ONNX graphs (and the ``.pth``) of a trained speech-embedding model with the installed front end.

    The ``.pth`` holds only the trained heads, so this is how a model picks up a change of the exported graphs (such
    as the dither) without training again; its metadata is kept, ``features`` updated to what the graphs now do."""
    from trixy_trainer.pretrained import speech_embedding as se
    from trixy_trainer.wakeword.embedding_evaluate import load_head, single_threshold

    architecture = read_pth_metadata(pth, password, WAKEWORD_REQUIRED_KEYS).get("architecture") or {}
    if architecture.get("name") != "speech_embedding":
        raise TrainerError(f"{pth}: not a speech-embedding model (architecture {architecture.get('name')!r}); "
                           "export.checkpoint of a CNN model is its Lightning checkpoint (.ckpt)")
    meta, head = load_head(pth, password)
    mel, embedding = se.load_speech_frontend()
    net = EmbeddingWakewordNet(mel, embedding, head)
    if int(meta["chunk_samples"]) != net.chunk_samples:
        raise TrainerError(f"{pth}: chunk_samples {meta['chunk_samples']} does not match its head ({net.chunk_samples})")
    meta = dict(meta)
    meta["features"] = {**(meta.get("features") or {}), "dither_dbfs": DITHER_DBFS}
    if meta.get("class_thresholds"):
        meta["threshold"] = single_threshold(meta["class_thresholds"])
    block_hops = int((meta.get("detector") or {}).get("hop_samples", HOP_SAMPLES * 4)) // HOP_SAMPLES
    return export_embedding_wakeword(net, out_dir, Path(pth).name.removesuffix(".pth"), meta, password=password, block_hops=block_hops)
