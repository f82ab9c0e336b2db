"""Ensemble members shared out among several training corpora (``data.extra_corpus_seeds``): the setting's checks,
the share-out, and a tiny real run that builds, trains on and calibrates with two corpora."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata
from trixy_trainer.config import load_config
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_train import corpus_seeds, extra_corpus_seeds, member_corpus
from trixy_trainer.wakeword.train import train_wakeword

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def test_the_default_recipe_is_one_corpus_and_the_option_shares_members_out() -> None:
    cfg = load_config("wakeword", [], CONFIG_DIR)
    assert extra_corpus_seeds(cfg.data.extra_corpus_seeds, cfg.data.corpus_seed) == [] and extra_corpus_seeds(None, 1234) == []
    two = load_config("wakeword", ["data.extra_corpus_seeds=[4321]", "model.params.members=6"], CONFIG_DIR)
    seeds = corpus_seeds(two)
    assert seeds == [1234, 4321] and corpus_seeds(cfg) == [1234]
    assert [member_corpus(k, two.model.params.members, len(seeds)) for k in range(two.model.params.members)] == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize(("members", "corpora"), [(2, 2), (5, 2), (6, 3), (7, 3), (3, 1)])
def test_members_are_shared_out_in_order_and_every_corpus_trains_one(members: int, corpora: int) -> None:
    owners = [member_corpus(k, members, corpora) for k in range(members)]
    assert owners == sorted(owners) and set(owners) == set(range(corpora))
    assert max(owners.count(c) for c in range(corpora)) - min(owners.count(c) for c in range(corpora)) <= 1


@pytest.mark.parametrize("bad", ["4321", 4321, [1.5], [True], [4321, 4321], [1234], ["a"]])
def test_a_bad_seed_list_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="data.extra_corpus_seeds"):
        extra_corpus_seeds(bad, 1234)


def _tiny(tmp_path: Path) -> list[str]:
    return [
        f"data.cache_dir={tmp_path / 'cache'}", "data.workers=1", "data.speech_seconds=3.0",
        "data.counts.train={trixy: 4, system_command: 2, confusable: 2, speech: 2, noise: 1}",
        "data.counts.calibration={trixy: 2, system_command: 2, confusable: 3, speech: 2, noise: 0}",
        "data.counts.test={trixy: 2, system_command: 2, confusable: 2, speech: 2, noise: 0}",
        "data.batch_size=32", "data.steps_per_epoch=3", "data.mine_every=1", "data.mine_top=50", "trainer.max_epochs=1",
        "data.user_recordings.raw_dir=null", f"run_dir={tmp_path / 'run'}", f"output_dir={tmp_path / 'out'}",
    ]


def test_fewer_members_than_corpora_is_refused_before_any_corpus_work(tmp_path: Path) -> None:
    cfg = load_config("wakeword", [*_tiny(tmp_path), "model.params.members=1", "data.extra_corpus_seeds=[77]"], CONFIG_DIR)
    with pytest.raises(ConfigError, match=r"members=1 is fewer than the 2 training corpora.*extra_corpus_seeds=\[\]"):
        train_wakeword(cfg)
    assert not (tmp_path / "cache").exists()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_two_corpora_each_train_their_members_and_calibrate_together(tmp_path: Path) -> None:
    cfg = load_config("wakeword", [*_tiny(tmp_path), "model.params.members=3", "data.extra_corpus_seeds=[77]"], CONFIG_DIR)
    result = train_wakeword(cfg)
    meta = read_metadata(result.files["onnx"], required=WAKEWORD_REQUIRED_KEYS)
    assert meta["training_corpora"] == {"seeds": [1234, 77], "members": [2, 1]}
    assert meta["architecture"]["params"]["members"] == 3
    # thresholds chosen on both corpora's calibration clips; the held-out test split is the first corpus's alone
    assert meta["results"]["calibration"]["confusables"] == 6 and meta["results"]["test"]["confusables"] == 2
    cache = tmp_path / "cache"
    assert len(list(cache.glob("train_trixy_*.npz"))) == 2 and len(list(cache.glob("calibration_confusable_*.npz"))) == 2
    assert len(list(cache.glob("test_trixy_*.npz"))) == 1  # the extra corpus builds no test split
