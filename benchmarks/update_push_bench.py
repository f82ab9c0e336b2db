"""Update push benchmark: a file pushed from the server to a satellite over the real encrypted TRXI connection.

Server: the real `SatelliteNetwork` + `UpdatePusher`; satellite: a real `SatelliteClient` + `UpdateInstaller` (no
validators, so the figure is transfer + SHA-256 + staging + atomic install). All on loopback in one process.
Baseline in the same run: the same bytes through a bare asyncio loopback socket (no framing, no crypto, no disk).

    .venv/bin/python benchmarks/update_push_bench.py            # 1, 8 and 32 MiB
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path


async def bare_socket_mb_s(data: bytes) -> float:
    received = asyncio.Event()
    total = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal total
        while chunk := await reader.read(1 << 20):
            total += len(chunk)
            if total >= len(data):
                received.set()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.perf_counter()
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    await received.wait()
    elapsed = time.perf_counter() - started
    writer.close()
    server.close()
    return len(data) / elapsed / 1e6


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    from trixy_protocol import UpdateKind
    from trixy_satellite.client import SatelliteClient
    from trixy_satellite.config import ClientSettings
    from trixy_satellite.updates import UpdateInstaller, UpdateSettings
    from trixy_server.component import SatelliteNetwork
    from trixy_server.config import NetworkConfig
    from trixy_server.updates import PushSettings, UpdatePusher

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        network = SatelliteNetwork(NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                                 audio_output_port=0, music_port=0), root / "server")
        await network.start()
        record = network.manager.register("aa:bb:cc:00:99:01", "Bench", "bench").record
        pusher = UpdatePusher(PushSettings.for_root(root / "server"))
        client = SatelliteClient(ClientSettings(port=network.ports["command"], mac=record.mac,
                                                satellite_id=record.id, secret=record.secret_bytes))
        UpdateInstaller(client, root / "sat", UpdateSettings(voice_folder="models/voice")).attach()
        task = asyncio.get_running_loop().create_task(client.run())
        await client.wait_connected(10)
        satellite = network.manager.get(record.mac)
        for mib in (1, 8, 32):
            data = os.urandom(mib << 20)
            baseline = await bare_socket_mb_s(data)
            started = time.perf_counter()
            await pusher.push_bytes(satellite, UpdateKind.VOICE_MODEL, "bench.onnx", data)
            push = len(data) / (time.perf_counter() - started) / 1e6
            print(f"push {mib:2d} MiB update (encrypted, multipart, sha256, atomic install): {push:7.1f} MB/s "
                  f"(bare loopback socket: {baseline:8.1f} MB/s, ratio {baseline / push:5.1f})")
        await client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await network.stop()


if __name__ == "__main__":
    asyncio.run(main())
