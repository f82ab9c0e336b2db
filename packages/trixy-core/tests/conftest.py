"""Shared fixtures for trixy-core tests: plugin folders written into a temporary plugins directory."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from trixy_core.events import EventHandler


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


@pytest.fixture
async def new_handler():
    """Makes event handlers (`new_handler(history_size=3)`) that are closed after the test, also when an assert
    failed: closing at the end of the test body would leak the handler's worker threads on a failure."""
    made: list[EventHandler] = []

    def make(**kwargs) -> EventHandler:
        handler = EventHandler(**kwargs)
        made.append(handler)
        return handler

    yield make
    for handler in made:
        if not handler.closed:
            await handler.close()


@pytest.fixture
def handler(new_handler) -> EventHandler:
    """An event handler closed after the test (see `new_handler`)."""
    return new_handler()
