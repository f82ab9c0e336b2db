"""The plugin manager: loading as packages, broken folders, enable/disable, unload and reload at run time."""

from __future__ import annotations

import json
import sys
import types

import pytest

from trixy_core.errors import PluginLoadError
from trixy_core.events import EventHandler, names
from trixy_core.plugins import PluginManager

RECORDER = """
from trixy_core.events import TrixyEvent
from trixy_core.plugins import TrixyPlugin
from .helper import tag

CALLS = []

class Recorder(TrixyPlugin):
    version = "1.2.3"

    def on_load(self):
        CALLS.append("load")

    async def on_unload(self):
        CALLS.append("unload")

    @TrixyEvent(["text received"])
    def on_text(self, event_name, event_data):
        CALLS.append(tag(event_data))
        return tag(event_data)

@TrixyEvent("satellite *")
def module_level(event_name, event_data):
    CALLS.append("module:" + event_name)
"""

HELPER = """
def tag(value):
    return f"seen {value}"
"""


def make_manager(plugin_folders, handler: EventHandler) -> tuple[PluginManager, EventHandler]:
    app = types.SimpleNamespace(event_handler=handler)
    return PluginManager(app, plugin_folders.root, handler), handler


async def test_plugin_loads_as_package_with_relative_imports_and_receives_events(plugin_folders, handler):
    plugin_folders.write("recorder", RECORDER, {"enabled": True, "n": 1}, helper=HELPER)
    manager, handler = make_manager(plugin_folders, handler)
    assert await manager.load_all() == ["recorder"]
    plugin = manager["recorder"]
    module = sys.modules["trixy_plugins.recorder.main"]
    assert plugin.application.event_handler is handler and plugin.config["n"] == 1 and plugin.version == "1.2.3"
    outcome = await handler.trigger("Text_Received", "hi")
    await handler.trigger("satellite connected", None)
    assert outcome.values == ["seen hi"]
    assert module.CALLS == ["load", "seen hi", "module:satellite connected"]
    await manager.close()
    assert module.CALLS[-1] == "unload"
    assert "trixy_plugins.recorder.main" not in sys.modules


@pytest.mark.parametrize(
    ("name", "main", "config", "expected"),
    [
        ("no_main", None, None, "missing main.py"),
        ("syntax", "def broken(:\n    pass\n", None, "syntax error in main.py line 1"),
        ("no_class", "x = 1\n", None, "defines no class extending TrixyPlugin"),
        ("bad_json", "from trixy_core.plugins import TrixyPlugin\nclass P(TrixyPlugin): pass\n", "{not json", "invalid config.json"),
        ("bad_enabled", "from trixy_core.plugins import TrixyPlugin\nclass P(TrixyPlugin): pass\n", {"enabled": "yes"}, "'enabled' must be true or false"),
        ("import_fails", "import does_not_exist_anywhere\n", None, "ModuleNotFoundError"),
        (
            "load_raises",
            "from trixy_core.plugins import TrixyPlugin\nclass P(TrixyPlugin):\n    def on_load(self):\n        raise OSError('no microphone')\n",
            None,
            "on_load raised OSError: no microphone",
        ),
    ],
)
async def test_broken_plugin_folder_is_reported_and_skipped_while_others_load(
    plugin_folders, name, main, config, expected, handler
):
    plugin_folders.write("good", "from trixy_core.plugins import TrixyPlugin\nclass Good(TrixyPlugin): pass\n")
    plugin_folders.write(name, main, config)
    manager, handler = make_manager(plugin_folders, handler)
    errors = []
    handler.subscribe(names.PLUGIN_ERROR, lambda n, d: errors.append(d), threaded=False)
    loaded = await manager.load_all()
    await handler.drain(2)
    assert loaded == ["good"]
    assert [p.name for p in manager.problems] == [name]
    assert expected in manager.problems[0].message
    assert errors and errors[0].name == name and expected in errors[0].message
    assert name not in manager and not handler.subscriptions(owner=name)
    assert not any(k.startswith(f"trixy_plugins.{name}") for k in sys.modules)
    await manager.close()


async def test_disabling_stops_events_at_once_persists_and_enabling_restores(plugin_folders, handler):
    folder = plugin_folders.write("recorder", RECORDER, {"enabled": True, "level": 3}, helper=HELPER)
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    module = sys.modules["trixy_plugins.recorder.main"]
    plugin = manager["recorder"]
    plugin.enabled = False  # the property setter: muted immediately, on_unload runs on the loop
    assert (await handler.trigger("text received", "x")).values == []
    await manager.set_enabled("recorder", False)
    saved = json.loads((folder / "config.json").read_text())
    assert saved == {"enabled": False, "level": 3}
    assert module.CALLS == ["load", "unload"]
    await manager.set_enabled("recorder", True)
    assert plugin.is_enabled() and manager.is_active("recorder")
    assert (await handler.trigger("text received", "y")).values == ["seen y"]
    assert module.CALLS == ["load", "unload", "load", "seen y"]
    await manager.close()


async def test_disabled_plugin_loads_without_on_load_and_receives_nothing(plugin_folders, handler):
    plugin_folders.write("recorder", RECORDER, {"enabled": False}, helper=HELPER)
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    module = sys.modules["trixy_plugins.recorder.main"]
    assert (await handler.trigger("text received", "x")).values == []
    assert module.CALLS == [] and not manager.is_active("recorder")
    await manager.close()


async def test_reload_picks_up_code_changes_without_restart(plugin_folders, handler):
    folder = plugin_folders.write("recorder", RECORDER, helper=HELPER)
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    (folder / "helper.py").write_text("def tag(value):\n    return f'v2 {value}'\n")
    await manager.reload("recorder")
    assert (await handler.trigger("text received", "z")).values == ["v2 z"]
    assert len(handler.subscriptions(owner="recorder")) == 2
    await manager.unload("recorder")
    assert (await handler.trigger("text received", "z")).values == []
    with pytest.raises(PluginLoadError, match="is not loaded"):
        await manager.unload("recorder")


async def test_save_and_reload_config_keep_json_types(plugin_folders, handler):
    config = {"enabled": True, "i": 1, "f": 0.5, "s": "x", "b": False, "l": [1, 2], "d": {"k": None}}
    folder = plugin_folders.write("typed", "from trixy_core.plugins import TrixyPlugin\nclass T(TrixyPlugin): pass\n", config)
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    plugin = manager["typed"]
    plugin.config["i"] = 2
    plugin.save_config()
    assert json.loads((folder / "config.json").read_text()) == {**config, "i": 2}
    (folder / "config.json").write_text(json.dumps({**config, "s": "edited"}))
    assert plugin.reload_config()["s"] == "edited"
    (folder / "config.json").write_text("[]")
    with pytest.raises(PluginLoadError, match="must be a JSON object"):
        plugin.reload_config()
    assert plugin.config["s"] == "edited"
    await manager.close()


async def test_optional_config_view_is_imported_from_the_plugin_package(plugin_folders, handler):
    plugin_folders.write(
        "viewed",
        "from trixy_core.plugins import TrixyPlugin\nclass V(TrixyPlugin): pass\n",
        config_view="TITLE = 'custom view'\n",
    )
    plugin_folders.write("plain", "from trixy_core.plugins import TrixyPlugin\nclass V(TrixyPlugin): pass\n")
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    assert manager.config_view("viewed").TITLE == "custom view"
    assert manager.config_view("plain") is None
    await manager.close()


async def test_overview_lists_loaded_disabled_and_broken_plugins(plugin_folders, handler):
    plugin_folders.write("recorder", RECORDER, {"enabled": False}, helper=HELPER)
    plugin_folders.write("broken", "def x(:\n")
    manager, handler = make_manager(plugin_folders, handler)
    await manager.load_all()
    rows = {row.name: row for row in manager.overview()}
    assert rows["recorder"].loaded and not rows["recorder"].enabled and not rows["recorder"].active
    assert rows["recorder"].version == "1.2.3" and rows["recorder"].modified is not None
    assert not rows["broken"].loaded and rows["broken"].problem.startswith("import: syntax error in main.py")
    await manager.close()


SLOW_LOADER = """
import threading
from trixy_core.events import TrixyEvent
from trixy_core.plugins import TrixyPlugin

STARTED = threading.Event()
RELEASE = threading.Event()
SEEN = []

class Slow(TrixyPlugin):
    def on_load(self):
        STARTED.set()
        RELEASE.wait(10)
        self.ready = True

    @TrixyEvent(["text received"])
    def on_text(self, event_name, event_data):
        SEEN.append((event_data, getattr(self, "ready", False)))
"""


async def test_handlers_never_run_before_on_load_has_returned(plugin_folders, handler):
    """Events raised while on_load() runs in its worker thread must not reach the half-built plugin, and must not
    be lost either: they arrive once on_load() has returned."""
    import asyncio

    plugin_folders.write("slow", SLOW_LOADER)
    manager, handler = make_manager(plugin_folders, handler)
    loading = asyncio.ensure_future(manager.load_all())
    for _ in range(500):
        if "trixy_plugins.slow.main" in sys.modules and sys.modules["trixy_plugins.slow.main"].STARTED.is_set():
            break
        await asyncio.sleep(0.01)
    module = sys.modules["trixy_plugins.slow.main"]
    assert module.STARTED.is_set()
    during = await handler.trigger("text received", "during on_load")
    module.RELEASE.set()
    assert await loading == ["slow"]
    await handler.trigger("text received", "after on_load")
    # the event raised during on_load waited for it (never seen half-built), then arrived, before the later one
    assert module.SEEN == [("during on_load", True), ("after on_load", True)]
    assert during.errors == []
    await manager.close()
