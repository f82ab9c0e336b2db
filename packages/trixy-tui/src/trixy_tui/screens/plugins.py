"""F4 Plugins: every plugin folder with its status, a toggle for the selected one; Enter opens its sub-main view."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Label

from trixy_tui.screens.base import TableView
from trixy_tui.screens.plugin_detail import PluginView, plugin_state
from trixy_tui.widgets import InfoTable


class PluginsView(TableView):
    """List and toggle plugins; a broken plugin is listed with the reason it did not load."""

    TABLE_ID = "plugins-table"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("plugin *",)
    AUTO_FOCUS = "DataTable"
    VIEW_NAME = "plugins"

    def compose_content(self) -> ComposeResult:
        if self.component("plugin_manager") is None:
            yield Label("Plugins: not available (no plugin manager in this application)", id="plugins-missing")
            return
        table: DataTable = DataTable(id="plugins-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Plugin", "Status", "Version", "Description")
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Toggle enabled", id="plugin-toggle", variant="primary")
            yield Button("Open", id="plugin-open")
            yield Button("Reload from disk", id="plugin-reload")
        yield InfoTable("Plugins that failed to load", id="plugin-problems")

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(name, status, version, description) for every discovered, loaded or broken plugin."""
        manager = self.component("plugin_manager")
        problems = {p.name: p for p in getattr(manager, "problems", [])}
        names = sorted(set(manager.discover()) | set(manager.names) | set(problems))
        rows = []
        for name in names:
            plugin = manager.get(name)
            status = plugin_state(manager, name, plugin, problems.get(name)).split(":")[0]
            version = str(getattr(plugin, "version", "")) if plugin is not None else ""
            description = str(getattr(plugin, "description", "")) if plugin is not None else ""
            rows.append((name, status, version, description))
        return rows

    def refresh_view(self) -> None:
        if self.component("plugin_manager") is None:
            return
        table = self.query_one("#plugins-table", DataTable)
        selected = self.selected()
        table.clear()
        for row in self.rows():
            table.add_row(*row, key=row[0])
        if selected is not None and selected in [r[0] for r in self.rows()]:
            table.move_cursor(row=table.get_row_index(selected))
        problems = getattr(self.component("plugin_manager"), "problems", [])
        self.query_one("#plugin-problems", InfoTable).show(
            [(p.name, f"{p.phase}: {p.message}") for p in problems] or [("(none)", "")]
        )

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Toggle, open or reload the selected plugin."""
        name = self.selected()
        if name is None:
            self.set_status("Select a plugin first.", error=True)
            return
        manager = self.component("plugin_manager")
        if event.button.id == "plugin-toggle":
            await self.toggle(name)
        elif event.button.id == "plugin-open":
            self.open(name)
        elif event.button.id == "plugin-reload":
            await self.run_action(f"Reload {name}", manager.reload, name)

    async def toggle(self, name: str) -> None:
        """Enable a disabled plugin or disable an enabled one."""
        manager = self.component("plugin_manager")
        plugin = manager.get(name)
        if plugin is None:
            self.set_status(f"Plugin {name} is not loaded; fix it and press 'Reload from disk'.", error=True)
            return
        target = not plugin.enabled
        await self.run_action(f"{'Enable' if target else 'Disable'} {name}", manager.set_enabled, name, target)

    def open(self, name: str) -> None:
        """Open the plugin's sub-main view."""
        if self.component("plugin_manager").get(name) is None:
            self.set_status(f"Plugin {name} is not loaded: {self._problem(name)}", error=True)
            return
        self.app.push_screen(PluginView(name))

    def _problem(self, name: str) -> Any:
        for problem in getattr(self.component("plugin_manager"), "problems", []):
            if problem.name == name:
                return problem.message
        return "press 'Reload from disk' to load it"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens the plugin."""
        self.open(str(event.row_key.value))
