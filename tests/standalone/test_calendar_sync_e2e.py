"""Calendar sync end to end: the real composed standalone and a real server on loopback, two syncs with edits on
both sides in between (the later edit wins per event, cancellations travel as tombstones, nothing is duplicated)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar
from standalone_helpers import (
    build_server,
    build_standalone_app,
    copy_plugins,
    free_port,
    register_standalone,
    wait_for,
)


def summaries(app) -> dict[str, str]:
    return {uid: d["summary"] for uid, d in app.plugin_manager.get("calendar").calendar("household").live().items()}


def vevents(root: Path) -> int:
    return len(list(Calendar.from_ical((root / "data" / "calendar" / "household.ics").read_bytes()).walk("VEVENT")))


async def test_two_syncs_with_edits_on_both_sides_converge_without_duplicates(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    copy_plugins(server_root, "calendar")
    copy_plugins(sa_root, "calendar")
    record = register_standalone(server_root)
    port = free_port()
    standalone = build_standalone_app(sa_root, port, record, interval_s=60)
    async with build_server(server_root, port) as server, standalone:
        await wait_for(lambda: standalone.sync.last_round is not None, 15, "the round on connecting")
        here, there = standalone.plugin_manager.get("calendar"), server.plugin_manager.get("calendar")
        dentist = here.add("dentist", datetime(2030, 3, 1, 15, 0, tzinfo=UTC))
        school = here.add("school play", datetime(2030, 3, 2, 18, 0, tzinfo=UTC))
        plumber = there.add("plumber", datetime(2030, 3, 1, 9, 0, tzinfo=UTC))
        assert (await standalone.sync.sync_now()).ok
        assert summaries(standalone) == summaries(server) == {dentist: "dentist", school: "school play",
                                                              plumber: "plumber"}

        # apart (no sync): both edit the dentist, the server last; the standalone cancels the plumber while the
        # server leaves it; the server cancels the school play; each adds one
        here.edit(dentist, summary="dentist (standalone)")
        there.edit(dentist, summary="dentist (server, later)")
        assert here.cancel(plumber)
        assert there.cancel(school)
        gym = here.add("gym", datetime(2030, 3, 3, 7, 0, tzinfo=UTC))
        vet = there.add("vet", datetime(2030, 3, 4, 11, 0, tzinfo=UTC))

        first = await standalone.sync.sync_now()
        assert first.ok, first.errors
        expected = {dentist: "dentist (server, later)", gym: "gym", vet: "vet"}
        assert summaries(standalone) == summaries(server) == expected
        for _ in range(2):  # repeated syncs change nothing and duplicate nothing
            again = await standalone.sync.sync_now()
            assert again.ok and again.plugins["calendar"]["received"] == 0
        assert summaries(standalone) == summaries(server) == expected
        assert vevents(sa_root) == vevents(server_root) == 5  # 3 live + 2 tombstones, one VEVENT per UID
