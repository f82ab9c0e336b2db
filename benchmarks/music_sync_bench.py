"""Music sync benchmark: a 200 MB library copied from a real server to the real composed standalone over loopback
(authenticated, encrypted command socket), then re-synced with nothing to send.

Figures: the first copy (MB/s), the re-sync with the hash cache (what every later round costs), and as its baseline
in the same run the re-sync with the caches removed (every file hashed again on both sides).

    .venv/bin/python benchmarks/music_sync_bench.py [MB]        (default 200)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "standalone"))

FILE_MB = 8


def make_library(folder: Path, total_mb: int) -> int:
    """total_mb of files in artist/album folders (random bytes: sync compares content, it never decodes)."""
    written = 0
    for i in range(max(1, total_mb // FILE_MB)):
        path = folder / f"artist{i % 5}" / f"album{i % 3}" / f"{i:03d} track.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(FILE_MB * 1024 * 1024))
        written += FILE_MB * 1024 * 1024
    return written


async def run(total_mb: int) -> None:
    from standalone_helpers import (
        build_server,
        build_standalone_app,
        free_port,
        register_standalone,
        wait_for,
    )

    with tempfile.TemporaryDirectory() as tmp:
        server_root, sa_root = Path(tmp) / "server", Path(tmp) / "standalone"
        size = make_library(server_root / "music", total_mb)
        record = register_standalone(server_root)
        port = free_port()
        async with build_server(server_root, port):
            standalone = build_standalone_app(sa_root, port, record, interval_s=3600,
                                              extra={"sync.reply_timeout_s": 60.0})
            started = time.perf_counter()
            async with standalone:
                await wait_for(lambda: standalone.sync.last_round is not None, 600, "the first round")
                first = time.perf_counter() - started
                assert standalone.sync.last_round.ok, standalone.sync.last_round.errors
                copied = standalone.sync.last_round.bytes_in
                resync = await standalone.sync.sync_now()
                assert resync.ok and resync.pulled == [] and resync.bytes_in == 0
                for cache in (server_root / "music" / ".trixy-sync-hashes.json",
                              sa_root / "music" / ".trixy-sync-hashes.json"):
                    cache.unlink()
                cold = await standalone.sync.sync_now()
                assert cold.ok and cold.pulled == []
        mb = size / 1e6
        print(f"first copy of {mb:.0f} MB ({size // (FILE_MB << 20)} files): {first:.2f} s, "
              f"{copied / 1e6 / first:.1f} MB/s")
        print(f"re-sync, nothing to send: {resync.duration_s:.3f} s "
              f"(without the hash caches: {cold.duration_s:.3f} s, ratio {cold.duration_s / resync.duration_s:.1f})")


def main() -> None:
    total_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    asyncio.run(run(total_mb))


if __name__ == "__main__":
    main()
