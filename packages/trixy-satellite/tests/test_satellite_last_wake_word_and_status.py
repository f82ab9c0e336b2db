"""The satellite remembers its last wake word (detected or triggered by hand) and reports it, with the models in use,
in its `SatelliteStatus`; the server's `Satellite.trigger_wake_word()` takes the same path as a detection."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from satellite_test_doubles import LOUD, QUIET, FakeClient

from trixy_core.application import create_application
from trixy_protocol import SatelliteStatus, StandDown, StartStreaming, TriggerWakeWord, WakeWordDetected
from trixy_satellite.recorder import ConversationRecorder

REPO = Path(__file__).resolve().parents[3]


def test_detection_and_trigger_by_hand_are_recorded_with_speaker_score_and_flags():
    client = FakeClient()
    recorder = ConversationRecorder(client)
    seen = []
    recorder.on_wake_word.append(seen.append)
    assert recorder.last_wake_word is None
    recorder.feed(LOUD)
    before = time.time()
    assert recorder.wake_word_detected(0, "trixy", score=0.87, speaker_id=2, speaker_name="Peter", speaker_score=0.71)
    last = recorder.last_wake_word
    assert (last.wake_word_id, last.wake_word_name, last.score) == (0, "trixy", 0.87)
    assert (last.speaker_id, last.speaker_name, last.speaker_score) == (2, "Peter", 0.71)
    assert not last.system_command and not last.triggered_by_hand and before - 1 <= last.timestamp <= time.time()
    [sent] = [c for c in client.sent if isinstance(c, WakeWordDetected)]
    assert sent.speaker_score == 0.71 and sent.timestamp_us == int(last.timestamp * 1_000_000)
    assert seen == [last]

    assert not recorder.trigger_wake_word("system_command"), "busy: waiting for the server's selection"
    assert recorder.last_wake_word is last
    client.fire(StandDown(reason="louder elsewhere"))
    recorder.identify_speaker = lambda: (1, "Johannes", 0.9)
    client.fire(TriggerWakeWord(wake_word_name="system_command"))  # the server's trigger: same path, by hand
    last = recorder.last_wake_word
    assert (last.wake_word_id, last.wake_word_name, last.score) == (1, "system_command", 1.0)
    assert last.system_command and last.triggered_by_hand and (last.speaker_id, last.speaker_score) == (1, 0.9)
    assert last.as_dict()["triggered_by_hand"] is True and len(seen) == 2

    client.fire(StartStreaming(conversation_id="c1", silence_s=0.04, max_duration_s=5))
    for _ in range(3):
        recorder.feed(QUIET)
    client.connected = False
    assert not recorder.trigger_wake_word(), "not connected: nothing is reported or recorded"
    assert recorder.last_wake_word is last


def test_status_merges_provider_fields_and_survives_a_broken_provider(tmp_path):
    import trixy_satellite.config  # noqa: F401 - the client sections
    from trixy_satellite.client import SatelliteClient
    from trixy_satellite.config import ClientSettings

    config = create_application("client", root=tmp_path, setup_logging=False,
                                 overrides={"satellite.mac": "aa:bb:cc:00:00:31"}).config
    client = SatelliteClient(ClientSettings.from_config(config))
    client.status_providers.append(lambda: {"wakeword_model": "trixy.onnx", "extra": {"a": 1}})
    client.status_providers.append(lambda: 1 / 0)
    status = client.status()
    assert isinstance(status, SatelliteStatus)
    assert status.wakeword_model == "trixy.onnx" and status.extra == {"a": 1} and status.version


@pytest.fixture
async def server_and_satellite(tmp_path):
    """A real server (loopback sockets, port 0) and a real SatelliteApp with the shipped ONNX models."""
    pytest.importorskip("trixy_server.component", reason="trixy-server is not installed")
    import trixy_satellite.config  # noqa: F401 - the client sections
    from trixy_satellite.app import SatelliteApp
    from trixy_server.component import SatelliteNetwork

    wakeword, voice = REPO / "models" / "wakeword" / "trixy", REPO / "models" / "voice_recognition" / "default"
    if not list(wakeword.glob("*.onnx")) or not list(voice.glob("*.onnx")):
        pytest.skip("the shipped models are missing")
    server = create_application("server", root=tmp_path / "server", setup_logging=False, overrides={
        "network.bind_address": "127.0.0.1", "network.command_port": 0, "network.audio_input_port": 0,
        "network.audio_output_port": 0, "network.music_port": 0, "network.ping_interval_s": 0.2,
        "network.dead_after_s": 3.0, "network.handshake_timeout_s": 2.0})
    SatelliteNetwork.from_application(server)
    await server.start()
    server.satellite_manager.enter_registration_mode()
    root = tmp_path / "satellite"
    client_app = create_application("client", root=root, setup_logging=False, overrides={
        "server.host": "127.0.0.1", "server.port": server.network.ports["command"], "server.retry_interval_s": 0.1,
        "server.keepalive_s": 0.2, "satellite.mac": "aa:bb:cc:00:00:32", "audio.input": "silence",
        "audio.output": "null", "models.wakeword": str(wakeword), "models.voice_recognition": str(voice)})
    satellite = SatelliteApp(client_app.config, root=root)
    await satellite.start()
    assert await satellite.client.wait_connected(5)
    try:
        yield server, satellite
    finally:
        await satellite.stop()
        await server.stop()


async def test_server_trigger_reaches_the_satellite_and_its_status_names_models_and_last_wake_word(
    server_and_satellite,
):
    server, satellite = server_and_satellite
    sat = server.satellite_manager.find("aa:bb:cc:00:00:32")
    status = await sat.refresh_status()
    assert status.wakeword_model.startswith("trixy.onnx (oww-embedding, trained ")
    assert status.voice_model.startswith("default.onnx (ge2e_fusion, trained ")
    assert status.last_wake_word_us is None and satellite.last_wake_word is None

    await sat.trigger_wake_word("custom")
    for _ in range(100):
        if satellite.last_wake_word is not None:
            break
        await asyncio.sleep(0.02)
    last = satellite.last_wake_word
    assert last is not None and last.triggered_by_hand and last.wake_word_name == "custom" and last.score == 1.0
    status = await sat.refresh_status()
    assert status.last_wake_word == "custom" and status.last_wake_word_us == int(last.timestamp * 1_000_000)
    assert status.extra["last_wake_word"]["triggered_by_hand"] is True
    assert sat.last_status.last_wake_word == "custom"
