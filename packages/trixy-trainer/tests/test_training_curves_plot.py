"""Loss/accuracy curves per run from the Lightning CSV log; the CLI's flags and `--cfg job`."""

from __future__ import annotations

from pathlib import Path

from trixy_trainer.cli import build_parser, main
from trixy_trainer.plots import epoch_series, plot_training_curves

CSV = """epoch,step,train_acc,train_loss,val_acc,val_loss,train_loss_step
0,9,,,,,0.9
0,9,0.50,0.80,,,
0,9,,,0.55,0.70,
1,19,0.75,0.40,,,
1,19,,,0.80,0.35,
"""


def _run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    (run / "logs" / "version_0").mkdir(parents=True)
    (run / "logs" / "version_0" / "metrics.csv").write_text(CSV)
    return run


def test_epoch_series_keeps_epoch_values_of_loss_and_accuracy(tmp_path):
    series = epoch_series(_run_dir(tmp_path) / "logs" / "version_0" / "metrics.csv")
    assert series == {"train_acc": [(0, 0.5), (1, 0.75)], "train_loss": [(0, 0.8), (1, 0.4)],
                      "val_acc": [(0, 0.55), (1, 0.8)], "val_loss": [(0, 0.7), (1, 0.35)]}


def test_training_curves_png_is_written_per_run(tmp_path):
    path = plot_training_curves(_run_dir(tmp_path))
    assert path == tmp_path / "run" / "training_curves.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    assert plot_training_curves(tmp_path / "empty") is None


def test_help_lists_the_speaker_trainer_and_the_shared_flags(capsys):
    help_text = build_parser().format_help()
    assert "speaker" in help_text and "--quiet" in help_text and "--cfg" in help_text


def test_cfg_job_prints_the_composed_configuration(capsys):
    assert main(["wakeword", "trainer.max_epochs=3", "--cfg", "job", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "max_epochs: 3" in out
    assert main(["speaker", "train", "trainer.max_epochs=4", "--cfg", "job", "--quiet"]) == 0
    assert "max_epochs: 4" in capsys.readouterr().out


def test_speaker_det_points_and_png_with_the_eer_marked(tmp_path):
    import numpy as np

    from trixy_trainer.plots import det_points, plot_speaker_det

    target, nontarget = np.array([0.9, 0.8, 0.7, 0.4]), np.array([0.1, 0.2, 0.3, 0.75])
    thresholds, far, frr = det_points(target, nontarget)
    at = list(thresholds).index(0.7)
    assert far[at] == 0.25 and frr[at] == 0.25  # one impostor (0.75) at or above 0.7, one target (0.4) below: EER
    path = plot_speaker_det(target, nontarget, tmp_path / "det_curve.png", threshold=0.5)
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000
    assert plot_speaker_det(target, np.array([]), tmp_path / "none.png") is None
