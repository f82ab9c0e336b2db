"""Both wake-word recipes train with the instantiated model/optimizer/scheduler groups and `L.Trainer(**trainer)`;
a CNN checkpoint exports with the network it records, whatever model group the command line names."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_pth
from trixy_trainer.cli import main as cli_main
from trixy_trainer.config import instantiate_section, load_config
from trixy_trainer.schedules import build_optimization
from trixy_trainer.wakeword.embedding_module import HeadModule, WindowBatches
from trixy_trainer.wakeword.train import train_wakeword

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def test_embedding_head_trains_a_step_with_sgd_and_no_schedule(tmp_path: Path) -> None:
    cfg = load_config("wakeword", ["optimizer=sgd", "~scheduler", "model.params.hidden=16", "trainer.max_epochs=1"], CONFIG_DIR)
    head = instantiate_section(cfg, "model", num_classes=3)
    optimizer, scheduler = build_optimization(cfg)
    rng = np.random.default_rng(0)
    flat = rng.standard_normal((400, 96)).astype(np.float32)
    ends = np.arange(head.windows, 400)
    labels = rng.integers(0, 3, ends.size)
    batches = WindowBatches(flat, ends, labels, 3, head.windows, 16, 3, [1, 1, 1], 0.0, 0)
    module = HeadModule(head, 3, optimizer, scheduler, mine_every=0)
    before = [p.detach().clone() for p in module.parameters()]
    trainer = L.Trainer(**{**cfg.trainer, "limit_val_batches": 0}, logger=False, enable_checkpointing=False,
                        default_root_dir=str(tmp_path))
    trainer.fit(module, train_dataloaders=DataLoader(batches, batch_size=None))
    assert isinstance(trainer.optimizers[0], torch.optim.SGD) and not trainer.lr_scheduler_configs
    assert any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_cnn_trains_with_a_swapped_optimizer_and_exports_the_checkpoint_network(
    tiny_chunked: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIXY_TRAINER_CONFIG_DIR", str(CONFIG_DIR))
    common = [
        "data=wakeword", f"data.chunked_dir={tiny_chunked}", "data.batch_size=8", "data.num_workers=0",
        "data.samples_per_epoch=16", f"run_dir={tmp_path / 'run'}", "trainer.accelerator=cpu", "trainer.devices=1",
        "evaluation.split=train", "evaluation.max_positives=4", "export.password=test-pw", "export.formats=[pth]",
    ]
    cfg = load_config("wakeword", [*common, "model=tcresnet", "optimizer=sgd", "scheduler.final_lr_fraction=0.5",
                                   "trainer.max_epochs=1", f"output_dir={tmp_path / 'out'}"], CONFIG_DIR)
    result = train_wakeword(cfg)
    assert result.checkpoint is not None and result.checkpoint.is_file()
    meta, _ = read_pth(result.files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    assert meta["architecture"]["name"] == "tcresnet" and set(meta["architecture"]["params"]) == set(cfg.model.params)

    capsys.readouterr()
    # `export` picks the CNN recipe's model=repcnn by default: the checkpoint's own network (tcresnet) must win
    assert cli_main(["export", "--quiet", *common, f"output_dir={tmp_path / 'again'}"]) == 0
    files = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["files"]
    again, _ = read_pth(files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    assert again["architecture"] == meta["architecture"]
