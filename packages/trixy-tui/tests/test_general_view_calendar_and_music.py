"""F1 shows the calendar's next events and the music playing on each satellite: a real server with the real calendar
and music plugins, a real satellite connected over loopback, music streamed to it over the music socket."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from trixy_tui.screens.general import ServerGeneralView
from trixy_tui.widgets import InfoTable

REPO = Path(__file__).resolve().parents[3]


def add_plugins(root: Path) -> None:
    for name in ("calendar", "music"):
        shutil.copytree(REPO / "plugins" / name, root / "plugins" / name, ignore=shutil.ignore_patterns("__pycache__"))


def write_song(path: Path, seconds: float = 30.0) -> None:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(44100 * seconds)) / 44100
    soundfile.write(str(path), (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 44100, format="FLAC")


async def test_general_view_shows_next_events_and_music_per_satellite(server_app, trixy_root, kit):
    add_plugins(trixy_root)
    write_song(trixy_root / "music" / "Quiet Band" / "First Album" / "01 Opening.flac")
    tui = kit.make_tui(server_app)
    async with tui.run_test(size=(120, 50)) as pilot:
        await kit.wait_for(lambda: server_app.plugin_manager.get("music") is not None, pilot)
        client, satellite = await kit.connect_satellite(server_app)
        try:
            calendar = server_app.plugin_manager.get("calendar")
            music = server_app.plugin_manager.get("music")
            await music.rescan()
            soon = datetime.now(UTC) + timedelta(days=1)
            calendar.add("dentist", soon.replace(hour=15, minute=0, second=0, microsecond=0), room="kitchen")
            calendar.add("school play", (soon + timedelta(days=1)).date())
            sat = server_app.satellite_manager.satellites[0]
            assert await music.play(sat.id) is not None
            assert isinstance(tui.screen, ServerGeneralView)
            tui.screen.refresh_view()
            await pilot.pause()
            events = tui.screen.query_one("#general-calendar", InfoTable)
            playing = tui.screen.query_one("#general-music", InfoTable)
            assert events.display and playing.display
            first_when, second_when = list(events.values)[:2]  # spoken dates, in the server's time zone
            assert " at " in first_when and first_when.endswith("M") and second_when.startswith("on ")
            if time.localtime().tm_gmtoff == 0:
                assert first_when == "tomorrow at 3 PM"
            assert [v.split("  ")[0] for v in events.values.values()] == ["dentist", "school play"]
            assert "household, kitchen" in next(iter(events.values.values()))
            [(name, line)] = playing.values.items()
            assert name == "Fridge (Kitchen)"
            assert line.startswith("Opening - Quiet Band  playing 0:") and "/ 0:30" in line and "volume 100 %" in line
            await music.stop(sat.id)
            tui.screen.refresh_view()
            assert playing.values == {"(no music playing)": ""}
        finally:
            await kit.disconnect_satellite(client, satellite)


async def test_without_the_plugins_the_blocks_stay_hidden(core_app, kit):
    tui = kit.make_tui(core_app)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not tui.screen.query_one("#general-calendar", InfoTable).display
        assert not tui.screen.query_one("#general-music", InfoTable).display
