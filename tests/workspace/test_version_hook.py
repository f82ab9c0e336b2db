"""packages/hatch_trixy.py: one VERSION for every package; bare sibling requirements become `~=X.Y.0` pins."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("hatch_trixy", ROOT / "packages" / "hatch_trixy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bare_siblings_get_the_compatible_release_pin_and_others_are_kept(hook):
    pinned = hook.pin_siblings(["trixy-core", "trixy-core[scheduler,pth]", "numpy>=1.24", "trixy-models"], "1.4.2")
    assert pinned == ["trixy-core~=1.4.0", "trixy-core[scheduler,pth]~=1.4.0", "numpy>=1.24", "trixy-models~=1.4.0"]


def test_version_comes_from_the_repository_file_and_bad_versions_are_refused(hook, tmp_path):
    assert hook.read_version(ROOT / "packages" / "trixy-core") == (ROOT / "VERSION").read_text().strip()
    package = tmp_path / "packages" / "trixy-x"
    package.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="no VERSION"):
        hook.read_version(package)
    (tmp_path / "VERSION").write_text("one point two\n")
    with pytest.raises(ValueError, match="not a version"):
        hook.read_version(package)
