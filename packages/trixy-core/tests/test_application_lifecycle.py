"""The application container: factory per mode, components by name, orderly start and stop."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from trixy_core.application import create_application
from trixy_core.errors import ApplicationError, ConfigError
from trixy_core.events import names


class Component:
    """A component that records its lifecycle calls in a shared list."""

    def __init__(self, name: str, log: list[str], *, fail_start: bool = False) -> None:
        self.name, self.log, self.fail_start = name, log, fail_start

    async def start(self) -> None:
        if self.fail_start:
            raise RuntimeError("port in use")
        self.log.append(f"start {self.name}")

    def close(self) -> None:
        self.log.append(f"close {self.name}")


async def test_server_has_every_core_component_and_leaves_no_thread_or_task(tmp_path, plugin_folders):
    plugin_folders.write(
        "blocking",
        "import time\nfrom trixy_core.plugins import TrixyPlugin\nfrom trixy_core.events import TrixyEvent\n"
        "class B(TrixyPlugin):\n    def on_load(self):\n        time.sleep(0.01)\n"
        "    @TrixyEvent('x')\n    def on_x(self, n, d):\n        time.sleep(0.01)\n",
    )
    before_threads = set(threading.enumerate())
    before_tasks = asyncio.all_tasks()
    app = create_application(
        "server", root=tmp_path, overrides=[f"paths.plugins={plugin_folders.root}"], setup_logging=False
    )
    for name in ("event_handler", "asset_manager", "plugin_manager", "scheduler", "conversations"):
        assert app.has(name)
    assert app.config.path == tmp_path / "config" / "server_config.json" and app.config.path.exists()
    log: list[str] = []
    app.register("satellite_manager", Component("satellites", log))
    events: list[str] = []
    app.event_handler.subscribe("application *", lambda n, d: events.append(n), threaded=True)
    await app.start()
    assert app.satellite_manager.name == "satellites" and app.running
    await app.conversations.open("kitchen")
    assert (await app.event_handler.trigger("x")).ok and app.plugin_manager.is_active("blocking")
    await app.stop()
    assert log == ["start satellites", "close satellites"]
    assert events == [names.APPLICATION_STARTED, names.APPLICATION_STOPPING]
    assert app.event_handler.closed
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before_tasks == set()
    leftover = [t for t in threading.enumerate() if t not in before_threads and t.is_alive()]
    assert leftover == []


async def test_client_mode_gets_only_events_and_assets(tmp_path):
    app = create_application("client", root=tmp_path, setup_logging=False)
    assert app.has("event_handler") and app.has("asset_manager")
    assert not app.has("plugin_manager") and not app.has("scheduler")
    with pytest.raises(AttributeError, match="no component or attribute 'plugin_manager'"):
        _ = app.plugin_manager
    async with app:
        assert app.running
    assert not app.running


async def test_failed_component_start_stops_the_started_ones_and_raises(tmp_path):
    app = create_application("standalone", root=tmp_path, setup_logging=False)
    log: list[str] = []
    app.register("first", Component("first", log))
    app.register("broken", Component("broken", log, fail_start=True))
    with pytest.raises(ApplicationError, match="starting component 'broken' failed: RuntimeError: port in use"):
        await app.start()
    assert log == ["start first", "close first"] and app.event_handler.closed


def test_invalid_config_file_raises_before_any_component_exists(tmp_path):
    path = tmp_path / "config" / "server_config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"events": {"history_size": "many"}}))
    with pytest.raises(ConfigError, match="'events.history_size' must be an integer"):
        create_application("server", root=tmp_path, setup_logging=False)


def test_config_file_option_and_overrides_are_honoured(tmp_path):
    custom = tmp_path / "elsewhere.json"
    app = create_application(
        "server", root=tmp_path, config_path=custom, overrides=["general.profile=night"], setup_logging=False
    )
    assert app.config.path == custom and custom.exists()
    assert app.asset_manager.profile == "night"
    with pytest.raises(ApplicationError, match="unknown mode"):
        create_application("satellite", root=tmp_path)


async def test_registered_functions_are_callable_by_name(tmp_path):
    app = create_application("server", root=tmp_path, setup_logging=False)
    app.functions.register("double", lambda value: value * 2, "Doubles a value.")
    assert await app.functions.call("double", value=21) == 42
    assert "reload_plugins" in app.functions
    with pytest.raises(ApplicationError, match="already registered"):
        app.functions.register("double", print)
    with pytest.raises(ApplicationError, match="already registered"):
        app.register("event_handler", object())
    await app.stop()


async def test_logging_goes_to_a_rotating_file_and_the_ring_buffer(tmp_path):
    import logging

    app = create_application("server", root=tmp_path, overrides=["logging.folder=logs"])
    try:
        logging.getLogger("trixy.test").warning("hello from the test")
        lines = app.logging.buffer.lines()
        assert any("hello from the test" in line.text for line in lines)
        assert "hello from the test" in (tmp_path / "logs" / "trixy.log").read_text()
    finally:
        await app.stop()
    assert app.logging is None
