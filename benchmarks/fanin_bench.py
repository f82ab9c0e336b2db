"""Fan-in benchmark: N simulated satellites stream 16 kHz mono audio in real time to the server on loopback.

The satellites (real `SatelliteClient`s: hello, challenge, encrypted accept, three audio sockets) run in a separate
process, so the CPU figure is the server's alone. Each 20 ms chunk carries its send time in its first 8 bytes; the
server-side listener takes arrival - send as the chunk's delay. Baseline, same run, same load: a bare asyncio
Protocol that only receives the bytes (no handshake, no sessions, no statistics).

    .venv/bin/python benchmarks/fanin_bench.py            # N = 10, 50, 200; 8 s each
    .venv/bin/python benchmarks/fanin_bench.py --n 200 --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK_MS = 20
CHUNK_BYTES = 16000 * 2 * CHUNK_MS // 1000
STAMP = struct.Struct("<d")


# -- measuring side ----------------------------------------------------------------------------------------------
class DelayMeter:
    """Cuts each connection's byte stream into chunks and records arrival - send time."""

    def __init__(self) -> None:
        self.partial: dict[object, bytearray] = {}
        self.worst = 0.0
        self.delays: list[float] = []
        self.chunks = 0
        self.measuring = False

    def feed(self, key: object, data: bytes) -> None:
        buf = self.partial.get(key)
        if buf is None:
            buf = self.partial[key] = bytearray()
        buf += data
        if len(buf) < CHUNK_BYTES:
            return
        now = time.time()
        n = len(buf) // CHUNK_BYTES
        if self.measuring:
            for i in range(n):
                delay = now - STAMP.unpack_from(buf, i * CHUNK_BYTES)[0]
                self.delays.append(delay)
                if delay > self.worst:
                    self.worst = delay
            self.chunks += n
        del buf[: n * CHUNK_BYTES]


async def measure(meter: DelayMeter, client: subprocess.Popen, seconds: float) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, client.stdout.readline)
    if not line.startswith(b"ready"):
        raise RuntimeError(f"client process failed: {line!r}")
    await asyncio.sleep(1.0)  # warm-up: connections settled, buffers primed
    meter.measuring = True
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    meter.measuring = False
    client.stdin.write(b"stop\n")
    client.stdin.flush()
    report = json.loads((await loop.run_in_executor(None, client.stdout.readline)) or b"{}")
    client.wait(10)
    delays = sorted(meter.delays) or [0.0]
    return {
        "cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0),
        "worst_ms": 1000 * meter.worst,
        "p99_ms": 1000 * delays[int(0.99 * (len(delays) - 1))],
        "chunks": meter.chunks,
        "client_late_ms": report.get("worst_late_ms", 0.0),
        "dropped": report.get("dropped", 0),
    }


def spawn_client(mode: str, port: int, n: int, creds: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--client", mode, "--port", str(port), "--n", str(n),
                             "--creds", creds], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


async def run_trixy(n: int, seconds: float) -> dict[str, float]:
    from trixy_server.config import NetworkConfig
    from trixy_server.manager import SatelliteManager
    from trixy_server.network import NetworkServer
    from trixy_server.registry import SatelliteRegistry

    with tempfile.TemporaryDirectory() as tmp:
        registry = SatelliteRegistry(Path(tmp) / "satellites")
        creds = []
        for i in range(n):
            record = registry.register(f"02:00:00:00:{i // 256:02x}:{i % 256:02x}", "bench", f"sat{i}")
            creds.append([record.mac, record.id, record.secret])
        creds_path = Path(tmp) / "creds.json"
        creds_path.write_text(json.dumps(creds))
        manager = SatelliteManager(registry)
        config = NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0, audio_output_port=0,
                               music_port=0, max_pending_per_address=4 * n + 10)
        server = NetworkServer(manager, config)
        meter = DelayMeter()
        server.add_audio_listener(lambda sat, data: meter.feed(sat.mac, data))
        await server.start()
        client = spawn_client("trixy", server.ports["command"], n, str(creds_path))
        try:
            result = await measure(meter, client, seconds)
            result["connected"] = len(manager.connected)
        finally:
            client.kill()
            await server.stop()
        return result


async def run_baseline(n: int, seconds: float) -> dict[str, float]:
    meter = DelayMeter()

    class Sink(asyncio.Protocol):
        def connection_made(self, transport):
            self.key = object()

        def data_received(self, data):
            meter.feed(self.key, data)

    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", 0)
    client = spawn_client("raw", server.sockets[0].getsockname()[1], n, "")
    try:
        return await measure(meter, client, seconds)
    finally:
        client.kill()
        server.close()


# -- simulated satellites (the other process) --------------------------------------------------------------------
async def client_main(mode: str, port: int, n: int, creds_path: str) -> None:
    loop = asyncio.get_running_loop()
    senders = []
    clients = []
    if mode == "trixy":
        from trixy_satellite.client import SatelliteClient
        from trixy_satellite.config import ClientSettings

        creds = json.loads(Path(creds_path).read_bytes())  # noqa: ASYNC240 - tiny file, before any I/O starts
        for mac, sid, secret in creds:
            settings = ClientSettings(host="127.0.0.1", port=port, mac=mac, satellite_id=sid,
                                      secret=bytes.fromhex(secret), room="bench", alias=sid, retry_interval_s=1.0)
            client = SatelliteClient(settings)
            clients.append((client, loop.create_task(client.run())))
        await asyncio.gather(*(c.wait_connected(60) for c, _ in clients))
        senders = [c.send_audio for c, _ in clients]
    else:
        for _ in range(n):
            _, writer = await asyncio.open_connection("127.0.0.1", port)

            def send(pcm: bytes, w=writer) -> bool:
                w.write(pcm)
                return True

            senders.append(send)
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.flush()
    body = bytes(CHUNK_BYTES - STAMP.size)
    stop = loop.create_future()
    loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or stop.set_result(True))
    start = time.perf_counter()
    tick = 0
    worst_late = 0.0
    dropped = 0
    while not stop.done():
        due = start + tick * CHUNK_MS / 1000
        late = time.perf_counter() - due
        if late < 0:
            await asyncio.sleep(-late)
            continue
        if tick > 100:
            worst_late = max(worst_late, late)
        for send in senders:
            if not send(STAMP.pack(time.time()) + body):
                dropped += 1
        tick += 1
        await asyncio.sleep(0)
    sys.stdout.buffer.write((json.dumps({"worst_late_ms": 1000 * worst_late, "dropped": dropped}) + "\n").encode())
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="satellites (repeatable; default 10, 50, 200)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring window per run")
    parser.add_argument("--client", choices=("trixy", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--creds", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.client:
        asyncio.run(client_main(args.client, args.port, args.n[0], args.creds))
        return
    print(f"fan-in: {CHUNK_MS} ms chunks of 16 kHz mono s16le per satellite, {args.seconds:g} s per run, loopback")
    for n in args.n or [10, 50, 200]:
        trixy = asyncio.run(run_trixy(n, args.seconds))
        base = asyncio.run(run_baseline(n, args.seconds))
        print(f"N={n:4d} trixy server: CPU {trixy['cpu_pct']:5.1f} % of one core, worst chunk delay "
              f"{trixy['worst_ms']:6.1f} ms (p99 {trixy['p99_ms']:5.1f} ms), {trixy['connected']} connected, "
              f"{trixy['chunks']} chunks, client lateness {trixy['client_late_ms']:.1f} ms, "
              f"dropped {trixy['dropped']}  "
              f"(bare asyncio receiver: CPU {base['cpu_pct']:5.1f} %, worst {base['worst_ms']:6.1f} ms, "
              f"p99 {base['p99_ms']:5.1f} ms; CPU ratio {trixy['cpu_pct'] / max(base['cpu_pct'], 0.01):.2f})")


if __name__ == "__main__":
    main()
