"""Server and client in one event loop over real loopback sockets (the subprocess tests live in tests/network)."""

import asyncio

import pytest

from trixy_protocol import WakeWordDetected
from trixy_satellite.client import SatelliteClient
from trixy_satellite.config import ClientSettings
from trixy_server.config import NetworkConfig
from trixy_server.network import NetworkServer


def fast_config(**kw) -> NetworkConfig:
    return NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0, audio_output_port=0,
                         music_port=0, ping_interval_s=0.2, dead_after_s=2.0, handshake_timeout_s=2.0, **kw)


@pytest.fixture
async def server(manager):
    srv = NetworkServer(manager, fast_config())
    await srv.start()
    yield srv
    await srv.stop()


def settings_for(server, mac="aa:bb:cc:00:00:01", **kw) -> ClientSettings:
    return ClientSettings(host="127.0.0.1", port=server.ports["command"], room="Kitchen", alias="Fridge", mac=mac,
                          retry_interval_s=0.1, connect_timeout_s=2.0, keepalive_s=0.2, dead_after_s=2.0, **kw)


async def start_client(settings):
    client = SatelliteClient(settings)
    task = asyncio.get_running_loop().create_task(client.run())
    return client, task


async def stop_client(client, task):
    await client.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_register_then_connect_and_stream_audio(server, manager):
    manager.enter_registration_mode()
    client, task = await start_client(settings_for(server))
    try:
        assert await client.wait_connected(5)
        sat = manager["mac = aa:bb:cc:00:00:01"][0]
        assert sat.room == "Kitchen" and sat.connected and client.satellite_id == sat.id
        assert not manager.registration_mode
        capture = server.capture(sat)
        assert client.send_audio(b"\x01\x00" * 800)
        pcm = await capture.wait_for(1600, 2.0)
        assert pcm == b"\x01\x00" * 800
        got = asyncio.get_running_loop().create_future()
        server.add_command_handler(WakeWordDetected, lambda s, c: got.set_result((s.id, c.wake_word_name)))
        client.send(WakeWordDetected(wake_word_id=0, wake_word_name="custom"))
        assert await asyncio.wait_for(got, 2) == (sat.id, "custom")
        for _ in range(50):
            if sat.rtt is not None:
                break
            await asyncio.sleep(0.05)
        assert sat.rtt is not None and sat.rtt < 1.0
        status = sat.status()
        assert status["streams"]["audio_in"]["received_total"] >= 1600
        assert status["streams"]["command"]["status"] == "open"
    finally:
        await stop_client(client, task)


async def test_unknown_satellite_is_denied_outside_registration_window(server, manager):
    client, task = await start_client(settings_for(server))
    try:
        for _ in range(100):
            if client.last_denial is not None:
                break
            await asyncio.sleep(0.02)
        assert client.last_denial is not None and client.last_denial.reason.value == "unknown_satellite"
        assert len(manager) == 0
    finally:
        await stop_client(client, task)


async def test_a_satellite_that_stops_reading_is_dropped_without_stalling_the_other(manager, tmp_path):
    from trixy_protocol import ErrorCommand

    srv = NetworkServer(manager, fast_config(write_timeout_s=0.5, send_queue_frames=16))
    await srv.start()
    manager.register("aa:bb:cc:00:00:01", "Kitchen", "Slow")
    manager.register("aa:bb:cc:00:00:02", "Hall", "Fast")
    clients = []
    try:
        for sat in manager:
            s = settings_for(srv, mac=sat.mac, satellite_id=sat.id, secret=sat.record.secret_bytes)
            clients.append(await start_client(s))
        for client, _ in clients:
            assert await client.wait_connected(5)
        slow, fast = manager[0], manager[1]
        clients[0][0]._conn.writer.transport.pause_reading()  # the slow satellite stops reading its socket
        big = ErrorCommand(code="flood", message="x" * 200_000)
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(40):
            if not slow.connected:
                break
            try:
                await slow.send(big)
            except Exception:
                break
            await asyncio.sleep(0.01)
        for _ in range(100):
            if not slow.connected:
                break
            await asyncio.sleep(0.05)
        assert not slow.connected, "the stuck satellite must be dropped"
        assert loop.time() - started < 4
        assert fast.connected
        rtt = fast.rtt
        for _ in range(40):
            if fast.rtt is not None and fast.rtt != rtt:
                break
            await asyncio.sleep(0.05)
        assert fast.rtt != rtt and fast.rtt < 0.5
    finally:
        for client, task in clients:
            await stop_client(client, task)
        await srv.stop()


async def test_say_music_stop_and_reconnect_reach_the_satellite(server, manager):
    import numpy as np

    from trixy_satellite.audio.format import SPEECH_FORMAT
    from trixy_satellite.audio.player import AudioPlayer
    from trixy_satellite.audio.sinks import NullSink

    sat = manager.register("aa:bb:cc:00:00:05", "Kitchen", "Speaker")
    speech = bytearray()
    player = AudioPlayer(NullSink(SPEECH_FORMAT))
    client = SatelliteClient(settings_for(server, mac=sat.mac, satellite_id=sat.id, secret=sat.record.secret_bytes),
                             player=player, speech_recorder=speech.extend)
    task = asyncio.get_running_loop().create_task(client.run())
    try:
        assert await client.wait_connected(5)
        manager.speech_synthesizer = lambda text: b"\x10\x00" * (160 * len(text))
        await sat.say("hello")
        for _ in range(50):
            if len(speech) >= 1600:
                break
            await asyncio.sleep(0.02)
        assert bytes(speech) == b"\x10\x00" * 800
        music = np.full(48000 * 2 * 4, 1000, dtype="<i2").tobytes()  # 4 s of 48 kHz stereo
        playing = sat.play_music(music)
        for _ in range(50):
            if len(player.music) > 0:
                break
            await asyncio.sleep(0.02)
        assert len(player.music) > 0
        await sat.stop_music()
        assert await playing is False  # the rest was dropped on the server side
        await asyncio.sleep(0.1)
        assert len(player.music) == 0
        assert sat.streams["music_out"].traffic.sent_total < len(music)
        await sat.reconnect()
        for _ in range(100):
            if client.connections == 2 and client.connected:
                break
            await asyncio.sleep(0.02)
        assert client.connections == 2 and sat.connected
    finally:
        await stop_client(client, task)
