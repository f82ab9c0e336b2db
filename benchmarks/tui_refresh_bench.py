"""Cost of the TUI's live work: one satellite list redraw, a burst of `satellite *` events (drawn together, not one
redraw each) and drawing log lines.

Prints one line per figure, each next to a baseline measured in the same run:
    .venv/bin/python benchmarks/tui_refresh_bench.py
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path

from trixy_core.application import create_application
from trixy_core.events import names
from trixy_core.events.data import SatelliteConnected
from trixy_tui import TrixyApp
from trixy_tui.hostinfo import HostInfo

SATELLITES = 200
LOG_LINES = 2000
REPEAT = 20


async def main() -> None:
    import trixy_server.config  # noqa: F401 - registers the network section
    from trixy_server.component import SatelliteNetwork
    from trixy_tui.screens.satellites import SatellitesView
    from trixy_tui.widgets import LogView

    root = Path(tempfile.mkdtemp()) / "trixy"
    (root / "plugins").mkdir(parents=True)
    app = create_application("server", root=root, overrides={"network.command_port": 0, "network.audio_input_port": 0,
                                                             "network.audio_output_port": 0, "network.music_port": 0,
                                                             "network.bind_address": "127.0.0.1"})
    SatelliteNetwork.from_application(app)
    for i in range(SATELLITES):
        app.satellite_manager.register(f"02:00:00:00:{i // 256:02x}:{i % 256:02x}", f"room {i % 7}", f"sat {i}")
    tui = TrixyApp(app, "server", host_info=HostInfo("bench", "127.0.0.1", "Linux", "3.11"))
    async with tui.run_test(size=(160, 48)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        view = tui.screen
        assert isinstance(view, SatellitesView)
        start = time.perf_counter()
        for _ in range(REPEAT):
            [s.status() for s in app.satellite_manager.satellites]
        baseline = (time.perf_counter() - start) / REPEAT
        start = time.perf_counter()
        for _ in range(REPEAT):
            view.refresh_view()
        refresh = (time.perf_counter() - start) / REPEAT
        print(f"satellite list refresh, {SATELLITES} satellites: {refresh * 1000:.1f} ms "
              f"(manager status() of all alone: {baseline * 1000:.1f} ms, ratio {refresh / baseline:.1f})")

        # live events: a burst (every satellite reconnecting after a server restart) is drawn in a few redraws
        redraws: list[int] = []
        draw = view.refresh_view
        view.refresh_view = lambda: (redraws.append(1), draw())[1]
        before = view.live_revision
        start = time.perf_counter()
        for sat in app.satellite_manager.satellites:
            app.event_handler.emit(names.SATELLITE_CONNECTED, SatelliteConnected(satellite_id=sat.id, mac=sat.mac))
        await app.event_handler.drain()
        while view.live_revision == before or view._redraw_timer is not None:
            await pilot.pause(0.01)
        burst = time.perf_counter() - start
        view.refresh_view = draw
        print(f"burst of {SATELLITES} satellite events to the drawn list: {burst * 1000:.0f} ms, {len(redraws)} redraw(s) "
              f"(one redraw per event: {SATELLITES * refresh * 1000:.0f} ms, ratio {SATELLITES * refresh / burst:.1f})")

        await pilot.press("f9")
        await pilot.pause()
        log_view = tui.screen.query_one(LogView)
        bench = logging.getLogger("trixy.bench")
        start = time.perf_counter()
        for i in range(LOG_LINES):
            bench.info("benchmark line %d", i)
        emit = time.perf_counter() - start
        start = time.perf_counter()
        log_view.drain()
        await pilot.pause()
        draw = time.perf_counter() - start
        print(f"log view draw: {LOG_LINES / draw:,.0f} lines/s "
              f"(logging into the ring buffer alone: {LOG_LINES / emit:,.0f} lines/s)")


if __name__ == "__main__":
    asyncio.run(main())
