"""The client TUI (a real satellite application connected to a real in-process server) and the standalone TUI."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from trixy_core.application import create_application
from trixy_tui.screens.config import ConfigView
from trixy_tui.screens.general import ClientGeneralView, ServerGeneralView
from trixy_tui.screens.logs import LogsView
from trixy_tui.screens.wakeword import WakewordView
from trixy_tui.widgets import ConfigEditor, InfoTable


@pytest.fixture
async def client_pair(server_app, trixy_root, kit, monkeypatch):
    """A started server and a client application (not started: the TUI starts it) pointing at it."""
    pytest.importorskip("trixy_satellite.app", reason="trixy-satellite is not installed")
    import trixy_satellite.config  # noqa: F401 - registers the client's config sections
    from trixy_satellite.app import SatelliteApp

    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "trixy-test")
    kit.write_model(trixy_root / "models" / "wakeword" / "trixy" / "trixy.pth", sample_rate=16000,
                    technology="repcnn", classes=["custom", "system_command", "none"], threshold=0.75,
                    name="trixy", description="Trixy wake word")
    kit.write_model(trixy_root / "models" / "voice_recognition" / "default" / "speakers.pth", sample_rate=16000,
                    technology="ecapa_tdnn", num_speaker=2, speaker001="Johannes", speaker002="Peter")
    await server_app.start()
    server_app.satellite_manager.enter_registration_mode()
    port = server_app.network.ports["command"]
    client = create_application("client", root=trixy_root, overrides={
        "server.port": port, "server.retry_interval_s": 0.1, "server.keepalive_s": 0.2,
        "satellite.mac": "aa:bb:cc:00:00:09", "satellite.room": "Office", "satellite.alias": "Desk",
        "audio.input": "silence", "audio.output": "null"})
    client.register("satellite", SatelliteApp(client.config, root=trixy_root))
    yield server_app, client
    await server_app.stop()


async def test_client_views_general_config_and_wakeword_trigger(client_pair, kit):
    server_app, client_app = client_pair
    tui = kit.make_tui(client_app, "client")
    async with tui.run_test(size=kit.SIZE) as pilot:
        assert tui.title == "Trixy Client"
        assert isinstance(tui.screen, ClientGeneralView)
        satellite = client_app.satellite
        assert await satellite.client.wait_connected(5)
        tui.screen.refresh_view()
        info = tui.screen.query_one("#general-info", InfoTable).values
        port = server_app.network.ports["command"]
        assert info["Server"] == f"127.0.0.1:{port}" and info["Command socket port"] == str(port)
        assert info["Connection"] == "connected" and info["Hostname"] == kit.HOST.hostname
        assert info["Up-time"] == "1h 02m 03s" and info["Satellite id"] != "not available"

        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(tui.screen, ConfigView)
        editor = tui.screen.query_one(ConfigEditor)
        assert "server.host" in editor.fields and "audio.duck_gain" in editor.fields
        before = client_app.config.path.read_bytes()
        editor.set_text("audio.duck_gain", "2.5")
        await kit.click(pilot, "#config-save")
        assert "at most" in editor.errors["audio.duck_gain"]
        assert client_app.config.path.read_bytes() == before

        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(tui.screen, WakewordView)
        model = tui.screen.query_one("#ww-model", InfoTable).values
        assert model["Model file"] == "models/wakeword/trixy/trixy.pth"
        assert model["Technology"] == "repcnn" and model["Threshold"] == "0.75" and model["Name"] == "trixy"
        voice = tui.screen.query_one("#ww-voice", InfoTable).values
        assert voice["Speakers"] == "Johannes, Peter" and voice["Num speaker"] == "2"
        last = tui.screen.query_one("#ww-last", InfoTable).values
        assert "Last wake word" in last or "Wake word" in last
        sat = server_app.satellite_manager.find("aa:bb:cc:00:00:09")
        await kit.click(pilot, "#ww-trigger")
        assert satellite.recorder.state in ("waiting", "streaming"), tui.screen.status_message
        assert "refused" not in tui.screen.status_message
        assert sat is not None and sat.connected
        assert last.get("Last wake word") == "never", "the satellite records wake words: none yet"
        tui.screen.refresh_view()
        last = tui.screen.query_one("#ww-last", InfoTable).values
        assert last["Wake word"] == "custom (id 0)" and last["Kind"] == "custom"
        assert last["Triggered"] == "by hand" and last["Score"] == "1.00" and last["When"] != "never"
        assert last["Speaker"].startswith("unknown (id ?)")
        await kit.wait_for(lambda: sat.last_status is not None and sat.last_status.last_wake_word == "custom", pilot)
        assert sat.last_status.extra["last_wake_word"]["triggered_by_hand"] is True

        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(tui.screen, LogsView)
        await pilot.press("f4")  # not a client view: nothing happens
        await pilot.pause()
        assert isinstance(tui.screen, LogsView)


async def test_standalone_has_server_views_plus_wakeword(trixy_root, kit):
    application = create_application("standalone", root=trixy_root)
    tui = kit.make_tui(application, "standalone")
    async with tui.run_test(size=kit.SIZE) as pilot:
        assert tui.title == "Trixy Standalone"
        assert isinstance(tui.screen, ServerGeneralView)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(tui.screen, WakewordView)
        values = tui.screen.query_one("#ww-last", InfoTable).values
        assert "not available" in values["Last wake word"]
        await kit.click(pilot, "#ww-trigger")
        assert "not available" in tui.screen.status_message


async def test_application_that_fails_to_start_exits_with_status_1(trixy_root, kit):
    application = create_application("server", root=trixy_root)

    class Exploding:
        def start(self):
            raise RuntimeError("port 2101 is in use")

    application.register("exploding", Exploding())
    tui = kit.make_tui(application)
    async with tui.run_test(size=kit.SIZE) as pilot:
        await pilot.pause()
    assert tui.return_code == 1 and "port 2101 is in use" in tui.startup_error
    assert not application.running
    application.logging.close()


async def test_request_stop_from_the_application_ends_the_tui(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=kit.SIZE) as pilot:
        await pilot.pause()
        assert core_app.running
        core_app.request_stop()
        await kit.wait_for(lambda: not core_app.running, pilot)
        await kit.wait_for(lambda: not tui.is_running, pilot)
    assert tui.return_code == 0


async def test_real_standalone_composition_shows_its_local_satellite(trixy_root, kit):
    compose = pytest.importorskip("trixy_standalone.compose", reason="trixy-standalone is not installed")
    application = compose.build_standalone(str(trixy_root), None, [
        "standalone.input=silence", "standalone.output=null", "sync.enabled=false"], pipeline=False)
    tui = kit.make_tui(application, "standalone")
    async with tui.run_test(size=kit.SIZE) as pilot:
        general = tui.screen.query_one("#general-info", InfoTable)
        await kit.wait_for(lambda: tui.screen.refresh_view() or general.values["Satellites"].startswith("1 connected"),
                           pilot, 10)
        await pilot.press("f7")
        await pilot.pause()
        view = tui.screen
        assert isinstance(view, WakewordView)
        assert "not available" in view.query_one("#ww-model", InfoTable).values["Model"], "no model in this root"
        await kit.click(pilot, "#ww-trigger")
        assert view.status_message == "Trigger wake word: done", view.status_message  # not "refused"


async def test_kept_detections_are_listed_and_sorted_into_the_trainer_folders(server_app, trixy_root, kit, monkeypatch):
    """A client with `audio.keep_detections`: the Wakeword view lists what the real DetectionKeeper wrote, newest
    first, and its buttons move the selected file into the trainer's raw folders."""
    pytest.importorskip("trixy_satellite.app", reason="trixy-satellite is not installed")
    import numpy as np

    import trixy_satellite.config  # noqa: F401 - registers the client's config sections
    from trixy_satellite.app import SatelliteApp

    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "trixy-test")
    await server_app.start()
    client = create_application("client", root=trixy_root, overrides={
        "server.port": server_app.network.ports["command"], "satellite.mac": "aa:bb:cc:00:00:0a",
        "audio.input": "silence", "audio.output": "null", "audio.keep_detections": "kept"})
    satellite = SatelliteApp(client.config, root=trixy_root)
    client.register("satellite", satellite)
    keeper = satellite.detection_keeper
    assert keeper is not None and keeper.folder == trixy_root / "kept"
    for name, score in (("trixy", 0.93), ("trixy", 0.97), ("system_command", 0.64), ("trixy", 0.61)):
        keeper.feed(np.full(3200, 100, "<i2").tobytes())
        keeper.detected(name, score, near_miss=score == 0.61)  # the last one scored 0.61 and did not fire
        keeper.feed(np.full(8000, 100, "<i2").tobytes())  # the 0.5 s after the detection: the file is written
        await asyncio.sleep(0.002)  # file names hold the time to the millisecond
    tui = kit.make_tui(client, "client")
    try:
        async with tui.run_test(size=kit.SIZE) as pilot:
            await pilot.press("f3")
            await pilot.pause()
            view = tui.screen
            assert isinstance(view, WakewordView)
            info = view.query_one("#ww-kept-info", InfoTable).values
            assert info["Files"] == "4" and info["Folder"] == str(trixy_root / "kept")
            assert info["Sorted into"].startswith(str(trixy_root / "trainer" / "data" / "wakeword" / "raw"))
            table = view.query_one("#ww-kept", DataTable)
            assert [table.get_row_at(i)[1:4] for i in range(4)] == [
                ["trixy", "0.610", "near miss"], ["system_command", "0.640", "detection"],
                ["trixy", "0.970", "detection"], ["trixy", "0.930", "detection"]]
            table.focus()
            table.move_cursor(row=0)
            await kit.click(pilot, "#ww-kept-wake")  # a near miss that was the wake word: the model should learn it
            raw = trixy_root / "trainer" / "data" / "wakeword" / "raw"
            assert [p.name.endswith("_0.610_near.wav") for p in (raw / "custom").glob("*.wav")] == [True]
            assert "moved to" in view.status_message
            table.move_cursor(row=1)
            await kit.click(pilot, "#ww-kept-wake")
            assert len(list((raw / "custom").glob("*.wav"))) == 2
            assert view.query_one("#ww-kept", DataTable).row_count == 2
            table.move_cursor(row=0)
            await kit.click(pilot, "#ww-kept-false")
            assert [p.name.startswith("system_command_") for p in (raw / "negative").glob("*.wav")] == [True]
            assert view.query_one("#ww-kept-info", InfoTable).values["Files"] == "1"
    finally:
        await server_app.stop()
