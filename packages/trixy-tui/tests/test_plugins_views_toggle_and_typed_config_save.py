"""F4 Plugins and the plugin sub-main view against a real plugin manager: list, toggle, reload, enable/disable,
and the generated config editor that keeps JSON types and refuses bad values without touching config.json."""

from __future__ import annotations

import json

from trixy_tui.screens.plugin_detail import PluginView
from trixy_tui.screens.plugins import PluginsView
from trixy_tui.widgets import InfoTable, PluginConfigEditor


async def open_plugins(pilot):
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PluginsView)
    return pilot.app.screen


async def test_plugin_list_shows_active_and_broken_plugins(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        rows = {r[0]: r for r in view.rows()}
        assert rows["greeter"][1:3] == ("active", "1.2.0")
        assert rows["broken"][1] == "broken (import)"
        assert "NameError" in view.query_one("#plugin-problems", InfoTable).values["broken"]


async def test_toggle_button_disables_then_enables_the_selected_plugin(core_app, kit):
    manager = core_app.plugin_manager
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("greeter")
        await kit.click(pilot, "#plugin-toggle")
        await kit.wait_for(lambda: not manager.is_active("greeter"), pilot)
        config_file = core_app.root / "plugins" / "greeter" / "config.json"
        assert json.loads(config_file.read_text())["enabled"] is False
        assert {r[0]: r[1] for r in view.rows()}["greeter"] == "disabled"
        await kit.click(pilot, "#plugin-toggle")
        await kit.wait_for(lambda: manager.is_active("greeter"), pilot)


async def test_reload_button_reloads_the_plugin_from_disk(core_app, kit):
    manager = core_app.plugin_manager
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        before = manager.get("greeter")
        view.select("greeter")
        await kit.click(pilot, "#plugin-reload")
        await kit.wait_for(lambda: manager.get("greeter") is not before and manager.is_active("greeter"), pilot)


async def test_open_button_on_a_broken_plugin_says_why_it_is_not_loaded(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("broken")
        await kit.click(pilot, "#plugin-open")
        assert isinstance(pilot.app.screen, PluginsView)
        assert "not loaded" in view.status_message and "NameError" in view.status_message


async def test_plugin_info_pane_and_enable_disable_buttons(core_app, kit):
    manager = core_app.plugin_manager
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("greeter")
        await kit.click(pilot, "#plugin-open")
        detail = pilot.app.screen
        assert isinstance(detail, PluginView)
        info = detail.query_one("#plugin-info", InfoTable).values
        assert info["Description"] == "Greets every satellite that connects."
        assert info["Version"] == "1.2.0" and info["Status"] == "active" and info["Event handlers"] == "1"
        assert info["Last modified"][:2] == "20"
        await kit.click(pilot, "#plugin-disable")
        await kit.wait_for(lambda: not manager.is_active("greeter"), pilot)
        # the pane follows the manager's event on the next refresh (under load, a moment later)
        await kit.wait_for(lambda: detail.query_one("#plugin-info", InfoTable).values["Status"] == "disabled", pilot)
        await kit.click(pilot, "#plugin-enable")
        await kit.wait_for(lambda: manager.is_active("greeter"), pilot)
        await kit.wait_for(lambda: detail.query_one("#plugin-info", InfoTable).values["Enabled"] == "yes", pilot)


async def test_generated_config_editor_saves_values_with_their_original_types(core_app, kit):
    config_file = core_app.root / "plugins" / "greeter" / "config.json"
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("greeter")
        await kit.click(pilot, "#plugin-open")
        await pilot.press("f2")
        await pilot.pause()
        editor = pilot.app.screen.query_one(PluginConfigEditor)
        assert "enabled" not in editor.keys, "enabled has its own buttons"
        editor.set_text("repeat", "5")
        editor.set_text("volume", "0.75")
        editor.set_text("loud", "yes")
        editor.set_text("greeting", "42")
        editor.set_text("voice.pitch", "55")
        editor.set_text("rooms", '["kitchen", "hall"]')
        await kit.click(pilot, "#plugin-config-save")
        saved = json.loads(config_file.read_text())
        assert saved["repeat"] == 5 and isinstance(saved["repeat"], int)
        assert saved["volume"] == 0.75 and saved["loud"] is True
        assert saved["greeting"] == "42", "a string stays a string even when it looks like a number"
        assert saved["voice"] == {"pitch": 55} and saved["rooms"] == ["kitchen", "hall"]
        assert core_app.plugin_manager.get("greeter").config["repeat"] == 5


async def test_invalid_plugin_config_value_is_refused_inline_and_file_unchanged(core_app, kit):
    config_file = core_app.root / "plugins" / "greeter" / "config.json"
    before = config_file.read_bytes()
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("greeter")
        await kit.click(pilot, "#plugin-open")
        await pilot.press("f2")
        await pilot.pause()
        editor = pilot.app.screen.query_one(PluginConfigEditor)
        editor.set_text("repeat", "many")
        editor.set_text("volume", "0.9")
        await kit.click(pilot, "#plugin-config-save")
        assert "repeat" in editor.errors and "not a valid integer" in editor.errors["repeat"]
        assert pilot.app.screen.query_one(f"#{editor.keys['repeat']}-error").display
        assert config_file.read_bytes() == before, "nothing is written when any value is invalid"
        assert core_app.plugin_manager.get("greeter").config["volume"] == 0.5


async def test_plugin_config_view_module_replaces_the_generated_editor(core_app, kit):
    folder = core_app.root / "plugins" / "greeter"
    (folder / "config_view.py").write_text(
        "from textual.widgets import Label\n\n\ndef build(plugin):\n"
        "    return Label(f'custom settings of {plugin.name}', id='greeter-custom')\n"
    )
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        view = await open_plugins(pilot)
        view.select("greeter")
        await kit.click(pilot, "#plugin-open")
        await pilot.press("f2")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.query("#greeter-custom")
        assert not screen.query(PluginConfigEditor)
