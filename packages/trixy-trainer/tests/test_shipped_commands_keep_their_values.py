"""The commands that made the shipped models (README, docs/wakeword.md, docs/speaker.md) compose to the same
effective training values after the move to optimizer/scheduler groups, written with the new keys or the old, and
the wake-word command composes to the head the shipped model records."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from trixy_trainer.config import load_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config" / "trainer"

WAKEWORD_SHIPPED = "output_dir=models/wakeword/trixy run_dir=trainer/runs/wakeword trainer.max_epochs=24"
SPEAKER_FUSION = ("model=ge2e_fusion output_dir=trainer/runs/speaker_fusion_w07/model run_dir=trainer/runs/speaker_fusion_w07 "
                  "trainer.max_epochs=1 data.batches_per_epoch=30 num_threads=1 trainer.limit_val_batches=2")
SPEAKER_ECAPA_STAGE2 = ("finetune_from=models/voice_recognition/default/default.pth output_dir=trainer/runs/speaker_400/model "
                        "run_dir=trainer/runs/speaker_400 trainer.max_epochs=30 data.batches_per_epoch=100 num_threads=1 "
                        "trainer.limit_val_batches=3 optimizer.lr=0.002")


def effective_wakeword(overrides: list[str]) -> dict:
    cfg = load_config("wakeword", overrides, CONFIG_DIR)
    return {
        "lr": cfg.optimizer.lr, "weight_decay": cfg.optimizer.weight_decay, "optimizer": cfg.optimizer._target_,
        "label_smoothing": cfg.loss.label_smoothing, "final_lr_fraction": cfg.scheduler.final_lr_fraction,
        "max_epochs": cfg.trainer.max_epochs, "min_epochs": cfg.trainer.min_epochs, "num_threads": cfg.num_threads,
        "gradient_clip_val": cfg.trainer.gradient_clip_val, "precision": cfg.trainer.precision,
        "feature_noise": cfg.data.feature_noise, "voice_shift": [cfg.data.voice_shift_p, cfg.data.voice_shift_scale],
        "calibration_confusables": cfg.data.counts.calibration.confusable, "model": cfg.model.architecture, "params": dict(cfg.model.params),
        "words": [cfg.data.lead_in_p, list(cfg.data.phrase_speed), cfg.data.positive_languages, cfg.data.positive_language_p],
    }


def effective_speaker(overrides: list[str]) -> dict:
    cfg = load_config("config", overrides, CONFIG_DIR / "speaker")
    return {
        "lr": cfg.optimizer.lr, "weight_decay": cfg.optimizer.weight_decay, "optimizer": cfg.optimizer._target_,
        "warmup": cfg.scheduler.warmup, "freq_mask": cfg.augmentation.freq_mask, "time_mask": cfg.augmentation.time_mask,
        "max_epochs": cfg.trainer.max_epochs, "limit_val_batches": cfg.trainer.limit_val_batches,
        "limit_train_batches": cfg.trainer.limit_train_batches, "num_threads": cfg.num_threads,
        "gradient_clip_val": cfg.trainer.gradient_clip_val, "model": cfg.model.architecture,
    }


def test_shipped_wakeword_command_keeps_the_previous_values() -> None:
    assert effective_wakeword(shlex.split(WAKEWORD_SHIPPED)) == {
        "lr": 0.003, "weight_decay": 0.001, "optimizer": "torch.optim.AdamW", "label_smoothing": 0.05,
        "final_lr_fraction": 0.05, "max_epochs": 24, "min_epochs": 1, "num_threads": 1, "gradient_clip_val": 5.0,
        "precision": "32-true", "feature_noise": 1.0, "voice_shift": [1.0, 1.0], "calibration_confusables": 1000, "model": "speech_embedding",
        "params": {"windows": 16, "hidden": 128, "dropout": 0.3, "members": 3, "center": False},
        # no lead-ins, the corpus's rates, no more languages saying the word (data.lead_in_p, data.phrase_speed,
        # data.positive_languages, data.positive_language_p)
        "words": [0.0, [95, 230], None, 0.0],
    }


def test_shipped_wakeword_command_is_the_one_in_the_docs_and_matches_the_shipped_model() -> None:
    from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata

    repo = CONFIG_DIR.parents[1]
    for doc in (repo / "README.md", repo / "docs" / "wakeword.md"):
        text = " ".join(doc.read_text(encoding="utf-8").replace("\\\n", " ").split())
        assert f"trixy-train wakeword {WAKEWORD_SHIPPED}" in text, doc.name
    meta = read_metadata(repo / "models" / "wakeword" / "trixy" / "trixy.onnx", required=WAKEWORD_REQUIRED_KEYS)
    effective = effective_wakeword(shlex.split(WAKEWORD_SHIPPED))
    assert meta["architecture"]["params"] == effective["params"]
    # its thresholds were chosen on the command's calibration confusables (1 000 since 2026-12-06)
    assert meta["results"]["calibration"]["confusables"] == effective["calibration_confusables"]
    assert meta["threshold"] == max(meta["class_thresholds"].values())


def test_shipped_speaker_commands_keep_the_previous_values() -> None:
    defaults = {"optimizer": "torch.optim.AdamW", "weight_decay": 2e-5, "warmup": 0.1, "freq_mask": 5, "time_mask": 20,
                "limit_train_batches": 1.0, "gradient_clip_val": 5.0}
    assert effective_speaker([]) == {**defaults, "lr": 0.003, "max_epochs": 30, "limit_val_batches": 1.0,
                                     "num_threads": 2, "model": "ecapa_tdnn"}
    assert effective_speaker(shlex.split(SPEAKER_FUSION)) == {**defaults, "lr": 0.003, "max_epochs": 1,
                                                              "limit_val_batches": 2, "num_threads": 1, "model": "ge2e_fusion"}
    assert effective_speaker(shlex.split(SPEAKER_ECAPA_STAGE2)) == {**defaults, "lr": 0.002, "max_epochs": 30,
                                                                    "limit_val_batches": 3, "num_threads": 1, "model": "ecapa_tdnn"}


@pytest.mark.parametrize(
    ("effective", "old", "new"),
    [
        (effective_wakeword, "trainer.lr=0.001 trainer.weight_decay=0.01 trainer.label_smoothing=0.1 trainer.num_threads=2",
         "optimizer.lr=0.001 optimizer.weight_decay=0.01 loss.label_smoothing=0.1 num_threads=2"),
        (effective_speaker, "trainer.num_threads=1 trainer.optim.lr=0.002 trainer.optim.warmup=0.2 trainer.optim.freq_mask=3",
         "num_threads=1 optimizer.lr=0.002 scheduler.warmup=0.2 augmentation.freq_mask=3"),
    ],
)
def test_commands_written_with_the_old_keys_compose_like_the_new(effective, old: str, new: str) -> None:
    assert effective(shlex.split(old)) == effective(shlex.split(new))


def test_docs_and_readme_name_no_moved_key_outside_the_tables_that_list_them() -> None:
    repo = CONFIG_DIR.parents[1]
    moved = ("trainer.lr", "trainer.weight_decay", "trainer.label_smoothing", "trainer.num_threads", "trainer.optim")
    for path in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("| `trainer."):
                assert not any(key in line for key in moved), f"{path.name}: {line}"
