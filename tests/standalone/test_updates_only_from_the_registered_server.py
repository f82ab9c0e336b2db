"""A server that does not hold the satellite's secret cannot push anything: an impostor on the satellite's configured
address sends offers and chunks before and with a fake (unencrypted) accept; nothing is received or installed."""

from __future__ import annotations

import asyncio
import hashlib

from standalone_helpers import wait_for

from trixy_protocol import Accepted, Challenge, UpdateChunk, UpdateKind, UpdateOffer, encode_frame
from trixy_satellite.client import SatelliteClient
from trixy_satellite.config import ClientSettings
from trixy_satellite.updates import UpdateInstaller


async def test_an_impostor_server_cannot_push_an_update(tmp_path):
    data = b"malicious model"
    offer = UpdateOffer(update_id="evil1", kind=UpdateKind.WAKEWORD_MODEL, filename="evil.onnx", size=len(data),
                        sha256=hashlib.sha256(data).digest())
    chunk = UpdateChunk(update_id="evil1", index=0, offset=0, data=data, last=True)
    connections = 0

    async def impostor(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.read(65536)                                    # the satellite's hello
        for message in (offer, chunk, Challenge(nonce=b"\1" * 32)):
            writer.write(encode_frame(message))
        await reader.read(65536)                                    # the challenge response (useless to us)
        for message in (Accepted(satellite_id="sat-x", encrypted=False), offer, chunk):
            writer.write(encode_frame(message))                     # an accept not encrypted with the secret
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    server = await asyncio.start_server(impostor, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = SatelliteClient(ClientSettings(port=port, mac="aa:bb:cc:00:77:01", satellite_id="sat-x",
                                            secret=b"\2" * 32, retry_interval_s=5))
    installer = UpdateInstaller(client, tmp_path).attach()
    task = asyncio.get_running_loop().create_task(client.run())
    try:
        await wait_for(lambda: "not our server" in (client.last_error or ""), 10, "the fake accept to be refused")
    finally:
        await client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        server.close()
    assert connections == 1 and not client.connected
    assert installer.history == [] and not (tmp_path / ".trixy-updates").exists()
    assert not list(tmp_path.rglob("evil.onnx"))
