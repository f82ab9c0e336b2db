"""Wake-word training hot paths (speech-embedding recipe), on this machine's CPU:

1. corpus clips: seconds per clip of each kind, one worker (espeak-ng, Praat voice change, room, frozen front end),
   and the first-run corpus time for the default counts that follows from it;
2. the head's training step: milliseconds per step (batch 512, one ensemble member, Lightning loop included) and
   the hard-negative mining pass, on windows of the real shape (random embeddings: the cost does not depend on them).

    .venv/bin/python benchmarks/wakeword_train_bench.py [--clips 12] [--steps 60]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packages" / "trixy-trainer" / "src"))
sys.path.insert(0, str(REPO / "packages" / "trixy-core" / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from trixy_trainer.config import instantiate_section, load_config, to_container  # noqa: E402
from trixy_trainer.schedules import build_optimization  # noqa: E402
from trixy_trainer.wakeword import embedding_corpus as ec  # noqa: E402
from trixy_trainer.wakeword.embedding_module import HeadModule, WindowBatches  # noqa: E402
from trixy_trainer.wakeword.embedding_train import corpus_config, corpus_seeds  # noqa: E402


def corpus_figures(cfg, clips: int) -> None:
    corpus = corpus_config(cfg)
    counts = to_container(cfg.data.counts)
    ec._work((corpus, "train", "trixy", 0))  # load the front end and Praat once
    per_clip = {}
    for kind, n in (("trixy", clips), ("confusable", clips), ("speech", max(2, clips // 3))):
        started = time.perf_counter()
        for i in range(1, n + 1):
            ec._work((corpus, "train", kind, 10_000 + i))
        per_clip[kind] = (time.perf_counter() - started) / n
        print(f"corpus clip, {kind:<10} {per_clip[kind] * 1000:7.0f} ms per clip (one worker)")
    corpora = len(corpus_seeds(cfg))
    total = 0.0
    for split, split_counts in counts.items():
        times = corpora if split != "test" else 1  # every corpus builds train and calibration; the test split is the first's
        for kind, n in split_counts.items():
            total += times * int(n) * per_clip["speech" if kind in ("speech", "noise") else ("trixy" if kind in cfg.classes else "confusable")]
    workers = int(cfg.data.workers)
    print(f"first-run corpus, default counts, {corpora} corpora: {total / 60:.0f} min of one core, ~{total / 60 / workers:.0f} min "
          f"with data.workers={workers} (noise clips counted as speech: an upper bound)")


def step_figures(cfg, steps: int) -> None:
    import lightning as L

    torch.set_num_threads(int(cfg.get("num_threads", 1)))
    classes = list(cfg.classes)
    head = instantiate_section(cfg, "model", num_classes=len(classes), params={**to_container(cfg.model.params), "members": 1})
    windows = int(head.windows)
    rng = np.random.default_rng(0)
    clips, per_clip = 4000, 60
    embeddings = (rng.standard_normal((clips * per_clip, 96)) * 8).astype(np.float16)
    ends = np.concatenate([np.arange(c * per_clip + windows - 1, (c + 1) * per_clip) for c in range(clips)])
    labels = rng.choice(len(classes), size=ends.size, p=[0.05] * (len(classes) - 1) + [1 - 0.05 * (len(classes) - 1)])
    def fit(steps: int, mine_every: int) -> float:
        batches = WindowBatches(embeddings, ends, labels, len(classes), windows, int(cfg.data.batch_size), steps,
                                list(cfg.data.class_balance), float(cfg.data.hard_negative_share), 0)
        optimizer, scheduler = build_optimization(cfg)
        module = HeadModule(head, len(classes), optimizer, scheduler, feature_noise=float(cfg.data.feature_noise),
                            mine_every=mine_every, mine_top=int(cfg.data.mine_top))
        module.batches = batches
        trainer = L.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                            enable_progress_bar=False, enable_model_summary=False)
        started = time.perf_counter()
        trainer.fit(module, train_dataloaders=torch.utils.data.DataLoader(batches, batch_size=None))
        return time.perf_counter() - started

    step_s = fit(steps, 10**6) / steps
    print(f"head training step, batch {cfg.data.batch_size}: {step_s * 1000:.1f} ms per step "
          f"({int(cfg.data.steps_per_epoch)} steps per epoch: {step_s * int(cfg.data.steps_per_epoch):.1f} s; "
          f"torch threads {torch.get_num_threads()})")
    mining_s = fit(1, 1) - step_s
    print(f"hard-negative mining over {ends.size} windows: {mining_s:.2f} s "
          f"(every data.mine_every={int(cfg.data.mine_every)} epochs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=12, help="clips timed per kind")
    parser.add_argument("--steps", type=int, default=60, help="training steps timed")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    os.chdir(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config("wakeword", [f"data.cache_dir={tmp}", f"run_dir={tmp}/run"])
        print(f"machine: {os.cpu_count()} cores; default recipe (config/trainer/data/embedding.yaml)")
        corpus_figures(cfg, args.clips)
        step_figures(cfg, args.steps)


if __name__ == "__main__":
    main()
