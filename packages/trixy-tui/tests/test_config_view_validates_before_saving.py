"""F2 Config against the real config file: edits are validated by the core's schema, saved atomically, and refused
inline (file unchanged) when any value is invalid."""

from __future__ import annotations

import json

from trixy_core.application import create_application
from trixy_tui.widgets import ConfigEditor


async def open_config(pilot) -> ConfigEditor:
    await pilot.press("f2")
    await pilot.pause()
    return pilot.app.screen.query_one(ConfigEditor)


async def test_config_view_saves_valid_edits_with_types_kept(core_app, kit):
    path = core_app.config.path
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        editor = await open_config(pilot)
        assert pilot.app.screen.query_one("#config-path").render().plain == "File: config/server_config.json"
        editor.set_text("general.name", "Kitchen Trixy")
        editor.set_text("logging.backup_count", "7")
        editor.set_text("conversation.idle_timeout_s", "45")
        await kit.click(pilot, "#config-save")
        assert editor.errors == {}
    saved = json.loads(path.read_text())
    assert saved["general"]["name"] == "Kitchen Trixy"
    assert saved["logging"]["backup_count"] == 7
    assert saved["conversation"]["idle_timeout_s"] == 45.0 and isinstance(saved["conversation"]["idle_timeout_s"], float)
    reloaded = create_application("server", root=core_app.root, setup_logging=False)
    assert reloaded.config.get("logging.backup_count") == 7


async def test_invalid_config_values_are_refused_inline_and_the_file_is_unchanged(core_app, kit):
    path = core_app.config.path
    before = path.read_bytes()
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        editor = await open_config(pilot)
        editor.set_text("general.name", "would be fine")
        editor.set_text("logging.backup_count", "lots")
        editor.set_text("logging.level", "LOUD")
        editor.set_text("logging.max_bytes", "5")
        await kit.click(pilot, "#config-save")
        assert set(editor.errors) == {"logging.backup_count", "logging.level", "logging.max_bytes"}
        assert "not a valid integer" in editor.errors["logging.backup_count"]
        assert "must be one of" in editor.errors["logging.level"]
        assert "at least" in editor.errors["logging.max_bytes"]
        error_label = pilot.app.screen.query_one("#cfg-logging-level-error")
        assert error_label.display and "must be one of" in error_label.render().plain
        assert "Not saved" in pilot.app.screen.query_one("#config-status").render().plain
        assert core_app.config.get("general.name") != "would be fine", "all or nothing"
    assert path.read_bytes() == before


async def test_revert_puts_stored_values_back(core_app, kit):
    async with kit.make_tui(core_app).run_test(size=kit.SIZE) as pilot:
        editor = await open_config(pilot)
        editor.set_text("general.language", "xx")
        await kit.click(pilot, "#config-revert")
        assert pilot.app.screen.query_one("#cfg-general-language").value == "en"


async def test_command_line_overrides_are_shown_read_only(trixy_root, kit):
    application = create_application("server", root=trixy_root, overrides=["general.language=de"])
    async with kit.make_tui(application).run_test(size=kit.SIZE) as pilot:
        await open_config(pilot)
        box = pilot.app.screen.query_one("#cfg-general-language")
        assert box.value == "de" and box.disabled
