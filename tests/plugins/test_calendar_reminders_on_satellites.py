"""Calendar reminders on a real server with two real satellites connected over loopback: an event made in one room
reminds there; with `remind_on: all` (or an event from elsewhere) every connected satellite hears it."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trixy_core.application import create_application
from trixy_core.events import names

REPO = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_reminders_go_to_the_room_or_to_every_satellite(tmp_path: Path):
    import trixy_satellite.config  # noqa: F401 - registers the client's config sections
    import trixy_server.config  # noqa: F401
    from trixy_satellite.app import SatelliteApp
    from trixy_server.component import SatelliteNetwork

    root = tmp_path / "server"
    shutil.copytree(REPO / "plugins" / "calendar", root / "plugins" / "calendar",
                    ignore=shutil.ignore_patterns("__pycache__"))
    clock = Clock()
    server = create_application("server", root=root, setup_logging=False, clock=clock, overrides={
        "network.bind_address": "127.0.0.1", "network.command_port": 0, "network.audio_input_port": 0,
        "network.audio_output_port": 0, "network.music_port": 0})
    SatelliteNetwork.from_application(server)
    said: list[tuple[str, str]] = []
    server.event_handler.subscribe(names.SAY, lambda _n, d: said.append((d.satellite_id, d.text)), threaded=False,
                                   owner="test")
    satellites = []
    async with server:
        for n, room in enumerate(("Kitchen", "Office")):
            server.satellite_manager.enter_registration_mode()
            client = create_application("client", root=tmp_path / room, setup_logging=False, overrides={
                "server.host": "127.0.0.1", "server.port": server.network.ports["command"],
                "server.retry_interval_s": 0.1, "satellite.mac": f"aa:bb:cc:00:88:0{n}", "satellite.room": room,
                "audio.input": "silence", "audio.output": "null"})
            satellites.append(SatelliteApp(client.config, root=tmp_path / room))
            await satellites[-1].start()
            assert await satellites[-1].client.wait_connected(5)
        try:
            kitchen, office = sorted(server.satellite_manager.satellites, key=lambda s: s.room)
            calendar = server.plugin_manager.get("calendar")
            calendar.add("dentist", clock.now + timedelta(minutes=30), room=kitchen.id)
            calendar.add("parcel", clock.now + timedelta(minutes=40))  # made elsewhere (the TUI, a sync): no room
            clock.now += timedelta(minutes=21)
            await server.scheduler.run_due()
            await server.event_handler.drain(2)
            assert said == [(kitchen.id, "Reminder: dentist at 2:30 PM")]
            clock.now += timedelta(minutes=10)
            await server.scheduler.run_due()
            await server.event_handler.drain(2)
            assert sorted(said[1:]) == sorted([(kitchen.id, "Reminder: parcel at 2:40 PM"),
                                               (office.id, "Reminder: parcel at 2:40 PM")])
            calendar.config["remind_on"] = "all"
            calendar.add("choir", clock.now + timedelta(minutes=15), room=office.id)
            clock.now += timedelta(minutes=6)
            await server.scheduler.run_due()
            await server.event_handler.drain(2)
            assert sorted(d[0] for d in said[3:]) == sorted([kitchen.id, office.id])
        finally:
            await asyncio.gather(*(s.stop() for s in satellites))
