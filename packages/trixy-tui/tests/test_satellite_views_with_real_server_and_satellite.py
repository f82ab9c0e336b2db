"""F3 Satellites and the satellite sub-main view against a real in-process server (trixy-server) with a real
satellite (trixy-satellite) connected over loopback sockets."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input

from trixy_core.events import names
from trixy_core.events.data import ConversationEnded, ConversationStarted, WakewordReceived
from trixy_tui.screens.satellite_detail import UPDATE_BUTTONS, SatelliteView
from trixy_tui.screens.satellites import SatellitesView
from trixy_tui.widgets import InfoTable

MAC = "aa:bb:cc:00:00:01"


async def open_satellites(pilot) -> SatellitesView:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SatellitesView)
    return pilot.app.screen


def status_of(view: SatellitesView) -> dict[str, str]:
    return {row[2]: row[4] for row in view.rows()}


async def test_list_updates_live_and_registration_mode_counts_down(server_app, kit):
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        state = view.query_one("#registration-state")
        assert state.render().plain == "Registration mode: off"
        await kit.click(pilot, "#sat-registration")
        assert server_app.satellite_manager.registration_mode
        await kit.wait_for(lambda: "left)" in state.render().plain, pilot)
        assert state.render().plain.startswith("Registration mode: ON (")
        await kit.click(pilot, "#sat-registration")
        assert not server_app.satellite_manager.registration_mode
        await kit.wait_for(lambda: state.render().plain == "Registration mode: off", pilot)

        client, task = await kit.connect_satellite(server_app, MAC)
        try:
            table = view.query_one("#satellites-table")
            await kit.wait_for(lambda: table.row_count == 1 and table.get_row_at(0)[4] == "connected", pilot)
            assert status_of(view)[MAC] == "connected"
            row = table.get_row_at(0)
            assert row[0] == "Fridge" and row[1] == "Kitchen" and row[5].startswith("127.0.0.1:")
            # the ping column is the one value no event reports: it comes with the view's slow poll
            await kit.wait_for(lambda: view.poll() or table.get_row_at(0)[6].endswith(" ms"), pilot)
        finally:
            await kit.disconnect_satellite(client, task)
        await kit.wait_for(lambda: table.get_row_at(0)[4] == "disconnected", pilot)
        info = None
        await pilot.press("f1")
        await pilot.pause()
        info = pilot.app.screen.query_one("#general-info", InfoTable).values
        assert info["Satellites"] == "0 connected / 1 registered"
        assert info["Command socket port"] == str(server_app.network.ports["command"])


async def test_blacklist_drops_the_satellite_and_unblock_lifts_it(server_app, kit):
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        client, task = await kit.connect_satellite(server_app, MAC)
        try:
            view.refresh_view()
            view.select(MAC)
            await kit.click(pilot, "#sat-blacklist")
            sat = server_app.satellite_manager.find(MAC)
            await kit.wait_for(lambda: not sat.connected, pilot)
            assert server_app.satellite_manager.is_blacklisted(MAC)
            assert MAC in view.query_one("#sat-blacklist-list", InfoTable).values
            assert json.loads(server_app.config.path.read_text())["network"]["blacklist"] == [MAC]
            view.select(MAC)
            await kit.click(pilot, "#sat-blacklist")
            assert not server_app.satellite_manager.is_blacklisted(MAC)
            await kit.wait_for(lambda: sat.connected, pilot, timeout=8)
        finally:
            await kit.disconnect_satellite(client, task)


async def test_disconnect_reconnect_and_delete_registration_buttons(server_app, kit):
    manager = None
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        manager = server_app.satellite_manager
        client, task = await kit.connect_satellite(server_app, MAC)
        try:
            sat = manager.find(MAC)
            view.refresh_view()
            view.select(MAC)
            first = client.connections
            await kit.click(pilot, "#sat-reconnect")
            await kit.wait_for(lambda: client.connections > first and sat.connected, pilot, timeout=8)
            view.select(MAC)
            second = client.connections
            await kit.click(pilot, "#sat-disconnect")
            await kit.wait_for(lambda: client.connections > second and sat.connected, pilot, timeout=8)
            view.select(MAC)
            await kit.click(pilot, "#sat-delete")
            assert manager.find(MAC) is None
            registry_files = list((server_app.root / "state" / "satellites").glob("*.json"))
            assert registry_files == []
            assert MAC not in status_of(view)
        finally:
            await kit.disconnect_satellite(client, task)


async def open_detail(pilot, view: SatellitesView, *, with_button: bool = False) -> SatelliteView:
    view.refresh_view()
    view.select(MAC)
    if with_button:
        await click_open(pilot)
    else:
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(pilot.app.screen, SatelliteView)
    return pilot.app.screen


async def click_open(pilot) -> None:
    button = pilot.app.screen.query_one("#sat-open")
    button.press()
    await pilot.pause()


async def test_satellite_sub_view_info_connection_conversation_and_configuration(server_app, kit):
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        client, task = await kit.connect_satellite(server_app, MAC)
        try:
            sat = server_app.satellite_manager.find(MAC)
            await kit.wait_for(lambda: sat.rtt is not None, pilot)
            detail = await open_detail(pilot, view, with_button=True)
            await kit.wait_for(lambda: detail.title, pilot)  # set when the view has mounted
            assert detail.title == "Trixy Server - Satellites: Fridge"
            info = detail.query_one("#sat-info", InfoTable).values
            assert info["MAC address"] == MAC and info["IP"] == "127.0.0.1" and info["State"] == "connected"
            assert info["Ping"].endswith(" ms") and info["Version"] != "not available"

            await pilot.press("f2")
            await pilot.pause()
            assert detail.pane == "connection"
            command = detail.query_one("#stream-command", InfoTable).values
            assert command["Status"] == "open" and command["IP / port"].startswith("127.0.0.1:")
            assert not command["Bytes received total / today"].startswith("0 B")
            for stream in ("audio_in", "tts_out", "music_out"):
                assert set(detail.query_one(f"#stream-{stream}", InfoTable).values) >= {
                    "IP / port", "Up-time", "Status", "Bytes sent total / today"}

            await pilot.press("f3")
            await pilot.pause()
            conv = detail.query_one("#conv-state", InfoTable)
            assert conv.values["Conversation active"] == "no"
            handler = server_app.event_handler
            await handler.trigger(names.WAKEWORD_RECEIVED, WakewordReceived(
                satellite_id=sat.id, wake_word_name="custom", speaker_name="Johannes", speaker_id=0))
            await handler.trigger(names.CONVERSATION_STARTED, ConversationStarted("c-1", satellite_id=sat.id))
            await kit.wait_for(lambda: detail.query_one("#conv-voice", InfoTable).values["Last speaker"] == "Johannes",
                               pilot)
            assert detail.query_one("#conv-wakeword", InfoTable).values["Last wake word"] == "custom"
            await handler.trigger(names.CONVERSATION_ENDED, ConversationEnded("c-1", satellite_id=sat.id,
                                                                                duration_s=12.0))
            await kit.wait_for(lambda: conv.values["Duration"] == "12s", pilot)

            await pilot.press("f4")
            await pilot.pause()
            detail.query_one("#sat-room", Input).value = "Hall"
            detail.query_one("#sat-alias", Input).value = "Lamp"
            await kit.click(pilot, "#sat-save-registration")
            assert sat.room == "Hall" and sat.alias == "Lamp"
            record = json.loads(next((server_app.root / "state" / "satellites").glob("*.json")).read_text())
            assert record["room"] == "Hall" and record["alias"] == "Lamp"

            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, SatellitesView)
        finally:
            await kit.disconnect_satellite(client, task)


async def test_update_buttons_call_the_server_methods(server_app, kit, monkeypatch):
    from trixy_protocol import Reboot, TriggerWakeWord, UpdateOffer

    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "trixy-test")
    kit.write_model(server_app.root / "models" / "wakeword" / "trixy" / "trixy.pth", sample_rate=16000,
                    technology="repcnn", classes=["custom", "system_command", "none"], threshold=0.7)
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        client, satellite = await kit.connect_satellite(server_app, MAC)
        seen: list = []
        for command in (TriggerWakeWord, Reboot, UpdateOffer):
            client.on(command, seen.append)
        try:
            sat = server_app.satellite_manager.find(MAC)
            detail = await open_detail(pilot, view)
            await pilot.press("f5")
            await pilot.pause()
            for button_id, label, _names in UPDATE_BUTTONS:
                await kit.click(pilot, f"#{button_id}")
                message = await kit.wait_for(lambda label=label: detail.status_message.startswith(label) and not
                                             detail.status_message.endswith(": running") and detail.status_message,
                                             pilot, 10)
                assert message.endswith(": done") or " failed: " in message or "not available" in message, (
                    button_id, message)
            if hasattr(sat, "update_wakeword_model"):
                offers = [c for c in seen if isinstance(c, UpdateOffer)]
                assert any(o.kind == "wakeword_model" for o in offers), seen
                assert any(isinstance(c, Reboot) for c in seen), "the reboot button reached the satellite"

            await kit.click(pilot, "#upd-fake-wakeword")
            await kit.wait_for(lambda: any(isinstance(c, TriggerWakeWord) for c in seen), pilot)
            assert next(c for c in seen if isinstance(c, TriggerWakeWord)).wake_word_name == "custom"

            await kit.click(pilot, "#upd-play-test")
            assert "test.wav" in detail.status_message and "started" in detail.status_message
            await kit.wait_for(lambda: sat.streams["tts_out"].traffic.sent_total > 0, pilot)

            await kit.click(pilot, "#upd-play-music")
            await kit.wait_for(lambda: sat.streams["music_out"].traffic.sent_total > 0, pilot)
            await kit.click(pilot, "#upd-stop-music")
            assert "failed" not in detail.status_message
            await kit.click(pilot, "#upd-stop-audio")
            assert "failed" not in detail.status_message
        finally:
            await kit.disconnect_satellite(client, satellite)


async def test_client_configuration_is_fetched_edited_and_saved_on_the_satellite(server_app, kit):
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        client, satellite = await kit.connect_satellite(server_app, MAC)
        try:
            sat = server_app.satellite_manager.find(MAC)
            if not hasattr(sat, "fetch_config"):
                pytest.skip("this trixy-server has no Satellite.fetch_config()")
            detail = await open_detail(pilot, view)
            await pilot.press("f4")
            await pilot.pause()
            await kit.click(pilot, "#sat-fetch-config")
            editor = await kit.wait_for(lambda: detail.query("#sat-client-config-editor").first(), pilot)
            assert "audio.duck_gain" in editor.keys and "satellite.secret" not in editor.keys
            editor.set_text("audio.duck_gain", "zero")
            await kit.click(pilot, "#rcfg-save")
            assert "not a valid number" in detail.query_one("#rcfg-error").render().plain
            assert satellite.config.get("audio.duck_gain") == 0.2
            editor.set_text("audio.duck_gain", "0.35")
            await kit.click(pilot, "#rcfg-save")
            await kit.wait_for(lambda: satellite.config.get("audio.duck_gain") == 0.35, pilot)
            assert isinstance(satellite.config.get("audio.duck_gain"), float)
            editor.set_text("audio.duck_gain", "7")
            await kit.click(pilot, "#rcfg-save")
            assert "refused" in detail.status_message or "failed" in detail.status_message
            assert satellite.config.get("audio.duck_gain") == 0.35, "the satellite's validation refused 7"
        finally:
            await kit.disconnect_satellite(client, satellite)


async def test_buttons_without_a_selected_satellite_ask_for_one(server_app, kit):
    async with kit.make_tui(server_app).run_test(size=kit.SIZE) as pilot:
        view = await open_satellites(pilot)
        for button in ("#sat-open", "#sat-blacklist", "#sat-delete", "#sat-disconnect", "#sat-reconnect"):
            view.set_status("")
            await kit.click(pilot, button)
            assert view.status_message == "Select a satellite first.", button
