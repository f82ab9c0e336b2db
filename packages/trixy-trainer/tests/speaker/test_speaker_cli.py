"""``trixy-train speaker ...`` (trixy_trainer.speaker.cli.main): overrides win, user errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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


def test_synth_adds_revoiced_twins_as_new_synthetic_speakers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("parselmouth")
    from trixy_trainer.data.audio_io import read_audio
    from trixy_trainer.speaker.revoice import throat_for

    args = ["synth", f"data.raw_dir={tmp_path / 'raw'}", f"synth.heldout_dir={tmp_path / 'heldout'}",
            f"data.calibration_dir={tmp_path / 'cal'}", "synth.speakers=2", "synth.heldout_speakers=0",
            "synth.calibration_speakers=0", "synth.utterances=2", "synth.revoiced_copies=1"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["revoiced_twins"] == 2 and out["files_written"] == 8
    voices = json.loads((tmp_path / "raw" / "voices.json").read_text())
    originals = [v["name"] for v in voices if "revoiced_from" not in v]
    twins = {v["name"]: v for v in voices if "revoiced_from" in v}
    assert sorted(twins) == sorted(f"{name}~rv1" for name in originals)
    for name in originals:
        twin = twins[f"{name}~rv1"]
        assert twin["median_pitch_hz"] == round(throat_for(name, namespace="train1").median_pitch_hz, 1)
        assert throat_for(name, namespace="train1") != throat_for(name)  # not the benchmark's throat for that name
        for path in sorted((tmp_path / "raw" / name).glob("*.wav")):
            source, changed = read_audio(path), read_audio(tmp_path / "raw" / twin["name"] / path.name)
            assert abs(changed.size - source.size) < 400 and 0 < np.abs(changed).max() <= 0.99
            assert not np.allclose(changed[: min(source.size, changed.size)], source[: min(source.size, changed.size)], atol=0.01)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "raw").glob("*~rv1/*.wav")}
    assert main(args) == 0  # again: nothing is made twice
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["files_written"] == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "raw").glob("*~rv1/*.wav")} == before


def test_a_negative_twin_count_is_a_config_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    code = main(["synth", f"data.raw_dir={tmp_path / 'raw'}", "synth.revoiced_copies=-1"])
    assert code == 2 and "synth.revoiced_copies must be 0 or more" in caplog.text
    assert not (tmp_path / "raw").exists()


def test_synth_warns_about_calibration_voices_an_earlier_synth_left(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    base = [f"data.raw_dir={tmp_path / 'raw'}", f"synth.heldout_dir={tmp_path / 'heldout'}",
            f"data.calibration_dir={tmp_path / 'cal'}", "synth.speakers=1", "synth.calibration_speakers=1",
            "synth.utterances=1", "synth.heldout_utterances=1"]
    assert main(["synth", *base, "synth.heldout_speakers=1"]) == 0
    assert "did not make" not in caplog.text
    assert main(["synth", *base, "synth.heldout_speakers=0"]) == 0  # other calibration voices are drawn
    listed = {v["name"] for v in json.loads((tmp_path / "cal" / "voices.json").read_text())}
    folders = {d.name for d in (tmp_path / "cal").iterdir() if d.is_dir()}
    assert len(folders) == 2 and len(listed) == 1  # the earlier voice is still there, and kept
    assert f"{tmp_path / 'cal'} holds 1 speaker folder(s) that this synth did not make ({(folders - listed).pop()})" in caplog.text
