"""The server TUI against a real core application: title, F-key views, general facts, logs, startup/shutdown."""

from __future__ import annotations

import logging

from trixy_tui.screens.config import ConfigView
from trixy_tui.screens.general import ServerGeneralView
from trixy_tui.screens.logs import LogsView
from trixy_tui.screens.plugins import PluginsView
from trixy_tui.screens.satellites import SatellitesView
from trixy_tui.screens.schedules import SchedulesView
from trixy_tui.screens.trainers import TrainersView
from trixy_tui.widgets import InfoTable, LogView


async def test_fkeys_switch_every_server_main_view(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=(120, 40)) as pilot:
        assert tui.title == "Trixy Server"
        assert isinstance(tui.screen, ServerGeneralView)
        for key, view in (("f2", ConfigView), ("f3", SatellitesView), ("f4", PluginsView), ("f5", SchedulesView),
                          ("f6", TrainersView), ("f9", LogsView), ("f1", ServerGeneralView)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(tui.screen, view), key
        assert core_app.running
    assert not core_app.running, "the TUI stops the application it started"


async def test_general_view_shows_host_plugins_components_uptime_and_version(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        info = tui.screen.query_one("#general-info", InfoTable).values
        assert info["Hostname"] == kit.HOST.hostname and info["Host address"] == kit.HOST.address
        assert info["OS"] == kit.HOST.os
        assert info["Satellites"] == "not available", "a core-only app has no satellite manager"
        assert info["Plugins"] == "2 available, 1 loaded, 1 active, 1 broken"
        assert info["Up-time"] == "1h 02m 03s"
        assert info["Version"].startswith("trixy ")
        n = len(core_app.components)
        assert info["Components started"] == f"{n} of {n}"
        components = tui.screen.query_one("#general-components", InfoTable).values
        assert components["plugin_manager"] == "PluginManager"
        assert components["scheduler"] == "ScheduleManager"


async def test_log_view_shows_buffered_and_new_log_lines(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        log = tui.screen.query_one(LogView)
        assert any("plugin greeter loaded" in line for line in log.lines_shown)
        logging.getLogger("trixy.test").warning("a line written while the log view is open")
        await kit.wait_for(lambda: any("while the log view is open" in line for line in log.lines_shown), pilot)


async def test_sub_main_view_takes_over_fkeys_and_escape_goes_back(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        tui.screen.select("greeter")
        await pilot.press("enter")
        await pilot.pause()
        await kit.wait_for(lambda: tui.screen.title, pilot)  # set when the view has mounted
        assert tui.screen.title == "Trixy Server - Plugins: greeter"
        await pilot.press("f2")
        await pilot.pause()
        assert tui.screen.pane == "config", "F2 switches the plugin's pane, not the main view"
        assert not tui.check_action("view", ("config",))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(tui.screen, PluginsView)
        assert tui.screen.title in (None, "Trixy Server") and tui.title == "Trixy Server"
