"""F1 General: the status of this server/standalone (satellites, host, port, plugins, components, uptime, version,
OS) or of this client (host, server, connection, uptime, version, OS)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult

from trixy_core import __version__ as core_version
from trixy_core.application_protocol import TrixyApplication
from trixy_tui import format as fmt
from trixy_tui.access import attr
from trixy_tui.screens.base import MainView
from trixy_tui.screens.media import calendar_rows, music_rows
from trixy_tui.widgets import InfoTable


def config_value(application: TrixyApplication, dotted: str) -> Any:
    """A config value of the application, or None when the key is not part of its config."""
    config = getattr(application, "config", None)
    try:
        return config.get(dotted, None) if config is not None else None
    except Exception:  # an unknown section raises in some versions
        return None


class ServerGeneralView(MainView):
    """General status of a server (also the standalone's F1)."""

    VIEW_NAME = "general"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("satellite *", "plugin *", "application *")
    POLL_S: ClassVar[float | None] = 30.0
    """Only for the up-time, which changes without an event."""

    def compose_content(self) -> ComposeResult:
        yield InfoTable("General status", id="general-info")
        yield InfoTable("Next calendar events", id="general-calendar")
        yield InfoTable("Music now playing", id="general-music")
        yield InfoTable("Components started", id="general-components")

    def refresh_view(self) -> None:
        app = self.application
        host = self.trixy.host_info
        manager = self.component("satellite_manager")
        if manager is not None:
            satellites = attr(manager, "satellites", default=[])
            connected = sum(1 for s in satellites if attr(s, "connected", default=False))
            satellites_text = f"{connected} connected / {len(satellites)} registered"
        else:
            satellites_text = fmt.NOT_AVAILABLE
        port = attr(self.component("network"), "ports", "command")
        if port is None:
            port = config_value(app, "network.command_port")
        plugins = self.component("plugin_manager")
        if plugins is not None:
            found = len(plugins.discover()) if hasattr(plugins, "discover") else len(plugins)
            active = sum(1 for name in attr(plugins, "names", default=[]) if plugins.is_active(name))
            broken = len(attr(plugins, "problems", default=[]))
            plugins_text = f"{found} available, {len(plugins)} loaded, {active} active, {broken} broken"
        else:
            plugins_text = fmt.NOT_AVAILABLE
        components = dict(attr(app, "components", default={}))
        running = bool(attr(app, "running", default=False))
        self.query_one("#general-info", InfoTable).show([
            ("Satellites", satellites_text),
            ("Hostname", host.hostname),
            ("Host address", host.address),
            ("Command socket port", fmt.text(port)),
            ("Plugins", plugins_text),
            ("Components started", f"{len(components) if running else 0} of {len(components)}"),
            ("Up-time", fmt.duration(self.trixy.uptime_s())),
            ("Version", f"trixy {core_version}"),
            ("OS", host.os),
            ("Python", host.python),
        ])
        self.query_one("#general-components", InfoTable).show(
            (name, type(value).__name__) for name, value in components.items()
        )
        self.show_media()

    def show_media(self) -> None:
        """The calendar's next events and the music per satellite (each block hidden without its plugin)."""
        for table_id, rows in (("#general-calendar", calendar_rows(self.application)),
                               ("#general-music", music_rows(self.application))):
            table = self.query_one(table_id, InfoTable)
            table.display = rows is not None
            if rows is not None:
                table.show(rows)


class ClientGeneralView(MainView):
    """General status of a client (satellite)."""

    VIEW_NAME = "general"
    POLL_S: ClassVar[float | None] = 5.0
    """A satellite's own connection state raises no event on the client: polled, like the up-time."""

    def compose_content(self) -> ComposeResult:
        yield InfoTable("General status", id="general-info")

    def refresh_view(self) -> None:
        app = self.application
        host = self.trixy.host_info
        satellite = self.component("satellite")
        client = attr(satellite, "client")
        server_host = config_value(app, "server.host")
        server_port = config_value(app, "server.port")
        self.query_one("#general-info", InfoTable).show([
            ("Hostname", host.hostname),
            ("Host address", host.address),
            ("Command socket port", fmt.text(server_port)),
            ("Server", f"{server_host}:{server_port}" if server_host else fmt.NOT_AVAILABLE),
            ("Connection", fmt.text(attr(client, "state"))),
            ("Satellite id", fmt.text(config_value(app, "satellite.id"))),
            ("Room / alias", f"{fmt.text(config_value(app, 'satellite.room'))} / "
                             f"{fmt.text(config_value(app, 'satellite.alias'))}"),
            ("Up-time", fmt.duration(self.trixy.uptime_s())),
            ("Version", f"trixy {core_version}"),
            ("OS", host.os),
        ])
