"""File inventories, the newer-wins transfer plan and path safety of the sync endpoint."""

from __future__ import annotations

import os

import pytest

from trixy_server.errors import SyncError
from trixy_server.sync import asset_inventory, model_inventory, plan, safe_relative


def entry(sha: str, mtime: float = 0.0, trained: str = "") -> dict:
    return {"sha256": sha, "mtime": mtime, "trained": trained}


def test_plan_copies_newer_and_missing_files_as_the_direction_allows():
    local = {"a": entry("1", trained="2026-01-01"), "b": entry("2", mtime=50), "mine": entry("3"), "same": entry("4")}
    remote = {"a": entry("9", trained="2026-02-01"), "b": entry("8", mtime=10), "theirs": entry("5"),
              "same": entry("4")}
    assert plan(local, remote, "both") == (["a", "theirs"], ["b", "mine"])
    assert plan(local, remote, "pull") == (["a", "theirs"], [])
    assert plan(local, remote, "push") == ([], ["b", "mine"])
    assert plan(local, remote, "off") == ([], [])
    with pytest.raises(SyncError, match="direction"):
        plan(local, remote, "sideways")


def test_training_date_beats_file_time_for_models():
    older_but_touched = entry("1", mtime=999, trained="2026-01-01")
    newer_training = entry("2", mtime=1, trained="2026-05-01")
    assert plan({"m": older_but_touched}, {"m": newer_training}, "both") == (["m"], [])


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a\\b", ".hidden/x", ""])
def test_paths_that_leave_the_folder_are_refused(tmp_path, bad):
    with pytest.raises(SyncError):
        safe_relative(tmp_path, bad)


def test_a_symlink_leading_out_is_refused(tmp_path):
    (tmp_path / "base").mkdir()
    os.symlink(tmp_path, tmp_path / "base" / "out")
    with pytest.raises(SyncError, match="leaves"):
        safe_relative(tmp_path / "base", "out/secret.txt")


def test_inventories_list_model_and_asset_files_only(tmp_path):
    models = tmp_path / "models"
    (models / "wakeword" / "trixy").mkdir(parents=True)
    (models / "wakeword" / "trixy" / "m.onnx").write_bytes(b"not really onnx")
    (models / "wakeword" / "trixy" / "README.md").write_text("x")
    (models / "voice_recognition" / "default").mkdir(parents=True)
    found = model_inventory(models)
    assert list(found) == ["wakeword/trixy/m.onnx"] and found["wakeword/trixy/m.onnx"]["trained"] == ""
    (tmp_path / "assets" / "default" / "audio").mkdir(parents=True)
    (tmp_path / "assets" / "default" / "audio" / "a.wav").write_bytes(b"1")
    (tmp_path / "assets" / "other").mkdir()
    (tmp_path / "assets" / "other" / "b.wav").write_bytes(b"2")
    assert list(asset_inventory(tmp_path / "assets", ["default", "missing"])) == ["default/audio/a.wav"]
