"""Fixtures for the standalone / sync / update end-to-end tests: real servers and satellites on loopback.

The server side is the real `SatelliteNetwork` (+ `UpdatePusher`, `SyncService`) in the test's event loop, the
satellite a real `SatelliteApp` with the update installer, the standalone the real composed application; all with
temp roots, free ports and short intervals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from standalone_helpers import MAC, build_server, client_config, wait_for


@pytest.fixture
async def server_and_satellite(tmp_path: Path):
    """A started server app and a connected SatelliteApp (quiet wake-word model) with the update installer."""
    from standalone_onnx_models import quiet_model

    from trixy_satellite.app import SatelliteApp
    from trixy_satellite.updates import install_update_handlers

    server_root, sat_root = tmp_path / "server", tmp_path / "satellite"
    app = build_server(server_root)
    await app.start()
    try:
        record = app.satellite_manager.register(MAC, "Kitchen", "Fridge").record
        quiet_model(sat_root / "models" / "wakeword" / "default" / "quiet.onnx")
        (sat_root / "models" / "wakeword" / "default" / "README.md").write_text("kept across updates\n")
        config = client_config(sat_root, app.network.ports["command"], record)
        satellite = SatelliteApp(config, root=sat_root)
        installer = install_update_handlers(satellite, config, sat_root)
        await satellite.start()
        try:
            await wait_for(lambda: app.satellite_manager.get(MAC).connected and satellite.client.connected,
                           what="satellite connected")
            yield app, app.satellite_manager.get(MAC), satellite, installer, sat_root
        finally:
            await installer.close()
            await satellite.stop()
    finally:
        await app.stop()
