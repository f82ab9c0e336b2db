"""Wake-word training entry point, callable from Python (the server TUI) and from ``trixy-train wakeword``."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import torch
from omegaconf import DictConfig

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, base_metadata, read_pth
from trixy_trainer.config import instantiate_section, load_config, to_container
from trixy_trainer.errors import ConfigError
from trixy_trainer.lightning_trainer import build_trainer
from trixy_trainer.progress import ProgressCallback, ProgressReporter, TrainingControl
from trixy_trainer.result import TrainResult
from trixy_trainer.schedules import build_optimization
from trixy_trainer.wakeword.datamodule import WakewordDataModule
from trixy_trainer.wakeword.evaluate import evaluate_wakeword, load_negative_audio
from trixy_trainer.wakeword.export import export_wakeword
from trixy_trainer.wakeword.module import WakewordModule

logger = logging.getLogger(__name__)


def wakeword_config(overrides: Sequence[str] = (), config_dir: str | Path | None = None) -> DictConfig:
    """Compose ``config/trainer/wakeword.yaml`` with overrides."""
    return load_config("wakeword", overrides, config_dir)


def _resume_path(cfg: DictConfig) -> str | None:
    if not cfg.get("resume"):
        return None
    if str(cfg.resume) == "last":
        path = Path(cfg.run_dir) / "checkpoints" / "last.ckpt"
        return str(path) if path.is_file() else None
    if not Path(cfg.resume).is_file():
        raise ConfigError(f"resume checkpoint {cfg.resume} does not exist")
    return str(cfg.resume)


def build_module(cfg: DictConfig) -> WakewordModule:
    """The Lightning module for ``cfg``: ``model``, ``optimizer`` and ``scheduler`` built by hydra.utils.instantiate."""
    features = {"sample_rate": int(cfg.data.sample_rate)}
    net = instantiate_section(cfg, "model", num_classes=len(cfg.classes), features=features)
    optimizer, scheduler = build_optimization(cfg)
    return WakewordModule(
        net,
        optimizer,
        scheduler,
        label_smoothing=float(cfg.loss.label_smoothing),
        model_cfg={"architecture": str(cfg.model.architecture), "params": to_container(cfg.model.params)},
    )


def load_checkpoint_weights(module: WakewordModule, path: str | Path) -> int:
    """Load a Lightning checkpoint's weights into ``module``; returns its epoch. Raises ``ConfigError`` on a
    checkpoint of another network (train and export with the same ``model`` group)."""
    state = torch.load(str(path), map_location="cpu", weights_only=False)
    try:
        module.load_state_dict(state["state_dict"])
    except (KeyError, RuntimeError) as exc:
        raise ConfigError(f"checkpoint {path} does not fit model={module.hparams.model_cfg}: {exc}") from exc
    return int(state.get("epoch", 0))


def checkpoint_model_cfg(path: str | Path) -> dict[str, Any] | None:
    """The ``model_cfg`` (architecture + params) a checkpoint was trained with, where it records one."""
    state = torch.load(str(path), map_location="cpu", weights_only=False)
    model_cfg = state.get("hyper_parameters", {}).get("model_cfg")
    return dict(model_cfg) if model_cfg else None


def load_finetune_weights(module: WakewordModule, path: str | Path, password: str | None, classes: Sequence[str]) -> None:
    """Start from an existing .pth (training-form weights); the class list must match."""
    meta, state = read_pth(path, password, WAKEWORD_REQUIRED_KEYS)
    if list(meta["classes"]) != list(classes):
        raise ConfigError(f"{path}: classes {meta['classes']} differ from the config's {list(classes)}")
    if meta.get("architecture", {}).get("name") not in (None, module.hparams.model_cfg["architecture"]):
        raise ConfigError(f"{path}: architecture {meta['architecture']} differs from model={module.hparams.model_cfg['architecture']}")
    module.net.load_state_dict(state)
    logger.info("fine-tuning from %s", path)


def train_wakeword(
    cfg: DictConfig | Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    control: TrainingControl | None = None,
) -> TrainResult:
    """Train, evaluate and export a wake-word model; ``cfg`` is a composed config or a list of overrides."""
    if cfg is None or not isinstance(cfg, DictConfig):
        cfg = wakeword_config(list(cfg or []))
    if str(cfg.model.architecture) == "speech_embedding":
        from trixy_trainer.wakeword.embedding_train import train_embedding_wakeword

        return train_embedding_wakeword(cfg, progress, control)
    L.seed_everything(int(cfg.seed), workers=True, verbose=False)
    torch.set_num_threads(int(cfg.get("num_threads", 1)))
    started = time.monotonic()
    datamodule = WakewordDataModule(to_container(cfg.data), to_container(cfg.augmentation))
    module = build_module(cfg)
    if cfg.get("finetune_from"):
        load_finetune_weights(module, cfg.finetune_from, cfg.export.get("password"), cfg.classes)
    run_dir = Path(cfg.run_dir)
    checkpoint_cb = L.pytorch.callbacks.ModelCheckpoint(
        dirpath=run_dir / "checkpoints", save_last=True, monitor="val_loss", save_top_k=1, filename="best"
    )
    t = cfg.trainer
    trainer = build_trainer(t, run_dir, [checkpoint_cb, ProgressReporter(progress, control)])
    trainer.fit(module, datamodule=datamodule, ckpt_path=_resume_path(cfg))
    stopped = bool(control and control.stopped)
    if checkpoint_cb.best_model_path and not t.fast_dev_run:
        load_checkpoint_weights(module, checkpoint_cb.best_model_path)
    epochs = int(trainer.current_epoch)
    duration = time.monotonic() - started
    files, meta, evaluation = finish_wakeword(cfg, module, datamodule.chunk_samples, epochs, duration)
    last = Path(checkpoint_cb.last_model_path) if checkpoint_cb.last_model_path else None
    return TrainResult(files=files, metadata=meta, checkpoint=last, stopped=stopped, evaluation=evaluation)


def finish_wakeword(
    cfg: DictConfig, module: WakewordModule, chunk_samples: int, epochs: int, duration_s: float
) -> tuple[dict[str, Path], dict[str, Any], dict[str, Any]]:
    """Evaluate (threshold at the target FA/h, DET PNG) and export the model files with full metadata."""
    net = module.net.cpu().eval()
    merged = copy.deepcopy(net).reparameterize()  # same outputs, ~3x faster to evaluate
    ev = cfg.evaluation
    hop = int(cfg.export.stream_hop_ms) * int(cfg.data.sample_rate) // 1000
    evaluation = evaluate_wakeword(
        merged,
        cfg.data.chunked_dir,
        chunk_samples,
        list(cfg.classes),
        split=str(ev.split),
        hop_samples=int(ev.hop_ms) * int(cfg.data.sample_rate) // 1000,
        smoothing_hops=int(ev.smoothing_hops),
        refractory_s=float(ev.refractory_s),
        target_fa_per_hour=float(ev.target_fa_per_hour),
        context_s=float(ev.context_s),
        det_png=Path(cfg.run_dir) / "det_curve.png",
        max_positives=int(ev.max_positives),
        negative_audio=load_negative_audio(ev.negative_audio, int(cfg.data.sample_rate)) if ev.get("negative_audio") else None,
    )
    meta = base_metadata(
        sample_rate=int(cfg.data.sample_rate),
        chunk_samples=int(chunk_samples),
        classes=list(cfg.classes),
        threshold=float(evaluation.threshold),
        class_thresholds=dict(evaluation.class_thresholds),
        technology=str(cfg.model.architecture),
        architecture={"name": str(cfg.model.architecture), "params": to_container(cfg.model.params)},
        features=module.features.to_dict(),
        wake_phrases=to_container(cfg.wake_phrases),
        author=str(cfg.author),
        description=str(cfg.description),
        results=evaluation.summary(),
        epochs=epochs,
        duration_s=round(duration_s, 1),
        detector={
            "hop_samples": hop,
            "smoothing_hops": int(ev.smoothing_hops),
            "refractory_s": float(ev.refractory_s),
        },
        framework=f"torch {torch.__version__}",
    )
    files = export_wakeword(
        net,
        cfg.output_dir,
        str(cfg.name),
        meta,
        formats=list(cfg.export.formats),
        password=cfg.export.get("password"),
        hop_samples=hop,
    )
    return files, meta, evaluation.summary()
