"""What the repo ships: the example plugin works as a template, default configs and schedules.json are valid."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from trixy_core.application import create_application
from trixy_core.config import CONFIG_SCHEMA, Config
from trixy_core.events import names
from trixy_core.events.data import IntentReceived, SatelliteConnected, TextReceived
from trixy_core.scheduler import ScheduleManager

REPO = Path(__file__).resolve().parents[3]


async def test_example_plugin_greets_and_asks_for_a_name(tmp_path):
    plugins = tmp_path / "plugins"
    shutil.copytree(REPO / "plugins" / "example", plugins / "example")
    app = create_application("standalone", root=tmp_path, setup_logging=False)
    said: list[str] = []
    app.event_handler.subscribe(names.SAY, lambda n, d: said.append(d.text), threaded=False)
    async with app:
        assert app.plugin_manager.names == ["example"] and not app.plugin_manager.problems
        plugin = app.plugin_manager["example"]
        await app.event_handler.trigger(names.SATELLITE_CONNECTED, SatelliteConnected("s1", room="kitchen"))
        assert plugin.greeted == 1
        conversation = await app.conversations.open("s1")
        task = app.event_handler.trigger(names.INTENT_RECEIVED, IntentReceived("hello", conversation_id=conversation.id))
        for _ in range(200):
            if said:
                break
            await asyncio.sleep(0.005)
        await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("Peter", conversation.id))
        await task
        assert said == ["Hello! What is your name?", "Hello, Peter!"]
        assert not conversation.is_open
    assert "trixy_plugins.example.main" not in sys.modules


@pytest.mark.parametrize("mode", ["server", "client", "standalone"])
def test_shipped_default_config_files_are_valid(mode, tmp_path):
    source = REPO / "config" / f"{mode}_config.json"
    config = Config.load(source, mode, schema=CONFIG_SCHEMA, write_defaults=False)
    assert config.get("general.profile") == "default"


async def test_shipped_schedules_file_is_valid(tmp_path, handler):
    shutil.copy(REPO / "config" / "schedules.json", tmp_path / "schedules.json")
    manager = ScheduleManager(handler, tmp_path / "schedules.json")
    manager.load()
    assert manager.problems == [] and len(manager.schedules) == 2
    assert all(not s.enabled for s in manager.schedules)
