"""Plots written at the end of a run, for people (the TUI's trainer view links them): loss and accuracy per epoch,
and the speaker trainer's DET curve with the EER marked.

Read from the run's Lightning CSV log (`<run_dir>/logs/version_*/metrics.csv`, newest version), so the training
loops need no change: `plot_training_curves(run_dir)` -> `<run_dir>/training_curves.png`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

CURVES_PNG = "training_curves.png"


def newest_metrics(run_dir: Path) -> Path | None:
    """The metrics.csv of the newest Lightning log version under `run_dir/logs`, or None."""
    found = sorted((Path(run_dir) / "logs").glob("version_*/metrics.csv"),
                   key=lambda p: (p.stat().st_mtime, p.parent.name))
    return found[-1] if found else None


def epoch_series(metrics_csv: Path) -> dict[str, list[tuple[int, float]]]:
    """Per column (train_loss, val_acc, ...): (epoch, last value logged in that epoch), epochs ascending."""
    series: dict[str, dict[int, float]] = {}
    with open(metrics_csv, newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                epoch = int(float(row.get("epoch") or "nan"))
            except ValueError:
                continue
            for key, value in row.items():
                if key in ("epoch", "step") or not value or not ("loss" in key or "acc" in key):
                    continue
                number = float(value)
                if math.isfinite(number):
                    series.setdefault(key.removesuffix("_epoch"), {})[epoch] = number
    return {key: sorted(values.items()) for key, values in series.items() if not key.endswith("_step")}


def plot_training_curves(run_dir: Path, out: Path | None = None) -> Path | None:
    """Write loss (left) and accuracy (right) per epoch of the run's newest log; None when nothing was logged."""
    metrics = newest_metrics(run_dir)
    if metrics is None:
        return None
    series = epoch_series(metrics)
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out) if out is not None else Path(run_dir) / CURVES_PNG
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for key, points in sorted(series.items()):
        axis = loss_ax if "loss" in key else acc_ax
        axis.plot([e + 1 for e, _ in points], [v for _, v in points], marker="o", markersize=3, label=key)
    for axis, title in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        axis.set_title(f"{title} per epoch ({Path(run_dir).name})")
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
        if axis.lines:
            axis.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


SPEAKER_DET_PNG = "det_curve.png"


def det_points(target: np.ndarray, nontarget: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, false-accept rate, false-reject rate) over every observed score, for a DET curve."""
    target, nontarget = np.sort(np.asarray(target, float)), np.sort(np.asarray(nontarget, float))
    thresholds = np.unique(np.concatenate([target, nontarget]))
    far = 1.0 - np.searchsorted(nontarget, thresholds, side="left") / len(nontarget)
    frr = np.searchsorted(target, thresholds, side="left") / len(target)
    return thresholds, far, frr


def plot_speaker_det(target: np.ndarray, nontarget: np.ndarray, out: Path, threshold: float | None = None) -> Path | None:
    """DET curve of speaker trials (same-speaker vs other-speaker cosine scores) with the EER point marked and,
    when given, the model's unknown threshold; None when either side has no trials."""
    if len(target) == 0 or len(nontarget) == 0:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thresholds, far, frr = det_points(target, nontarget)
    i = int(np.argmin(np.abs(far - frr)))
    eer = (far[i] + frr[i]) / 2
    floor = 0.5 / max(len(target), len(nontarget))  # zero rates drawn at half a trial, on the log axes
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(np.maximum(far, floor) * 100, np.maximum(frr, floor) * 100, label="speaker trials")
    ax.plot([max(eer, floor) * 100], [max(eer, floor) * 100], "o", color="red",
            label=f"EER {eer * 100:.2f} % (score {thresholds[i]:.3f})")
    if threshold is not None:
        j = int(np.clip(np.searchsorted(thresholds, threshold), 0, len(thresholds) - 1))
        ax.plot([max(far[j], floor) * 100], [max(frr[j], floor) * 100], "s", color="black",
                label=f"unknown threshold {threshold:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"false-accept rate (%), {len(nontarget)} other-speaker trials")
    ax.set_ylabel(f"false-reject rate (%), {len(target)} same-speaker trials")
    ax.set_title("speaker DET curve")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def plot_run(run_dir: Path) -> Path | None:
    """Loss/accuracy curves of the run just finished; a plot that fails never fails the training (logged)."""
    import logging

    log = logging.getLogger(__name__)
    try:
        path = plot_training_curves(Path(run_dir))
    except Exception as exc:  # matplotlib or a missing metrics file: the model is trained and exported anyway
        log.warning("no training curves: %s", exc)
        return None
    if path is not None:
        log.info("training curves: %s", path)
    return path
