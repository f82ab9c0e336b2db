"""The trainer view links the run's plots: what the last run wrote, else the PNGs beside the model file."""

from __future__ import annotations

from types import SimpleNamespace

from trixy_tui.screens.trainer_detail import plot_files


def test_plots_of_the_last_run_come_first_then_the_model_folder(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"")
    (tmp_path / "det_curve.png").write_bytes(b"")
    trainer = SimpleNamespace(plots=[], model_path=tmp_path / "model.onnx")
    assert plot_files(trainer) == [str(tmp_path / "det_curve.png")]
    trainer.plots = ["/runs/a/training_curves.png", str(tmp_path / "det_curve.png")]
    assert plot_files(trainer) == trainer.plots
    assert plot_files(SimpleNamespace(plots=None, model_path=None)) == []
