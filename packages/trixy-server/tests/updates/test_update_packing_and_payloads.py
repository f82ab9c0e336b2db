"""What the update pusher sends: archives of folders (no caches, no links) and model payloads."""

from __future__ import annotations

import io
import os
import tarfile
import time
import zipfile

import pytest

from trixy_protocol import UpdateKind
from trixy_server.errors import UpdatePushError
from trixy_server.updates import PushSettings, UpdatePusher, build_archive


def tree(root):
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "pkg" / "__pycache__" / "x.pyc").write_bytes(b"0")
    (root / "pkg" / "main.py").write_text("code")
    (root / "top.txt").write_text("t")
    os.symlink(root / "top.txt", root / "link.txt")
    return root


def test_zip_and_tar_archives_hold_regular_files_with_relative_names(tmp_path):
    folder = tree(tmp_path / "src")
    names = sorted(zipfile.ZipFile(io.BytesIO(build_archive(folder, "zip"))).namelist())
    assert names == ["pkg/main.py", "top.txt"]
    with tarfile.open(fileobj=io.BytesIO(build_archive(folder, "tar.gz"))) as archive:
        assert sorted(archive.getnames()) == ["pkg/main.py", "top.txt"]
        assert all(m.isfile() for m in archive.getmembers())
    only = zipfile.ZipFile(io.BytesIO(build_archive(folder, "zip", include=["pkg"]))).namelist()
    assert only == ["pkg/main.py"]


def test_model_payload_sends_files_as_they_are_and_folders_as_archives(tmp_path):
    pusher = UpdatePusher(PushSettings.for_root(tmp_path))
    old = tmp_path / "models" / "wakeword" / "old" / "old.onnx"
    new = tmp_path / "models" / "wakeword" / "new" / "new.onnx"
    for path in (old, new):
        path.parent.mkdir(parents=True)
        path.write_bytes(path.name.encode())
    os.utime(old, (time.time() - 100, time.time() - 100))
    assert pusher.model_payload(UpdateKind.WAKEWORD_MODEL, new) == ("new.onnx", b"new.onnx", "new")
    name, data, version = pusher.model_payload(UpdateKind.WAKEWORD_MODEL)          # newest folder by default
    assert (name, version) == ("new.zip", "new")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["new.onnx"]
    with pytest.raises(UpdatePushError, match="no model under"):
        pusher.model_payload(UpdateKind.VOICE_MODEL)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UpdatePushError, match="not a model file"):
        pusher.model_payload(UpdateKind.WAKEWORD_MODEL, tmp_path / "notes.txt")
