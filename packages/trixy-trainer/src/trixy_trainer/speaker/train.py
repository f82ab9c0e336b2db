"""Speaker training entry point (Python API for the TUI, and ``trixy-train speaker train``).

Trains a new model, or with ``finetune_from=<.pth>`` grows an existing one: old speakers keep their ids, new ones
are appended (their prototype rows start at their mean embedding), and old-speaker accuracy is measured before and
after the update. Afterwards the speaker centroids, the unknown-speaker threshold and the test figures are
computed and the model is exported with full metadata.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import torch
from omegaconf import DictConfig

from trixy_core.modelfiles import base_metadata
from trixy_trainer.config import (
    find_config_dir,
    instantiate_section,
    load_config,
    plain_section,
    to_container,
)
from trixy_trainer.lightning_trainer import build_trainer
from trixy_trainer.progress import ProgressCallback, ProgressReporter, TrainingControl
from trixy_trainer.result import TrainResult
from trixy_trainer.schedules import build_optimization
from trixy_trainer.speaker.datamodule import SpeakerDataModule, load_split
from trixy_trainer.speaker.enroll import rounded
from trixy_trainer.speaker.errors import SpeakerConfigError, SpeakerDatasetError
from trixy_trainer.speaker.evaluate import evaluate_model
from trixy_trainer.speaker.export import export_speaker_model, load_speaker_pth
from trixy_trainer.speaker.model import SpeakerModel, count_parameters
from trixy_trainer.speaker.module import SpeakerLightningModule
from trixy_trainer.speaker.prepare import load_manifest
from trixy_trainer.speaker.score_norm import check_settings, choose_cohort
from trixy_trainer.speaker.scoring import centroids, embed_batches
from trixy_trainer.speaker.speakers import extend_speakers, speaker_metadata, speakers_from_metadata
from trixy_trainer.speaker.synth import TWIN_MARK

logger = logging.getLogger(__name__)


def speaker_config(overrides: Sequence[str] = (), config_dir: str | Path | None = None) -> DictConfig:
    """Compose ``config/trainer/speaker/config.yaml`` with Hydra overrides (arguments win over files)."""
    directory = Path(config_dir) if config_dir else find_config_dir() / "speaker"
    return load_config("config", overrides, directory)


def _resume_path(cfg: DictConfig) -> str | None:
    if not cfg.get("resume"):
        return None
    if str(cfg.resume) == "last":
        path = Path(cfg.run_dir) / "checkpoints" / "last.ckpt"
        return str(path) if path.is_file() else None
    if not Path(cfg.resume).is_file():
        raise SpeakerConfigError(f"resume checkpoint {cfg.resume} does not exist")
    return str(cfg.resume)


def _prepare_model(cfg: DictConfig, manifest_speakers: list[str]) -> tuple[SpeakerModel, list[str], dict[str, Any]]:
    """New model, or the fine-tune base grown by the new speakers (old ids kept); also returns growth info."""
    info: dict[str, Any] = {}
    if not cfg.get("finetune_from"):
        model = instantiate_section(cfg, "model", num_speaker=len(manifest_speakers))
        if hasattr(model.encoder, "load_pretrained"):  # optional technologies with pretrained parts (ge2e, ge2e_fusion)
            model.encoder.pretrained_source = model.encoder.load_pretrained(cfg.export.get("password"))
            logger.info("pretrained parts: %s", model.encoder.pretrained_source)
        return model, manifest_speakers, info
    model, meta = load_speaker_pth(cfg.finetune_from, cfg.export.get("password"))
    if meta.get("pretrained"):
        model.encoder.pretrained_source = meta["pretrained"]
    old = speakers_from_metadata(meta)
    speakers = extend_speakers(old, manifest_speakers)
    new = speakers[len(old) :]
    info.update(base_model=str(cfg.finetune_from), old_speakers=len(old), added_speakers=new)
    audio, labels, _ = load_split(cfg.data.chunked_dir, "train", speakers)
    if new:
        emb = embed_batches(model, audio[labels >= len(old)])
        rows = centroids(emb, labels[labels >= len(old)] - len(old), len(new))
        model.grow(torch.from_numpy(rows))
    info["old_speaker_accuracy_before"] = _old_speaker_accuracy(model, cfg, speakers, len(old))
    logger.info("fine-tuning %s: %d old speakers, %d new %s", cfg.finetune_from, len(old), len(new), new)
    return model, speakers, info


def _old_speaker_accuracy(model: SpeakerModel, cfg: DictConfig, speakers: list[str], old_count: int) -> float:
    """Top-1 (logits over all speakers) on held-back slices of the speakers the base model already knew."""
    for split in ("test", "val", "train"):
        audio, labels, _ = load_split(cfg.data.chunked_dir, split, speakers)
        keep = labels < old_count
        if keep.any():
            with torch.no_grad():
                model.eval()
                logits = torch.cat([model(torch.from_numpy(audio[keep][i : i + 64]))[1] for i in range(0, int(keep.sum()), 64)])
            return float((logits.argmax(dim=1).numpy() == labels[keep]).mean())
    return float("nan")


def train_speakers(
    cfg: DictConfig | Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    control: TrainingControl | None = None,
) -> TrainResult:
    """Train (or fine-tune/grow), evaluate and export a speaker model; ``cfg`` is a config or override list."""
    if cfg is None or not isinstance(cfg, DictConfig):
        cfg = speaker_config(list(cfg or []))
    check_settings(cfg.get("score_norm"))  # a bad score_norm stops here, before any training
    L.seed_everything(int(cfg.seed), workers=True, verbose=False)
    torch.set_num_threads(int(cfg.get("num_threads", 2)))
    started = time.monotonic()
    manifest = load_manifest(cfg.data.chunked_dir)
    model, speakers, growth = _prepare_model(cfg, list(manifest["speakers"]))
    if len(speakers) < 2:
        raise SpeakerDatasetError("speaker training needs at least 2 speakers")
    model.train()  # a fine-tune base comes back in eval mode; Lightning keeps module modes as it finds them
    datamodule = SpeakerDataModule(to_container(cfg.data), to_container(cfg.augmentation), speakers)
    optimizer, scheduler = build_optimization(cfg)
    augmentation = cfg.get("augmentation") or {}
    masks = {key: augmentation.get(key, 0) for key in ("freq_mask", "time_mask")}
    module = SpeakerLightningModule(model, to_container(cfg.loss), optimizer, scheduler, spec_mask=masks)
    run_dir = Path(cfg.run_dir)
    checkpoint_cb = L.pytorch.callbacks.ModelCheckpoint(dirpath=run_dir / "checkpoints", save_last=True, save_top_k=0)
    trainer = build_trainer(cfg.trainer, run_dir, [checkpoint_cb, ProgressReporter(progress, control)])
    trainer.fit(module, datamodule=datamodule, ckpt_path=_resume_path(cfg))
    stopped = bool(control and control.stopped)
    model = module.model.cpu().eval()
    duration = time.monotonic() - started
    files, meta, evaluation = finish_speakers(cfg, model, speakers, int(manifest["chunk_samples"]), growth, int(trainer.current_epoch), duration)
    last = Path(checkpoint_cb.last_model_path) if checkpoint_cb.last_model_path else None
    return TrainResult(files=files, metadata=meta, checkpoint=last, stopped=stopped, evaluation=evaluation)


def speaker_sources(cfg: DictConfig, speakers: list[str]) -> list[str]:
    """``synthetic`` for speakers made by ``speaker synth`` (listed in ``<raw_dir>/voices.json``), else ``trained``.

    Satellites ignore synthetic speakers by default: they are not people in the house.
    """
    voices = Path(cfg.data.raw_dir) / "voices.json"
    synthetic: set[str] = set()
    if voices.is_file():
        try:
            synthetic = {str(v["name"]) for v in json.loads(voices.read_text())}
        except (ValueError, KeyError, TypeError):
            logger.warning("%s is not a voices list; treating all speakers as real", voices)
    # a re-voiced twin (``<name>~rv<k>``) of a synthetic voice is synthetic too, even if a later ``synth`` run
    # without ``synth.revoiced_copies`` rewrote the list without it
    return ["synthetic" if name in synthetic or name.split(TWIN_MARK)[0] in synthetic else "trained" for name in speakers]


def finish_speakers(
    cfg: DictConfig,
    model: SpeakerModel,
    speakers: list[str],
    chunk_samples: int,
    growth: dict[str, Any],
    epochs: int,
    duration_s: float,
) -> tuple[dict[str, Path], dict[str, Any], dict[str, Any]]:
    """Centroids from training slices, threshold + figures on held-out data, metadata, export."""
    audio, labels, _ = load_split(cfg.data.chunked_dir, "train", speakers)
    centres = centroids(embed_batches(model, audio), labels, len(speakers))
    if str(cfg.loss.name) != "aam":  # GE2E/triplet train no prototypes: the classifier rows are the centroids
        with torch.no_grad():
            model.prototypes.data = torch.from_numpy(centres.copy())
    sources = speaker_sources(cfg, speakers)
    cohort = choose_cohort(cfg.get("score_norm"), sources, centres)
    evaluation = evaluate_model(model, cfg, speakers, centres, cohort)
    if growth:
        growth["old_speaker_accuracy_after"] = after = _old_speaker_accuracy(model, cfg, speakers, int(growth["old_speakers"]))
        before = growth["old_speaker_accuracy_before"]
        if after == after and before == before and after < before - 0.05:
            logger.warning("old speakers lost accuracy in the update (%.1f%% -> %.1f%%): train longer or lower the lr",
                           100 * before, 100 * after)
        evaluation["growth"] = growth
    meta = base_metadata(
        kind="speaker",
        technology=str(cfg.model.architecture),
        sample_rate=int(cfg.data.sample_rate),
        chunk_samples=int(chunk_samples),
        unknown_threshold=float(evaluation["unknown_threshold"]),
        embedding_dim=int(model.embedding_dim),
        speaker_embeddings=rounded(centres),
        speaker_source=sources,
        model_config=plain_section(cfg.model),
        loss=to_container(cfg.loss),
        features=to_container(cfg.model.frontend),
        parameters=count_parameters(model, trainable_only=False),
        trainable_parameters=count_parameters(model),
        author=str(cfg.author),
        description=str(cfg.description),
        results=evaluation,
        epochs=epochs,
        duration_s=round(duration_s, 1),
        framework=f"torch {torch.__version__}",
        **speaker_metadata(speakers),
    )
    if cohort is not None:  # unknown_threshold above is in T-norm units against these voices
        meta["score_norm"] = cohort.to_score_norm().to_metadata()
    if getattr(model.encoder, "pretrained_source", None):
        meta["pretrained"] = str(model.encoder.pretrained_source)
    if cfg.model.get("embedding_window_s"):  # satellites average embeddings of windows this long (GE2E: 1.6 s)
        meta["embedding_window_s"] = float(cfg.model.embedding_window_s)
    meta["runtime_requires"] = ["onnxruntime>=1.16"]  # LSTM/conv graphs at opset 18; satellites check it
    files = export_speaker_model(model, cfg.output_dir, str(cfg.name), meta, list(cfg.export.formats), cfg.export.get("password"))
    return files, meta, evaluation
