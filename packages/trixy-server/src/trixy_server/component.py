"""`SatelliteNetwork`: the server's networking as one Application component (built from the `network` config).

    network = SatelliteNetwork.from_application(app)   # registers `satellite_manager` and `network`
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_server.blacklist import Blacklist
from trixy_server.config import NetworkConfig
from trixy_server.manager import SatelliteManager
from trixy_server.network import NetworkServer
from trixy_server.registration import RegistrationWindow
from trixy_server.registry import LEGACY_FOLDER, SatelliteRegistry, migrate_registrations

logger = logging.getLogger(__name__)


class SatelliteNetwork:
    """Registry + blacklist + registration window + manager + sockets, started and stopped with the application."""

    def __init__(self, config: NetworkConfig, root: Path, *, event_handler: Any = None, app_config: Any = None,
                 registration_on_start: bool = False) -> None:
        self.config = config
        folder = Path(config.satellites_folder)
        folder = folder if folder.is_absolute() else Path(root) / folder
        migrate_registrations(Path(root) / LEGACY_FOLDER, folder)
        self.registry = SatelliteRegistry(folder)
        persist = None
        if app_config is not None:
            def persist(items: list[str]) -> None:
                app_config.set("network.blacklist", items)
                app_config.save()
        self.blacklist = Blacklist(config.blacklist, persist=persist)
        self.window = RegistrationWindow(config.registration_window_s)
        self.manager = SatelliteManager(self.registry, self.blacklist, self.window, event_handler=event_handler)
        self.server = NetworkServer(self.manager, config)
        self.registration_on_start = registration_on_start

    @classmethod
    def from_application(cls, app: TrixyApplication) -> SatelliteNetwork:
        """Build from the application's config and register `satellite_manager`, `network` and admin functions."""
        section = app.config.section("network")
        registration_on_start = bool(section.pop("registration_on_start", False))
        network = cls(NetworkConfig.from_mapping(section), app.root, event_handler=app.event_handler,
                      app_config=app.config, registration_on_start=registration_on_start)
        app.register("satellite_manager", network.manager)
        app.register("network", network)
        functions = getattr(app, "functions", None)
        if functions is not None:
            functions.register("enter_registration_mode", network.manager.enter_registration_mode,
                               "Let the first unknown satellite register (60 s).")
            functions.register("blacklist_satellite", network.manager.blacklist_add,
                               "Blacklist a satellite by MAC (drops it at once).")
        if getattr(app, "debug", False):
            from trixy_core.logging import debug_print

            app.event_handler.subscribe("satellite *", lambda name, data: debug_print(f"[{name}] {data}"),
                                        owner="trixy-server debug", threaded=False)
        return network

    async def start(self) -> None:
        await self.server.start()
        from trixy_core.logging import debug_print

        ports = self.server.ports
        debug_print(f"trixy server listening on {self.config.bind_address}: command {ports['command']}, audio in "
               f"{ports['input']}, speech out {ports['output']}, music out {ports['music']}; "
               f"{len(self.manager)} registered satellite(s)")
        if self.registration_on_start:
            self.manager.enter_registration_mode()

    async def stop(self) -> None:
        await self.server.stop()

    @property
    def ports(self) -> dict[str, int]:
        return self.server.ports
