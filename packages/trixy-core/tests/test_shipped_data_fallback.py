"""Shipped data: a relative path missing under the root falls back to the folder an installed data package
announces (`trixy.data` entry points, as trixy-models and trixy-plugins do); the root's own folder always wins."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trixy_core.application import create_application
from trixy_core.shipped import resolve_data_path, shipped_folder


@pytest.fixture
def installed_models(tmp_path: Path, monkeypatch) -> Path:
    """A real installed distribution (dist-info with entry points on sys.path) shipping a models folder."""
    site, data = tmp_path / "site", tmp_path / "shipped-models"
    (data / "wakeword" / "trixy").mkdir(parents=True)
    (data / "wakeword" / "trixy" / "trixy.onnx").write_bytes(b"onnx")
    info = site / "fake_trixy_models-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-trixy-models\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[trixy.data]\nmodels = fake_trixy_models:folder\n")
    (site / "fake_trixy_models.py").write_text(f"def folder():\n    return {str(data)!r}\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "fake_trixy_models", raising=False)  # each test ships its own folder
    shipped_folder.cache_clear()
    yield data
    shipped_folder.cache_clear()


def test_missing_root_folder_falls_back_to_the_shipped_one(installed_models, tmp_path):
    root = tmp_path / "root"
    assert resolve_data_path(root, "models/wakeword/trixy") == installed_models / "wakeword" / "trixy"
    assert resolve_data_path(root, "models") == installed_models


def test_the_roots_own_folder_wins_and_unknown_areas_stay_under_the_root(installed_models, tmp_path):
    root = tmp_path / "root"
    (root / "models" / "wakeword" / "trixy").mkdir(parents=True)
    assert resolve_data_path(root, "models/wakeword/trixy") == root / "models" / "wakeword" / "trixy"
    # nothing shipped there: the root path, so messages name where a user would put the file
    assert resolve_data_path(root, "models/wakeword/other") == root / "models" / "wakeword" / "other"
    assert resolve_data_path(root, "notes/x") == root / "notes" / "x"
    assert resolve_data_path(root, tmp_path / "abs") == tmp_path / "abs"


def test_application_paths_use_the_shipped_folder(installed_models, tmp_path):
    app = create_application("client", root=tmp_path / "root", setup_logging=False)
    assert app.path("models") == installed_models


def test_a_broken_data_package_only_loses_its_fallback(tmp_path, monkeypatch):
    site = tmp_path / "site"
    info = site / "broken_data-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-data\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[trixy.data]\nplugins = no_such_module_here:folder\n")
    monkeypatch.syspath_prepend(str(site))
    shipped_folder.cache_clear()
    try:
        assert resolve_data_path(tmp_path, "plugins") == tmp_path / "plugins"
    finally:
        shipped_folder.cache_clear()
