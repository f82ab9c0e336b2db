"""Audio sockets with real satellite processes: microphone audio lands at the right satellite's stream, speech goes
only to the satellite it was meant for, a forged audio handshake is refused, selectors pick the right ones."""

import asyncio
import wave

import numpy as np

from trixy_protocol import (
    AudioStream,
    FrameDecoder,
    RecordingDone,
    StartStreaming,
    StreamAccepted,
    StreamDenied,
    StreamHello,
    encode_frame,
)


async def two_satellites(network, tools):
    a_wav = tools.write_tone(tools.tmp_path / "a.wav", 440, 30)
    b_wav = tools.write_tone(tools.tmp_path / "b.wav", 880, 30)
    a = tools.satellite(network, "a", "aa:bb:cc:00:02:01", "Kitchen", registered=True, wav=a_wav,
                        record=tools.tmp_path / "a_speech.wav")
    b = tools.satellite(network, "b", "aa:bb:cc:00:02:02", "Hall", registered=True, wav=b_wav,
                        record=tools.tmp_path / "b_speech.wav")
    manager = network.manager
    await tools.async_wait_until(lambda: len(manager.connected) == 2, 20, "both satellites to connect")
    sat_a, sat_b = manager.get("aa:bb:cc:00:02:01"), manager.get("aa:bb:cc:00:02:02")
    session_a = network.server.sessions[sat_a.mac]
    await tools.async_wait_until(lambda: len(session_a.streams) == 3 and
                                 len(network.server.sessions[sat_b.mac].streams) == 3, 10, "audio sockets")
    return a, b, sat_a, sat_b


async def test_microphone_audio_arrives_on_the_stream_of_the_satellite_that_sent_it(network, tools):
    _, _, sat_a, sat_b = await two_satellites(network, tools)
    done: dict[str, RecordingDone] = {}
    network.server.add_command_handler(RecordingDone, lambda sat, cmd: done.__setitem__(sat.id, cmd))
    cap_a, cap_b = network.server.capture(sat_a), network.server.capture(sat_b)
    sat_a.send(StartStreaming(conversation_id="conv-a", send_buffer=False, max_duration_s=0.6))
    await tools.async_wait_until(lambda: sat_a.id in done, 10, "RecordingDone from A")
    assert done[sat_a.id].conversation_id == "conv-a" and done[sat_a.id].reason.value == "timeout"
    pcm = await cap_a.wait_for(done[sat_a.id].audio_bytes)
    assert len(pcm) == done[sat_a.id].audio_bytes >= 16000
    assert abs(tools.dominant_hz(pcm) - 440) < 5
    assert len(cap_b) == 0 and sat_b.id not in done
    sat_b.send(StartStreaming(conversation_id="conv-b", send_buffer=False, max_duration_s=0.4))
    await tools.async_wait_until(lambda: sat_b.id in done, 10, "RecordingDone from B")
    pcm_b = await cap_b.wait_for(done[sat_b.id].audio_bytes)
    assert abs(tools.dominant_hz(pcm_b) - 880) < 5
    assert sat_a.streams["audio_in"].traffic.received_total == len(cap_a)


async def test_speech_is_played_only_by_the_satellite_it_was_sent_to(network, tools):
    _, _, sat_a, sat_b = await two_satellites(network, tools)
    t = np.arange(8000) / 16000
    tone = (10000 * np.sin(2 * np.pi * 660 * t)).astype("<i2").tobytes()
    assert await sat_a.play(tone) is True
    path = tools.tmp_path / "a_speech.wav"

    def frames(p):
        with wave.open(str(p)) as wav:
            return wav.readframes(wav.getnframes())

    await tools.async_wait_until(lambda: len(frames(path)) >= len(tone), 10, "speech at satellite A")
    assert abs(tools.dominant_hz(frames(path)) - 660) < 5
    assert frames(tools.tmp_path / "b_speech.wav") == b""
    assert sat_a.streams["tts_out"].traffic.sent_total == len(tone)


async def test_forged_audio_handshakes_are_refused_and_the_real_stream_keeps_working(network, tools):
    _, _, sat_a, _ = await two_satellites(network, tools)
    ports = network.server.ports

    async def hello(port, message):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(encode_frame(message))
        decoder = FrameDecoder()
        events = []
        while not events:
            data = await asyncio.wait_for(reader.read(4096), 5)
            if not data:
                break
            events = decoder.feed(data)
        rest = await asyncio.wait_for(reader.read(4096), 5) if events else b""
        writer.close()
        return events, rest

    forged = StreamHello(satellite_id=sat_a.id, stream=AudioStream.INPUT, token=b"x" * 24)
    events, rest = await hello(ports["input"], forged)
    assert isinstance(events[0].message, StreamDenied) and "token" in events[0].message.reason and rest == b""
    wrong_port = StreamHello(satellite_id=sat_a.id, stream=AudioStream.MUSIC, token=b"x" * 24)
    events, _ = await hello(ports["input"], wrong_port)
    assert isinstance(events[0].message, StreamDenied) and "music" in events[0].message.reason
    assert not any(isinstance(e.message, StreamAccepted) for e in events)
    done = asyncio.get_running_loop().create_future()
    network.server.add_command_handler(RecordingDone, lambda s, c: done.done() or done.set_result(c))
    capture = network.server.capture(sat_a)
    sat_a.send(StartStreaming(conversation_id="after", send_buffer=False, max_duration_s=0.3))
    result = await asyncio.wait_for(done, 10)
    assert abs(tools.dominant_hz(await capture.wait_for(result.audio_bytes)) - 440) < 5


async def test_selectors_pick_real_connected_satellites(network, tools):
    _, b_proc, sat_a, sat_b = await two_satellites(network, tools)
    manager = network.manager
    assert list(manager["status = connected, room = kitchen"]) == [sat_a]
    assert set(manager["STATUS = Connected"]) == {sat_a, sat_b}
    results = manager["room = kitchen|hall"].stop_audio()
    await asyncio.gather(*results)
    assert results.ok
    b_proc.stop()
    await tools.async_wait_until(lambda: not sat_b.connected, 10, "B to disconnect")
    assert list(manager["status = disconnected"]) == [sat_b]
    assert manager["room = hall"].stop_audio().errors
