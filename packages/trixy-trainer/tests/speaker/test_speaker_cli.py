"""``trixy-train speaker ...`` (trixy_trainer.speaker.cli.main): overrides win, user errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trixy_trainer.speaker.cli import main


def test_prepare_command_reads_overrides_and_prints_a_report(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["prepare", f"data.raw_dir={corpus / 'raw'}", f"data.chunked_dir={tmp_path / 'c'}", "data.chunk_samples=9000"])
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["chunk_samples"] == 9000 and report["speakers"] == 4 and report["bad_files"] == {}


def test_user_errors_exit_with_2(tmp_path: Path) -> None:
    assert main(["prepare", f"data.raw_dir={tmp_path / 'missing'}", "data.chunk_samples=9000"]) == 2
    assert main(["prepare", "no_such_group=1"]) == 2
    assert main(["enroll", "enroll.name=bob"]) == 2


def test_evaluate_and_enroll_commands_use_a_model_file(trained, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import shutil

    model = tmp_path / "m" / "tiny.pth"
    model.parent.mkdir()
    shutil.copy(trained.files["pth"], model)
    common = [f"export.model={model}", "export.password=test-password", f"data.chunked_dir={corpus / 'chunked'}",
              f"data.calibration_dir={corpus / 'heldout'}"]
    assert main(["evaluate", *common, "evaluate.update_model=true"]) == 0
    evaluation = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    from trixy_core.modelfiles import read_pth_metadata

    stored = read_pth_metadata(model, "test-password")
    assert stored["unknown_threshold"] == evaluation["unknown_threshold"]
    assert stored["results"]["test_top1"] == evaluation["test_top1"]
    files = ",".join(str(p) for p in sorted((corpus / "heldout").glob("*/*.wav"))[:2])
    assert main(["enroll", *common, "enroll.name=zed", f"enroll.files=[{files}]", "export.formats=[pth]"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["id"] == 4 and out["num_speaker"] == 5
    assert read_pth_metadata(model, "test-password")["enrolment"]["zed"]["views"] is True  # on by default
    assert main(["enroll", *common, "enroll.name=amy", f"enroll.files=[{files}]", "enroll.views=sometimes"]) == 2
    assert main(["enroll", *common, "enroll.name=amy", f"enroll.files=[{files}]", "enroll.views=false",
                 "export.formats=[pth]"]) == 0
    assert read_pth_metadata(model, "test-password")["enrolment"]["amy"]["views"] is False


def test_synth_without_benchmark_speakers_still_writes_calibration(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``synth.heldout_speakers=0`` used to crash writing the empty benchmark folder's .gitignore."""
    code = main(["synth", f"data.raw_dir={tmp_path / 'raw'}", f"synth.heldout_dir={tmp_path / 'heldout'}",
                 f"data.calibration_dir={tmp_path / 'cal'}", "synth.speakers=1", "synth.heldout_speakers=0",
                 "synth.calibration_speakers=1", "synth.utterances=1", "synth.heldout_utterances=1"])
    assert code == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["heldout_speakers"] == 0
    assert (tmp_path / "heldout" / ".gitignore").is_file() and len(list((tmp_path / "cal").glob("*/*.wav"))) == 1
