"""Connection budgets under attack: N real satellites log in and stream while an attacker holds idle sockets.

The attacker (one LAN host, 127.0.0.66) opens `--attackers` sockets to the command port and keeps every one it gets
open, reopening refused ones; meanwhile N satellites (raw TRXI peers speaking the real handshake, four per source
address 127.0.1.x-127.0.4.x, in a separate process) log in, open their three audio sockets and stream 16 kHz
microphone audio in 100 ms chunks. The server (this process) runs with the shipped defaults. Printed: how many
satellites were accepted and streaming, how long logging in took, and what the attacker held.

    .venv/bin/python benchmarks/connection_budget_bench.py              # N = 1000, 1000 attacker sockets
    .venv/bin/python benchmarks/connection_budget_bench.py --n 200 --attackers 500 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netload_common import raise_nofile, raw_satellite

CHUNK_BYTES = 3200  # 100 ms of 16 kHz mono s16le


def source_of(i: int) -> str:
    return f"127.0.{1 + i // 1000}.{1 + (i // 4) % 250}"


async def attacker(port: int, count: int, stop: asyncio.Event) -> dict[str, int]:
    """Hold up to `count` idle sockets from one address; reopen each one the server closes (bounded by `stop`)."""
    held: dict[int, asyncio.StreamWriter] = {}
    opened = refused = 0

    async def hold(slot: int) -> None:
        nonlocal opened, refused
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.66", 0))
            except OSError:
                refused += 1
                await asyncio.sleep(0.2)
                continue
            opened += 1
            held[slot] = writer
            try:
                await reader.read(1)  # returns when the server closes it
            except ConnectionError:
                pass
            held.pop(slot, None)
            writer.close()
            refused += 1
            await asyncio.sleep(0.2)

    tasks = [asyncio.get_running_loop().create_task(hold(i)) for i in range(count)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"opened": opened, "closed_by_server": refused}


async def satellites_main(port: int, creds_path: str, seconds: float) -> None:
    creds = json.loads(Path(creds_path).read_text())  # noqa: ASYNC240 - tiny file, before any I/O starts
    start = time.perf_counter()
    sem = asyncio.Semaphore(64)

    async def one(i: int, mac: str, sid: str, secret: str):
        for _ in range(30):
            async with sem:
                try:
                    return await raw_satellite("127.0.0.1", port, source_of(i), mac, sid, bytes.fromhex(secret))
                except (ConnectionError, OSError, AssertionError):
                    pass
            await asyncio.sleep(0.5)
        return None

    links = await asyncio.gather(*(one(i, *c) for i, c in enumerate(creds)))
    login_s = time.perf_counter() - start
    live = [link for link in links if link is not None]
    chunk = bytes(CHUNK_BYTES)
    sent = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _, audio in live:
            audio[0].write(chunk)
            sent += 1
        await asyncio.sleep(0.1)
    print(json.dumps({"accepted": len(live), "login_s": login_s, "chunks_sent": sent}), flush=True)


async def run(n: int, attackers: int, seconds: float) -> None:
    from trixy_server.config import NetworkConfig
    from trixy_server.manager import SatelliteManager
    from trixy_server.network import NetworkServer
    from trixy_server.registry import SatelliteRegistry

    with tempfile.TemporaryDirectory() as tmp:
        registry = SatelliteRegistry(Path(tmp) / "satellites")
        creds = [[r.mac, r.id, r.secret] for r in
                 (registry.register(f"02:00:00:00:{i // 256:02x}:{i % 256:02x}", "bench", f"s{i}") for i in range(n))]
        (Path(tmp) / "creds.json").write_text(json.dumps(creds))
        manager = SatelliteManager(registry)
        server = NetworkServer(manager, NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                                      audio_output_port=0, music_port=0))
        received = [0]
        server.add_audio_listener(lambda sat, data: received.__setitem__(0, received[0] + len(data)))
        await server.start()
        stop = asyncio.Event()
        attack = asyncio.get_running_loop().create_task(attacker(server.ports["command"], attackers, stop))
        await asyncio.sleep(2.0)  # the attacker holds what it can before the satellites come
        held_before = server.budget.pending_from("127.0.0.66")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--satellites", str(server.ports["command"]), str(Path(tmp) / "creds.json"),
            "--seconds", str(seconds), stdout=subprocess.PIPE)
        waiting = asyncio.get_running_loop().create_task(proc.communicate())
        connected = 0
        while not waiting.done():
            connected = max(connected, len(manager.connected))
            await asyncio.sleep(0.1)
        result = json.loads(waiting.result()[0].decode().strip().splitlines()[-1])
        stop.set()
        attack_result = await attack
        await server.stop()
    print(f"attacker (one host): {attackers} idle sockets wanted, {held_before} held by the server as pending "
          f"(network.max_pending_per_address), {attack_result['closed_by_server']} closed/refused over the run")
    print(f"satellites: {result['accepted']} of {n} accepted in {result['login_s']:.1f} s, {connected} connected "
          f"at once (server side), {received[0] / 3200:.0f} chunks of 100 ms received "
          f"({result['chunks_sent']} sent) in {seconds:g} s of streaming")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="satellites")
    parser.add_argument("--attackers", type=int, default=1000, help="idle sockets the attacker tries to hold")
    parser.add_argument("--seconds", type=float, default=5.0, help="streaming time")
    parser.add_argument("--satellites", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    limit = raise_nofile(4 * args.n + args.attackers + 512)
    if args.satellites:
        asyncio.run(satellites_main(int(args.satellites[0]), args.satellites[1], args.seconds))
        return
    print(f"file descriptors: soft limit {limit}")
    asyncio.run(run(args.n, args.attackers, args.seconds))


if __name__ == "__main__":
    main()
