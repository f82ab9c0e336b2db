"""Other packages extend the application through entry points; a broken extension is skipped, never fatal."""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import EntryPoint

import pytest

from trixy_core.application import create_application, extensions, run_headless


class _FakeEntryPoints:
    """Stands in for importlib.metadata's lookup with real EntryPoint objects pointing at this module."""

    def __init__(self, points: dict[str, list[EntryPoint]]) -> None:
        self.points = points

    def __call__(self, group: str) -> list[EntryPoint]:
        return self.points.get(group, [])


EXTENSION_MODULE = """
def install_marker(application):
    application.register("marker_component", {"mode": application.mode})


def install_broken(application):
    raise RuntimeError("this extension is broken on purpose")


def fake_ui(application, mode):
    return 42
"""


def _ep(name: str, attr: str, group: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"trixy_test_extension:{attr}", group=group)


@pytest.fixture
def with_entry_points(monkeypatch, tmp_path):
    """Real entry points pointing at a real module written for the test (as an installed package's would)."""
    folder = tmp_path / "ext"
    folder.mkdir()
    (folder / "trixy_test_extension.py").write_text(EXTENSION_MODULE)
    monkeypatch.syspath_prepend(str(folder))

    def install(points: dict[str, list[EntryPoint]]) -> None:
        monkeypatch.setattr(extensions, "entry_points", _FakeEntryPoints(points))

    return install


def test_component_extensions_register_and_a_broken_one_is_skipped(tmp_path, with_entry_points, caplog):
    with_entry_points({
        extensions.COMPONENT_GROUP: [
            _ep("a_broken", "install_broken", extensions.COMPONENT_GROUP),
            _ep("b_marker", "install_marker", extensions.COMPONENT_GROUP),
        ]
    })
    with caplog.at_level(logging.ERROR):
        app = create_application("server", tmp_path, setup_logging=False)
    assert app.get("marker_component") == {"mode": "server"}
    assert "a_broken" in caplog.text and "failed to install" in caplog.text


def test_find_ui_returns_the_installed_runner_or_none(with_entry_points):
    with_entry_points({})
    assert extensions.find_ui() is None
    with_entry_points({extensions.UI_GROUP: [_ep("textual", "fake_ui", extensions.UI_GROUP)]})
    ui = extensions.find_ui()
    assert ui is not None and ui(None, "server") == 42
    assert extensions.find_ui("other") is None


async def test_run_headless_returns_when_the_application_is_asked_to_stop(tmp_path):
    app = create_application("server", tmp_path, setup_logging=False)
    task = asyncio.create_task(run_headless(app))
    for _ in range(200):
        if app.started_at:
            break
        await asyncio.sleep(0.01)
    app.request_stop()
    assert await asyncio.wait_for(task, 20) == 0
