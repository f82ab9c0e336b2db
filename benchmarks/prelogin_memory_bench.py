"""Server memory under the pre-login multipart attack of issue 15 (loopback only, stops by itself).

An attacker process opens `--command` connections to the command port and sends 60 KiB multipart parts of 8
message ids that never complete (and `--audio` connections to the audio input port with 2 KiB parts), reconnecting
whenever the server closes it, for `--seconds`. The server runs in this process; its RSS is sampled every 20 ms.
Before the fix this took a server from 62 MB to 1,147 MB in 3.3 s. Stated bound: the peak stays within
BOUND_MB of the RSS before the attack.

    .venv/bin/python benchmarks/prelogin_memory_bench.py
    .venv/bin/python benchmarks/prelogin_memory_bench.py --command 16 --audio 8 --seconds 10
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
from netload_common import rss_mb

BOUND_MB = 32.0


def multipart_flood(part_size: int) -> bytes:
    """Eight multipart messages of 64 parts each, every part but the last of each: never completed."""
    from trixy_protocol import Hello, encode_message

    parts = []
    for message_id in range(8):
        frames = encode_message(Hello(mac="aa:bb:cc:dd:ee:ff", room="x" * (part_size * 64)), part_size=part_size)
        # the encoder numbers messages itself; what matters is that none of them is ever completed
        parts.extend(frames[:-1])
        del message_id
    return b"".join(parts)


async def attack(port: int, payload: bytes, stop_at: float, stats: dict[str, int]) -> None:
    while time.monotonic() < stop_at:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        stats["connections"] += 1
        try:
            while time.monotonic() < stop_at:
                writer.write(payload)
                await asyncio.wait_for(writer.drain(), 1.0)
                stats["bytes"] += len(payload)
        except (OSError, TimeoutError):
            pass
        writer.close()


async def attacker_main(command_port: int, input_port: int, n_command: int, n_audio: int, seconds: float) -> None:
    stop_at = time.monotonic() + seconds
    stats = {"connections": 0, "bytes": 0}
    big, small = multipart_flood(60 * 1024), multipart_flood(2 * 1024)  # parts fit the 64 KiB / 4 KiB frame limits
    tasks = [attack(command_port, big, stop_at, stats) for _ in range(n_command)]
    tasks += [attack(input_port, small, stop_at, stats) for _ in range(n_audio)]
    await asyncio.gather(*tasks)
    print(json.dumps(stats), flush=True)


async def run(n_command: int, n_audio: int, seconds: float) -> None:
    from trixy_server.config import NetworkConfig
    from trixy_server.manager import SatelliteManager
    from trixy_server.network import NetworkServer
    from trixy_server.registry import SatelliteRegistry

    with tempfile.TemporaryDirectory() as tmp:
        manager = SatelliteManager(SatelliteRegistry(Path(tmp) / "satellites"))
        server = NetworkServer(manager, NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0,
                                                      audio_output_port=0, music_port=0))
        await server.start()
        await asyncio.sleep(0.2)
        before = rss_mb()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--attacker", str(server.ports["command"]), str(server.ports["input"]),
            "--command", str(n_command), "--audio", str(n_audio), "--seconds", str(seconds), stdout=subprocess.PIPE)
        waiting = asyncio.get_running_loop().create_task(proc.communicate())
        peak = before
        while not waiting.done():
            peak = max(peak, rss_mb())
            await asyncio.sleep(0.02)
        stats = json.loads(waiting.result()[0].decode().strip().splitlines()[-1])
        await asyncio.sleep(1.0)
        after = rss_mb()
        budget = getattr(server, "budget", None)  # absent in releases before the budgets (for comparison runs)
        pending = "?" if budget is None else budget.pending
        await server.stop()
    verdict = "within" if peak - before <= BOUND_MB else "OVER"
    print(f"attack: {n_command} command + {n_audio} audio connections, {seconds:g} s, "
          f"{stats['connections']} connections opened, {stats['bytes'] / 1e6:.0f} MB of never-completed multipart sent")
    print(f"server RSS: {before:.0f} MB before, peak {peak:.0f} MB (+{peak - before:.1f} MB, {verdict} the stated "
          f"bound of +{BOUND_MB:.0f} MB), {after:.0f} MB 1 s after the attack; {pending} pending sockets left")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--command", type=int, default=4, help="attacking connections on the command port")
    parser.add_argument("--audio", type=int, default=2, help="attacking connections on the audio input port")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--attacker", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.attacker:
        asyncio.run(attacker_main(*args.attacker, args.command, args.audio, args.seconds))
        return
    asyncio.run(run(args.command, args.audio, args.seconds))


if __name__ == "__main__":
    main()
