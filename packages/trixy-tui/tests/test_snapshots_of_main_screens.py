"""Snapshot tests of the main screens (pytest-textual-snapshot). Update after an intended change with
`pytest packages/trixy-tui/tests/test_snapshots_of_main_screens.py --snapshot-update` and review the SVGs."""

from __future__ import annotations

import pytest

from trixy_core.application import create_application
from trixy_core.config import CORE_SECTIONS, ConfigSchema

SIZE = (120, 40)


@pytest.fixture
def snapshot_app(trixy_root, kit):
    """A core server application whose config holds the core sections only (independent of installed packages)."""
    application = create_application("server", root=trixy_root, schema=ConfigSchema(CORE_SECTIONS))
    for name in ("trainers", "trainer_runner"):  # registered by trixy-trainer's entry point where it is installed
        application.unregister(name)
    return kit.make_tui(application)


@pytest.mark.parametrize(("key", "name"), [
    ("f1", "general"), ("f2", "config"), ("f4", "plugins"), ("f5", "schedule"),
])
def test_server_main_screen_snapshot(snap_compare, snapshot_app, key, name):
    assert snap_compare(snapshot_app, press=[key], terminal_size=SIZE)


def test_trainer_list_snapshot(snap_compare, trixy_root, kit):
    application = create_application("server", root=trixy_root, schema=ConfigSchema(CORE_SECTIONS))
    application.register("trainers", {"wakeword": kit.LoopTrainer("wakeword"), "speaker": kit.LoopTrainer("speaker")},
                         replace=True)
    assert snap_compare(kit.make_tui(application), press=["f6"], terminal_size=SIZE)


def test_satellite_list_snapshot(snap_compare, server_app, kit):
    assert snap_compare(kit.make_tui(server_app), press=["f3"], terminal_size=SIZE)
