"""Music sync end to end: a real server and the real composed standalone on loopback, with generated MP3/FLAC/OGG
files. Content-hash mirroring, nothing sent on a re-sync, deletions, a chosen part of the library, a download cut
by the server going away and resumed, and the bandwidth cap."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from standalone_helpers import (
    build_server,
    build_standalone_app,
    copy_plugins,
    first_ok_round,
    free_port,
    record_rounds,
    register_standalone,
    wait_for,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from music_fixtures import library, write_song


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


async def next_round(standalone):
    """One round run now (the test's standalone syncs by itself only when it connects)."""
    return await standalone.sync.sync_now()


async def test_library_mirrors_by_content_resyncs_nothing_and_deletions_propagate(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    library(server_root / "music")
    copy_plugins(sa_root, "music")
    own = write_song(sa_root / "music" / "mine" / "own.flac", title="My Own Song")  # never the server's
    record = register_standalone(server_root)
    port = free_port()
    standalone = build_standalone_app(sa_root, port, record, interval_s=60)
    async with build_server(server_root, port), standalone:
        await wait_for(lambda: standalone.sync.last_round is not None and standalone.sync.last_round.ok, 20,
                       "the first sync round")
        first = standalone.sync.last_round
        assert sorted(first.pulled) == sorted(f"music/{rel}" for rel in tree(server_root / "music"))
        assert first.bytes_in == sum(len(b) for b in tree(server_root / "music").values())
        here = tree(sa_root / "music")
        assert {k: v for k, v in here.items() if k != "mine/own.flac"} == tree(server_root / "music")
        music = standalone.plugin_manager.get("music")  # re-indexed after the sync: the names are playable
        await wait_for(lambda: len(music.library.tracks) == 6, 10, "the music plugin to index the pulled files")
        assert {t.title for t in music.library.by_artist("miles davis")} == {"So What", "Blue in Green"}

        cached = json.loads((sa_root / "music" / ".trixy-sync-hashes.json").read_text())
        assert set(tree(server_root / "music")) <= set(cached)  # pulled files are never read again to hash them

        again = await next_round(standalone)
        assert again.ok and again.pulled == [] and again.bytes_in == 0 and again.deleted == []

        served = server_root / "music"
        os.utime(served / "b.flac", (1e9, 1e9))  # touched, same content: nothing to send
        (served / "jazz" / "c.ogg").unlink()       # removed on the server
        write_song(served / "a.mp3", freq=300, title="Yellow Submarine (remix)", artist="The Beatles")
        changed = await next_round(standalone)
        assert changed.ok and changed.pulled == ["music/a.mp3"] and changed.deleted == ["music/jazz/c.ogg"]
        assert tree(sa_root / "music")["a.mp3"] == (served / "a.mp3").read_bytes()
        assert not (sa_root / "music" / "jazz" / "c.ogg").exists()
        assert own.is_file()  # the standalone's own music is left alone
        await wait_for(lambda: "jazz/c.ogg" not in music.library.tracks, 10, "the index to drop the deleted file")

        kept = tree(sa_root / "music")
        served.rename(server_root / "music-unmounted")  # the server's disk is gone: that is no reason to delete
        gone = await next_round(standalone)
        assert gone.ok and gone.deleted == [] and tree(sa_root / "music") == kept
        served.mkdir()  # mounted but empty: deleting everything at once is never done by sync either
        empty = await next_round(standalone)
        assert empty.ok and empty.deleted == [] and tree(sa_root / "music") == kept


async def test_a_cut_download_resumes_under_the_bandwidth_cap_and_only_chosen_folders_come(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    library(server_root / "music")
    big = server_root / "music" / "jazz" / "big.wav"
    big.write_bytes(os.urandom(600_000))
    record = register_standalone(server_root)
    port = free_port()
    settings = {"sync.max_kbytes_per_s": 150, "sync.music_folders": ["jazz"]}
    partial = sa_root / "music" / "jazz"
    async with build_server(server_root, port):
        async with build_standalone_app(sa_root, port, record, extra=settings):  # cut: it stops mid-copy
            await wait_for(lambda: any(p.name.startswith(".big.wav.") and p.stat().st_size > 100_000
                                       for p in partial.glob(".*.partial")), 20, "part of big.wav")
        assert not (partial / "big.wav").exists()
        [staged] = [p for p in partial.glob(".big.wav.*.partial")]
        had = staged.stat().st_size
        assert 0 < had < 600_000

        standalone = build_standalone_app(sa_root, port, record, extra=settings)   # started again
        rounds = record_rounds(standalone)
        async with standalone:
            done = await first_ok_round(rounds, 30, "the resumed copy")
    assert "music/jazz/big.wav" in done.pulled and done.resumed["music/jazz/big.wav"] >= had
    assert done.bytes_in < 600_000 + 20_000 - had  # the rest of big.wav and the two small files
    assert (partial / "big.wav").read_bytes() == big.read_bytes()
    assert not staged.exists()
    assert set(tree(sa_root / "music")) == {"jazz/c.ogg", "jazz/d.opus", "jazz/big.wav"}  # only "jazz"
    assert standalone.sync.limiter.waited_s > 1.0  # ~450 kB at 150 kB/s (1 s of burst) had to wait
