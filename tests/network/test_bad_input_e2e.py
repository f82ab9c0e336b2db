"""Hostile or broken peers on every port get an error or a closed socket; a real satellite is not disturbed."""

import asyncio
import struct

import pytest

from trixy_protocol import ErrorCommand, FrameDecoder, Hello, RecordingDone, StartStreaming, encode_frame
from trixy_server.component import SatelliteNetwork

HANDSHAKE_S = 1.0


@pytest.fixture
async def strict_network(tmp_path, tools):
    net = SatelliteNetwork(tools.fast_network_config(handshake_timeout_s=HANDSHAKE_S), tmp_path / "server")
    await net.start()
    yield net
    await net.stop()


def hello_frame() -> bytes:
    return encode_frame(Hello(mac="aa:bb:cc:00:04:99", room="x"))


def huge_payload_frame() -> bytes:
    frame = bytearray(hello_frame())
    name_len = struct.unpack_from(">I", frame, 44)[0]
    struct.pack_into(">I", frame, 48 + name_len, 0xFFFFFFF0)
    return bytes(frame)


def huge_name_frame() -> bytes:
    frame = bytearray(hello_frame())
    struct.pack_into(">I", frame, 44, 0xFFFFFFF0)
    return bytes(frame[:60])


BAD_INPUTS = {
    "garbage": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)) * 4,
    "half frame": hello_frame()[:40],
    "huge payload length": huge_payload_frame(),
    "huge class-name length": huge_name_frame(),
    "zeros": b"\x00" * 5000,
}


async def send_and_wait_close(port: int, data: bytes, *, trickle: float = 0.0) -> tuple[float, bytes]:
    """Send `data` (byte by byte every `trickle` s when set); return (seconds until the server closed, bytes got)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()

    async def read_all():
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            received.extend(chunk)

    reading = loop.create_task(read_all())
    try:
        if trickle:
            for byte in data:
                if reading.done():
                    break
                writer.write(bytes([byte]))
                await asyncio.sleep(trickle)
        else:
            writer.write(data)
        await asyncio.wait_for(reading, HANDSHAKE_S + 6)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
    return loop.time() - start, bytes(received)


async def connected_satellite(network, tools):
    wav = tools.write_tone(tools.tmp_path / "a.wav", 440, 30)
    tools.satellite(network, "sat", "aa:bb:cc:00:04:01", "Lab", registered=True, wav=wav)
    await tools.async_wait_until(lambda: len(network.manager.connected) == 1, 20, "the satellite to connect")
    sat = network.manager[0]
    await tools.async_wait_until(lambda: len(network.server.sessions[sat.mac].streams) == 3, 10, "audio sockets")
    return sat


async def test_bad_bytes_on_every_port_close_the_socket_and_leave_the_satellite_alone(strict_network, tools):
    network = strict_network
    sat = await connected_satellite(network, tools)
    since = sat.connected_since
    for port_name in ("command", "input", "output", "music"):
        port = network.ports[port_name]
        results = await asyncio.gather(*(send_and_wait_close(port, data) for data in BAD_INPUTS.values()))
        for (elapsed, received), name in zip(results, BAD_INPUTS, strict=True):
            assert elapsed < HANDSHAKE_S + 4, f"{port_name} port, {name}: socket not closed in time"
            if port_name == "command" and name == "garbage":
                events = FrameDecoder().feed(received)
                assert isinstance(events[0].message, ErrorCommand) and events[0].message.code == "bad_magic"
    # the real satellite never noticed: same connection, audio still flows, keep-alive still answered
    assert sat.connected and sat.connected_since == since
    rtt_before = sat.rtt
    done = asyncio.get_running_loop().create_future()
    network.server.add_command_handler(RecordingDone, lambda s, c: done.done() or done.set_result(c))
    capture = network.server.capture(sat)
    sat.send(StartStreaming(conversation_id="still-fine", send_buffer=False, max_duration_s=0.2))
    result = await asyncio.wait_for(done, 10)
    assert len(await capture.wait_for(result.audio_bytes)) == result.audio_bytes > 0
    await tools.async_wait_until(lambda: sat.rtt is not None and sat.rtt != rtt_before, 5, "a fresh RTT")


async def test_slowloris_is_cut_off_at_the_handshake_timeout(strict_network):
    ports = strict_network.ports
    results = await asyncio.gather(
        send_and_wait_close(ports["command"], hello_frame(), trickle=0.05),
        send_and_wait_close(ports["input"], hello_frame(), trickle=0.05),
    )
    for elapsed, _ in results:
        assert HANDSHAKE_S - 0.2 <= elapsed < HANDSHAKE_S + 4


async def test_many_junk_connections_at_once_are_all_closed(strict_network, tools):
    sat = await connected_satellite(strict_network, tools)
    ports = list(strict_network.ports.values())
    jobs = [send_and_wait_close(ports[i % 4], BAD_INPUTS["garbage"][: 10 + i]) for i in range(60)]
    results = await asyncio.gather(*jobs)
    assert all(elapsed < HANDSHAKE_S + 4 for elapsed, _ in results)
    assert sat.connected
