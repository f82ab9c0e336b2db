"""The documented conflict rule of SyncedRecords, exercised through the same client/server exchange the
standalone uses (with an in-process peer instead of the network)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trixy_server.errors import SyncError
from trixy_server.sync import ClientPeer, Record, ServerPeer, SyncedRecords, merge_pair


def clock_from(start: float = 1000.0):
    counter = itertools.count()
    return lambda: start + next(counter)


class Pair:
    """A standalone store and a server store sharing one clock, synced in process."""

    def __init__(self, tmp: Path) -> None:
        clock = clock_from()
        self.here = SyncedRecords(tmp / "here.json", "standalone", clock)
        self.there = SyncedRecords(tmp / "there.json", "server", clock)

    async def sync(self) -> dict:
        async def send(payload: dict) -> dict:
            return await self.there.sync(ServerPeer("notes", payload, "standalone"))

        return await self.here.sync(ClientPeer("notes", send))


async def test_records_travel_both_ways_and_a_second_sync_changes_nothing(tmp_path):
    pair = Pair(tmp_path)
    a = pair.here.put({"text": "a"})
    b = pair.there.put({"text": "b"})
    await pair.sync()
    assert pair.here.items() == pair.there.items() == {a: {"text": "a"}, b: {"text": "b"}}
    seq_here, seq_there = pair.here.seq, pair.there.seq
    await pair.sync()
    await pair.sync()
    assert pair.here.items() == pair.there.items()
    assert pair.there.seq == seq_there and pair.here.seq <= seq_here + 2   # no endless echo


async def test_edit_vs_edit_last_writer_wins_and_the_other_is_kept_as_conflict_copy(tmp_path):
    pair = Pair(tmp_path)
    note = pair.here.put({"text": "v1"})
    await pair.sync()
    pair.here.put({"text": "here"}, note)       # earlier
    pair.there.put({"text": "there"}, note)     # later: wins
    report = await pair.sync()
    assert pair.here.items() == pair.there.items()
    assert pair.here.get(note) == {"text": "there"}
    copies = [r for r in pair.here.items() if r != note]
    assert len(copies) == 1 and pair.here.get(copies[0]) == {"text": "here"}
    assert pair.here.record(copies[0]).conflict_of == note
    assert report["conflicts"] == copies


async def test_delete_vs_edit_keeps_the_edit_and_plain_deletes_travel_as_tombstones(tmp_path):
    pair = Pair(tmp_path)
    edited, removed = pair.here.put({"text": "keep me"}), pair.here.put({"text": "remove me"})
    await pair.sync()
    pair.here.delete(edited)
    pair.there.put({"text": "edited on the server"}, edited)
    pair.there.delete(removed)
    await pair.sync()
    assert pair.here.items() == pair.there.items() == {edited: {"text": "edited on the server"}}
    assert pair.here.record(removed).deleted and pair.there.record(removed).deleted


async def test_state_survives_a_restart_of_either_side(tmp_path):
    pair = Pair(tmp_path)
    note = pair.here.put({"text": "persisted"})
    await pair.sync()
    reopened = SyncedRecords(tmp_path / "here.json", "standalone")
    assert reopened.get(note) == {"text": "persisted"} and reopened.peers["server"]["cursor"] == pair.there.seq
    assert SyncedRecords(tmp_path / "there.json").get(note) == {"text": "persisted"}


def test_malformed_records_are_refused_before_anything_changes(tmp_path):
    store = SyncedRecords(tmp_path / "s.json")
    good = {"id": "x", "data": {}, "modified": 1.0, "rev": "r1"}
    with pytest.raises(SyncError, match="malformed record"):
        store.merge([good, {"id": "y", "modified": "soon", "rev": "r"}])
    assert store.record("x") is None and not (tmp_path / "s.json").exists()


def test_a_broken_file_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("{ not json")
    with pytest.raises(SyncError, match="fix or move the file"):
        SyncedRecords(path)
    assert path.read_text() == "{ not json"


revisions = st.lists(st.tuples(st.sampled_from(["edit", "delete"]), st.text(max_size=3)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(ours=revisions, theirs=revisions, t0=st.floats(0, 10), t1=st.floats(0, 10))
def test_merge_is_symmetric_and_never_drops_an_edit(ours, theirs, t0, t1):
    base = Record("n", {"text": "base"}, 0.0, "base")

    def evolve(steps, start, tag):
        rec = base
        for i, (kind, text) in enumerate(steps):
            rec = Record("n", {} if kind == "delete" else {"text": text}, start + i, f"{tag}{i}",
                         rec.history + [rec.rev], kind == "delete")
        return rec

    a, b = evolve(ours, t0, "a"), evolve(theirs, t1, "b")
    keep_ab, copy_ab = merge_pair(a, b)
    keep_ba, copy_ba = merge_pair(b, a)
    assert (keep_ab.to_wire(), copy_ab and copy_ab.to_wire()) == (keep_ba.to_wire(), copy_ba and copy_ba.to_wire())
    surviving = [r.data for r in (keep_ab, copy_ab) if r is not None and not r.deleted]
    for side in (a, b):
        if not side.deleted:
            assert side.data in surviving
