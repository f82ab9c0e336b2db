"""F3 Satellites: every registered satellite and whether it is connected (live, from `satellite *` events), registration mode
with its countdown, blacklist, delete registration; Enter opens a satellite's sub-main view."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Label

from trixy_tui import format as fmt
from trixy_tui.access import attr
from trixy_tui.screens.base import TableView
from trixy_tui.screens.satellite_detail import SatelliteView
from trixy_tui.widgets import InfoTable


def satellite_name(satellite: Any) -> str:
    """How a satellite is named in titles: alias, else id."""
    return str(attr(satellite, "alias") or attr(satellite, "id") or attr(satellite, "mac") or "?")


class SatellitesView(TableView):
    """The satellite list and the registration/blacklist controls of the satellite manager."""

    TABLE_ID = "satellites-table"
    AUTO_FOCUS = "DataTable"
    VIEW_NAME = "satellites"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("satellite *",)
    POLL_S: ClassVar[float | None] = 10.0
    """Only for the ping column: round-trip times change without an event."""
    COUNTDOWN_S: ClassVar[float] = 1.0

    def compose_content(self) -> ComposeResult:
        if self.component("satellite_manager") is None:
            yield Label("Satellites: not available (no satellite manager in this application)",
                        id="satellites-missing")
            return
        yield Label("", id="registration-state", markup=False)
        table: DataTable = DataTable(id="satellites-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Alias", "Room", "MAC", "Id", "Status", "Address", "Ping", "Blacklisted")
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Registration mode", id="sat-registration", variant="primary")
            yield Button("Open", id="sat-open")
            yield Button("Blacklist / unblock", id="sat-blacklist", variant="warning")
            yield Button("Delete registration", id="sat-delete", variant="error")
            yield Button("Disconnect", id="sat-disconnect")
            yield Button("Reconnect", id="sat-reconnect")
        yield InfoTable("Blacklist", id="sat-blacklist-list")

    def on_mount(self) -> None:
        super().on_mount()
        if self.component("satellite_manager") is not None:
            self.set_interval(self.COUNTDOWN_S, self.show_registration)

    @property
    def manager(self) -> Any:
        """The satellite manager."""
        return self.component("satellite_manager")

    def rows(self) -> list[tuple[str, ...]]:
        """One row per registered satellite, as shown."""
        rows = []
        for sat in attr(self.manager, "satellites", default=[]):
            rtt = attr(sat, "rtt")
            address = f"{sat.ip}:{sat.port}" if attr(sat, "ip") else ""
            rows.append((
                fmt.text(attr(sat, "alias")), fmt.text(attr(sat, "room")), str(sat.mac), str(sat.id),
                "connected" if attr(sat, "connected", default=False) else str(attr(sat, "state", default="disconnected")),
                address, f"{rtt * 1000:.1f} ms" if rtt is not None else "", "yes" if attr(sat, "blacklisted") else "",
            ))
        return rows

    def refresh_view(self) -> None:
        if self.manager is None:
            return
        table = self.query_one("#satellites-table", DataTable)
        selected = self.selected()
        table.clear()
        rows = self.rows()
        for row in rows:
            table.add_row(*row, key=row[2])
        if selected is not None and selected in [r[2] for r in rows]:
            table.move_cursor(row=table.get_row_index(selected))
        blacklist = sorted(str(m) for m in attr(self.manager, "blacklist", default=[]))
        self.query_one("#sat-blacklist-list", InfoTable).show(
            [(mac, "blocked") for mac in blacklist] or [("(empty)", "")]
        )
        self.show_registration()

    def show_registration(self) -> None:
        """Registration mode state and the seconds left (updated every second)."""
        manager = self.manager
        on = bool(attr(manager, "registration_mode", default=False))
        remaining = attr(manager, "registration", "remaining", default=0.0)
        text = f"Registration mode: ON ({int(remaining + 0.999)} s left)" if on else "Registration mode: off"
        self.query_one("#registration-state", Label).update(text)
        self.query_one("#sat-registration", Button).label = "Leave registration mode" if on else "Registration mode"

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Dispatch the buttons to the satellite manager."""
        manager = self.manager
        button = event.button.id
        if button == "sat-registration":
            if manager.registration_mode:
                await self.run_action("Leave registration mode", manager.leave_registration_mode)
            else:
                await self.run_action("Registration mode", manager.enter_registration_mode)
            return
        mac = self.selected()
        if mac is None:
            self.set_status("Select a satellite first.", error=True)
            return
        if button == "sat-open":
            self.open(mac)
        elif button == "sat-blacklist":
            if manager.is_blacklisted(mac):
                await self.run_action(f"Unblock {mac}", manager.blacklist_remove, mac)
            else:
                await self.run_action(f"Blacklist {mac}", manager.blacklist_add, mac)
        elif button == "sat-delete":
            await self.run_action(f"Delete registration {mac}", manager.delete_registration, mac)
        elif button == "sat-disconnect":
            await self.run_action(f"Disconnect {mac}", manager.disconnect, mac)
        elif button == "sat-reconnect":
            await self.run_action(f"Reconnect {mac}", manager.reconnect, mac)

    def open(self, mac: str) -> None:
        """Open the satellite's sub-main view."""
        satellite = self.manager.find(mac)
        if satellite is None:
            self.set_status(f"No satellite {mac}.", error=True)
            return
        self.app.push_screen(SatelliteView(satellite_name(satellite), satellite.mac))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens the satellite."""
        self.open(str(event.row_key.value))
