"""`write_json_atomic`, the one JSON writer of every package: atomic, keeps a file's mode, 0600 only for secrets."""

from __future__ import annotations

import json
import os
import stat

import pytest

from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_rewriting_keeps_the_mode_the_file_had(tmp_path):
    path = tmp_path / "server_config.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    write_json_atomic(path, {"a": 1})
    assert mode(path) == 0o644 and read_json(path) == {"a": 1}
    os.chmod(path, 0o640)
    write_json_atomic(path, {"a": 2})
    assert mode(path) == 0o640


def test_a_new_file_gets_the_umask_mode_not_the_temporary_files_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_json_atomic(tmp_path / "new.json", [1, 2])
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.json") == 0o644


def test_secrets_are_0600_even_over_a_wider_file(tmp_path):
    path = tmp_path / "aa-bb.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    write_json_atomic(path, {"secret": "00ff", "b": 1, "a": 2}, private=True, sort_keys=True)
    assert mode(path) == 0o600
    assert list(json.loads(path.read_text())) == ["a", "b", "secret"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "keep.json"
    write_json_atomic(path, {"ok": True})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert read_json(path) == {"ok": True}
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_invalid_json_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "a": ,\n}')
    with pytest.raises(JsonFileError, match=r"broken.json: invalid JSON at line 2, column 8"):
        read_json(path)
