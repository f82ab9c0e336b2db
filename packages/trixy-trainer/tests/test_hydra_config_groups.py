"""The Hydra groups users expect: model/optimizer/scheduler built by hydra.utils.instantiate from `_target_`,
`trainer` passed as `L.Trainer(**cfg.trainer)`, and clear errors for a bad `_target_` or a non-Trainer key."""

from __future__ import annotations

import functools
from pathlib import Path

import lightning as L
import pytest
import torch

from trixy_trainer.config import instantiate_section, load_config, plain_section
from trixy_trainer.errors import ConfigError
from trixy_trainer.lightning_trainer import build_trainer
from trixy_trainer.models.embedding_wakeword import EmbeddingHead
from trixy_trainer.models.wakeword_net import WakewordNet
from trixy_trainer.schedules import build_optimization, configure_optimizers
from trixy_trainer.speaker.model import SpeakerModel

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config" / "trainer"
SPEAKER_DIR = CONFIG_DIR / "speaker"
WAKEWORD_MODELS = sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml"))
SPEAKER_MODELS = sorted(p.stem for p in (SPEAKER_DIR / "model").glob("*.yaml"))


def wakeword(*overrides: str):
    return load_config("wakeword", list(overrides), CONFIG_DIR)


def speaker(*overrides: str):
    return load_config("config", list(overrides), SPEAKER_DIR)


@pytest.mark.parametrize("name", WAKEWORD_MODELS)
def test_every_wakeword_model_group_is_built_by_instantiate_with_runtime_num_classes(name: str) -> None:
    cfg = wakeword(f"model={name}")
    assert cfg.model._target_.startswith("trixy_trainer.")
    net = instantiate_section(cfg, "model", num_classes=4, **({} if name == "speech_embedding" else {"features": {"sample_rate": 16000}}))
    with torch.no_grad():
        if name == "speech_embedding":
            assert isinstance(net, EmbeddingHead) and net.windows == cfg.model.params.windows
            logits = net(torch.randn(2, net.windows, 96))
        else:
            assert isinstance(net, WakewordNet)
            logits = net(torch.randn(2, 16000))
    assert logits.shape == (2, 4)
    # what the metadata records is the section without Hydra's keys: architecture + params, as before
    assert set(plain_section(cfg.model)) == {"architecture", "params"}


@pytest.mark.parametrize("name", SPEAKER_MODELS)
def test_every_speaker_model_group_is_built_by_instantiate_and_keeps_its_metadata_config(name: str) -> None:
    cfg = speaker(f"model={name}")
    model = instantiate_section(cfg, "model", num_speaker=3)
    assert isinstance(model, SpeakerModel) and model.num_speaker == 3
    assert "_target_" not in model.model_config and model.model_config == plain_section(cfg.model)
    assert model.model_config["architecture"] == cfg.model.architecture


@pytest.mark.parametrize(("load", "name"), [(wakeword, "adamw"), (wakeword, "sgd"), (speaker, "adamw"), (speaker, "sgd")])
def test_optimizer_groups_are_partials_the_module_calls_with_its_parameters(load, name: str) -> None:
    cfg = load(f"optimizer={name}")
    optimizer, scheduler = build_optimization(cfg)
    assert isinstance(optimizer, functools.partial) and scheduler is not None
    param = torch.nn.Parameter(torch.ones(3))
    opt = optimizer([param])
    assert type(opt).__name__ == cfg.optimizer._target_.rsplit(".", 1)[1]
    assert opt.param_groups[0]["lr"] == cfg.optimizer.lr and opt.param_groups[0]["weight_decay"] == cfg.optimizer.weight_decay


def test_any_torch_optimiser_and_schedule_can_be_swapped_in_from_the_command_line() -> None:
    cfg = wakeword("optimizer._target_=torch.optim.RAdam", "scheduler._target_=torch.optim.lr_scheduler.StepLR",
                   "~scheduler.final_lr_fraction", "+scheduler.step_size=2")
    optimizer, scheduler = build_optimization(cfg)
    trainer = L.Trainer(max_epochs=3, logger=False, enable_checkpointing=False, enable_progress_bar=False)
    out = configure_optimizers([torch.nn.Parameter(torch.ones(1))], optimizer, scheduler, "epoch", trainer)
    assert isinstance(out["optimizer"], torch.optim.RAdam)
    assert isinstance(out["lr_scheduler"]["scheduler"], torch.optim.lr_scheduler.StepLR)


def test_without_a_scheduler_the_rate_stays_constant() -> None:
    optimizer, scheduler = build_optimization(speaker("~scheduler"))
    assert scheduler is None
    assert isinstance(configure_optimizers([torch.nn.Parameter(torch.ones(1))], optimizer, None, "step"), torch.optim.AdamW)


@pytest.mark.parametrize("load", [wakeword, speaker])
def test_trainer_group_holds_only_lightning_trainer_arguments(load, tmp_path: Path) -> None:
    cfg = load("trainer.max_epochs=2")
    plain = L.Trainer(**cfg.trainer)
    assert plain.max_epochs == 2
    ours = build_trainer(cfg.trainer, tmp_path, [])
    assert ours.max_epochs == 2 and ours.default_root_dir == str(tmp_path)
    assert ours.logger is not None and Path(ours.logger.log_dir).is_relative_to(tmp_path)


def test_a_bad_target_is_a_config_error_naming_the_group() -> None:
    with pytest.raises(ConfigError, match=r"model\._target_=trixy_trainer\.models\.nope"):
        instantiate_section(wakeword("model._target_=trixy_trainer.models.nope.Net"), "model", num_classes=3)
    with pytest.raises(ConfigError, match="optimizer"):
        build_optimization(wakeword("optimizer._target_=torch.optim.NoSuchOptimizer"))


def test_an_argument_the_optimiser_does_not_take_fails_before_training() -> None:
    with pytest.raises(ConfigError, match="optimizer torch.optim.AdamW refuses"):
        build_optimization(wakeword("+optimizer.momentum=0.9"))


def test_a_key_lightning_trainer_does_not_take_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\['warmup'\] are not lightning.Trainer arguments"):
        build_trainer(speaker("+trainer.warmup=0.1").trainer, tmp_path, [])


@pytest.mark.parametrize(
    ("load", "old", "new_key", "value"),
    [
        (wakeword, "trainer.lr=0.01", "optimizer.lr", 0.01),
        (wakeword, "trainer.weight_decay=0.02", "optimizer.weight_decay", 0.02),
        (wakeword, "trainer.label_smoothing=0.1", "loss.label_smoothing", 0.1),
        (wakeword, "trainer.num_threads=2", "num_threads", 2),
        (speaker, "trainer.optim.lr=0.001", "optimizer.lr", 0.001),
        (speaker, "trainer.optim.weight_decay=0.0001", "optimizer.weight_decay", 0.0001),
        (speaker, "trainer.optim.warmup=0.3", "scheduler.warmup", 0.3),
        (speaker, "trainer.optim.freq_mask=3", "augmentation.freq_mask", 3),
        (speaker, "trainer.optim.time_mask=7", "augmentation.time_mask", 7),
        (speaker, "trainer.num_threads=1", "num_threads", 1),
    ],
)
def test_overrides_of_moved_keys_still_work(load, old: str, new_key: str, value: float) -> None:
    from omegaconf import OmegaConf

    cfg = load(old)
    assert OmegaConf.select(cfg, new_key) == value
    assert set(cfg.trainer) <= set(load().trainer)  # nothing non-Trainer crept back into the trainer group


def test_the_whole_old_optim_section_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="optimizer.lr, optimizer.weight_decay, scheduler.warmup"):
        speaker("trainer.optim={lr: 0.1}")
