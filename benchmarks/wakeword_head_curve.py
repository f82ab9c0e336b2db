"""Detection of each wake class at a given rate of false accepts, threshold swept, for a trained speech-embedding
head on the cached corpus splits (calibration: the voices `data.calibration_voices` names, the training voices by
default; test: held-out voice families, variants, languages). Only `data.corpus_seed`'s splits are scored, whatever
`data.extra_corpus_seeds` says.

Needs the corpus cache that `trixy-train wakeword` builds (trainer/data/wakeword/embedding/); not part of `make bench`
for that reason. Usage:

    .venv/bin/python benchmarks/wakeword_head_curve.py models/wakeword/trixy/trixy.pth [hydra overrides...]
        [--smoothing 1 2 4]   (detector score smoothing in hops to compare; default: the model's own)
        [--average other.pth ...]   (score the average of the heads' probabilities, as one ensemble)
        [--at 0.88 0.92]   (also each class's figures at these thresholds: detection, false accepts, confusables)
        [--unseen-variants]   (a third set: the training voice families and negative-speech languages, each with
                               one of the 35 espeak-ng variants that training does not use (EXTRA_VARIANTS), so
                               voices no split trained on; the calibration counts, built once into the cache)

Half the wake phrases of every split are followed by a command ("Trixie, what time is it"). Where the cache records
which (chunks made since 2026-12-07), a second line per class gives the detection of the phrases with a command
after them and of those without, at the same thresholds: a head that takes the command as part of the wake word
shows it there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from trixy_trainer.config import load_config
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import ClipSet
from trixy_trainer.wakeword.embedding_evaluate import (
    THRESHOLDS,
    clip_probabilities,
    detection_curves,
    false_accept_counts,
    fire_rates,
    load_head,
    peak_near_wake,
)
from trixy_trainer.wakeword.embedding_train import load_corpus

REPO = Path(__file__).resolve().parents[1]


class AveragedHeads(torch.nn.Module):
    """Several heads as one: the log of their average probabilities (what a members-ensemble graph outputs)."""

    def __init__(self, heads: list[torch.nn.Module]) -> None:
        super().__init__()
        if len({int(h.windows) for h in heads}) != 1:
            raise SystemExit("--average: the heads must read the same number of windows")
        self.heads = torch.nn.ModuleList(heads)
        self.windows = heads[0].windows

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(torch.stack([torch.softmax(h(x), dim=-1) for h in self.heads]).mean(dim=0))
FA_TARGETS = (0.0, 0.5, 1.0, 2.0, 5.0)


def unseen_variant_clips(overrides: list[str]) -> dict[str, ClipSet]:
    """The calibration split as `data.calibration_voices=unseen_variants` speaks it: voices in variants no split
    trains on."""
    cfg = load_config("wakeword", [*overrides, "data.calibration_voices=unseen_variants"], REPO / "config" / "trainer")
    try:
        return load_corpus(cfg, ("calibration",))["calibration"]
    except ConfigError as exc:
        raise SystemExit(f"--unseen-variants: {exc}") from exc


def at_most(fa_per_hour: np.ndarray, target: float) -> int:
    """Index into THRESHOLDS of the lowest threshold whose false accepts per hour stay within ``target`` (the highest
    threshold when none does)."""
    ok = np.flatnonzero(fa_per_hour <= target + 1e-9)
    return int(ok[0]) if ok.size else len(THRESHOLDS) - 1


def nearest(threshold: float) -> int:
    """Index into THRESHOLDS of the one closest to ``threshold``."""
    return int(np.argmin(np.abs(THRESHOLDS - threshold)))


def command_split(pos_probs: list[np.ndarray], clips: ClipSet, cls: int, smoothing: int, windows: int,
                  fa_per_hour: np.ndarray, at: list[float]) -> str:
    """Detection of the phrases followed by a command and of those that are not, at each false-accept target's
    threshold and at the ``--at`` thresholds ("" where the cache does not record which clips have a command)."""
    if clips.command_start is None:
        return ""
    peaks = np.array([peak_near_wake(p, int(we), cls, smoothing, windows) for p, we in zip(pos_probs, clips.wake_end, strict=True)])
    followed = clips.command_start >= 0
    cells = []
    for target in FA_TARGETS:
        t = THRESHOLDS[at_most(fa_per_hour, target)]
        cells.append(f"<= {target:g} FA/h: {100 * (peaks[followed] >= t).mean():.1f} / {100 * (peaks[~followed] >= t).mean():.1f} %")
    for threshold in at:
        t = THRESHOLDS[nearest(threshold)]
        cells.append(f"at {t:.4f}: {100 * (peaks[followed] >= t).mean():.1f} / {100 * (peaks[~followed] >= t).mean():.1f} %")
    return f"{int(followed.sum())} phrases with a command after / {int((~followed).sum())} without: " + " | ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pth", type=Path)
    parser.add_argument("--password", default="trixy-default-model")
    parser.add_argument("--smoothing", type=int, nargs="+", help="score smoothing (hops) to compare; default: the model's")
    parser.add_argument("--average", type=Path, nargs="+", default=[], help="more .pth files whose heads are averaged with it")
    parser.add_argument("--unseen-variants", action="store_true", help="also score voices in variants training never used")
    parser.add_argument("--at", type=float, nargs="+", default=[], help="also print each class's figures at these thresholds")
    parser.add_argument("overrides", nargs="*", help="hydra overrides of the wakeword config (e.g. another cache_dir)")
    args = parser.parse_intermixed_args()  # flags before or after the overrides
    torch.set_num_threads(1)
    meta, head = load_head(args.pth, args.password)
    if args.average:
        others = [load_head(path, args.password) for path in args.average]
        if any(list(m["classes"]) != list(meta["classes"]) for m, _ in others):
            raise SystemExit("--average: the models must have the same classes")
        head = AveragedHeads([head, *(h for _, h in others)])
    arch = meta["architecture"]
    windows, classes = head.windows, list(meta["classes"])
    ev = meta.get("detector", {})
    smoothings = args.smoothing or [int(ev.get("smoothing_hops", 2))]
    refractory_hops = int(round(float(ev.get("refractory_s", 1.5)) * 16000 / 1280))
    overrides = [f"classes=[{','.join(classes)}]", *args.overrides]
    cfg = load_config("wakeword", overrides, REPO / "config" / "trainer")
    corpus: dict[str, dict[str, ClipSet]] = load_corpus(cfg, ("calibration", "test"))
    if args.unseen_variants:
        corpus["unseen variants"] = unseen_variant_clips(overrides)
    averaged = f" averaged with {', '.join(map(str, args.average))}" if args.average else ""
    print(f"{args.pth}{averaged}: params {arch['params']}, stored thresholds {meta.get('class_thresholds')}")
    for split, clips in corpus.items():
        negatives = [clips[k] for k in ("speech", "noise") if k in clips]
        neg_probs = [p for n in negatives for p in clip_probabilities(head, n, windows)]
        hours = sum(n.seconds() for n in negatives) / 3600
        conf_probs = clip_probabilities(head, clips["confusable"], windows)
        pos_probs = {name: clip_probabilities(head, clips[name], windows) for name in classes[:-1] if name in clips}
        for smoothing in smoothings:
            for c, name in enumerate(classes[:-1]):
                if name not in clips:
                    continue
                detection = detection_curves(pos_probs[name], clips[name], c, smoothing, windows=windows)
                fa = false_accept_counts(neg_probs, c, smoothing, refractory_hops) / max(hours, 1e-9)
                fire = fire_rates(conf_probs, c, smoothing)
                cells = []
                for target in FA_TARGETS:
                    i = at_most(fa, target)
                    cells.append(f"<= {target:g} FA/h: {100 * detection[i]:.1f} % (t {THRESHOLDS[i]:.4f}, "
                                 f"confusables {100 * fire[i]:.1f} %)")
                label = f", smoothing {smoothing}" if args.smoothing else ""
                print(f"{split} ({hours:.2f} h of speech{label}) {name}: " + " | ".join(cells))
                by_command = command_split(pos_probs[name], clips[name], c, smoothing, windows, fa, args.at)
                if by_command:
                    print(f"{split} ({hours:.2f} h of speech{label}) {name}, {by_command}")
                for threshold in args.at:
                    i = nearest(threshold)
                    print(f"{split} ({hours:.2f} h of speech{label}) {name} at {THRESHOLDS[i]:.4f}: detection "
                          f"{100 * detection[i]:.1f} %, {fa[i] * hours:.0f} false accepts ({fa[i]:.2f} /h), "
                          f"confusables {100 * fire[i]:.1f} %")

if __name__ == "__main__":
    main()
