"""Shared fixtures for trixy-core tests: plugin folders written into a temporary plugins directory."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest


class PluginFolders:
    """Writes plugin folders (main.py, config.json, extra modules) under a temporary plugins directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(
        self,
        name: str,
        main: str | None,
        config: dict | str | None = None,
        **extra_files: str,
    ) -> Path:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        if main is not None:
            (folder / "main.py").write_text(textwrap.dedent(main))
        if config is None:
            config = {"enabled": True}
        (folder / "config.json").write_text(config if isinstance(config, str) else json.dumps(config))
        for filename, text in extra_files.items():
            (folder / f"{filename}.py").write_text(textwrap.dedent(text))
        return folder


@pytest.fixture
def plugin_folders(tmp_path: Path) -> PluginFolders:
    return PluginFolders(tmp_path / "plugins")
