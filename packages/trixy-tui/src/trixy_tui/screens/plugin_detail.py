"""Sub-main view of one plugin: F1 Info (with enable/disable), F2 Config (the plugin's config_view.py or an editor
generated from config.json)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Label

from trixy_tui import format as fmt
from trixy_tui.screens.base import SubMainView
from trixy_tui.widgets import InfoTable, PluginConfigEditor


def plugin_state(manager: Any, name: str, plugin: Any, problem: Any) -> str:
    """"active", "enabled (not active)", "disabled" or "broken (phase): reason"."""
    if problem is not None and plugin is None:
        return f"broken ({problem.phase}): {problem.message}"
    if plugin is None:
        return "not loaded"
    if manager.is_active(name):
        return "active"
    if plugin.enabled:
        return f"enabled, not active: {problem.message}" if problem is not None else "enabled, not active"
    return "disabled"


def last_modified(path: Path) -> str:
    """The newest modification time of the plugin's files."""
    try:
        newest = max(p.stat().st_mtime for p in Path(path).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    except ValueError:
        return fmt.NOT_AVAILABLE
    return fmt.moment(datetime.fromtimestamp(newest))


class PluginView(SubMainView):
    """One plugin: information, enable/disable, configuration."""

    KIND = "Plugins"
    PANES = (("f1", "info", "Info"), ("f2", "config", "Config"))

    @property
    def manager(self) -> Any:
        """The plugin manager."""
        return self.component("plugin_manager")

    @property
    def plugin(self) -> Any:
        """The plugin shown (None once unloaded)."""
        return self.manager.get(self.item_name)

    def compose_pane(self, pane: str) -> ComposeResult:
        if pane == "info":
            yield InfoTable("Plugin", id="plugin-info")
            with Horizontal(classes="buttons"):
                yield Button("Enable", id="plugin-enable", variant="success")
                yield Button("Disable", id="plugin-disable", variant="error")
        else:
            yield from self._config_widgets()

    def _config_widgets(self) -> ComposeResult:
        plugin = self.plugin
        if plugin is None:
            yield Label("Config: not available (the plugin is not loaded)")
            return
        try:
            module = self.manager.config_view(self.item_name)
        except Exception as exc:  # a broken config_view.py must not break the TUI
            yield Label(f"config_view.py failed to load: {exc}; using the generated editor.", classes="error",
                        markup=False)
            module = None
        build = getattr(module, "build", None) if module is not None else None
        if callable(build):
            try:
                widget = build(plugin)
            except Exception as exc:
                yield Label(f"config_view.build() failed: {exc}; using the generated editor.", classes="error",
                            markup=False)
            else:
                if isinstance(widget, Widget):
                    yield Label("Settings view provided by the plugin's config_view.py", id="plugin-config-custom")
                    yield widget
                    return
                yield Label("config_view.build() did not return a widget; using the generated editor.",
                            classes="error")
        yield PluginConfigEditor(plugin, id="plugin-config")

    def refresh_view(self) -> None:
        plugin = self.plugin
        problem = next((p for p in getattr(self.manager, "problems", []) if p.name == self.item_name), None)
        if plugin is None:
            self.query_one("#plugin-info", InfoTable).show([("Name", self.item_name), ("Status", "not loaded")])
            return
        self.query_one("#plugin-info", InfoTable).show([
            ("Name", plugin.name),
            ("Description", fmt.text(getattr(plugin, "description", ""))),
            ("Version", fmt.text(getattr(plugin, "version", ""))),
            ("Folder", str(plugin.path)),
            ("Last modified", last_modified(plugin.path)),
            ("Enabled", fmt.text(plugin.enabled)),
            ("Status", plugin_state(self.manager, plugin.name, plugin, problem)),
            ("Event handlers", str(len(self.application.event_handler.subscriptions(plugin.name)))),
        ])

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Enable or disable the plugin."""
        if event.button.id in ("plugin-enable", "plugin-disable"):
            enable = event.button.id == "plugin-enable"
            await self.run_action(f"{'Enable' if enable else 'Disable'} {self.item_name}",
                                  self.manager.set_enabled, self.item_name, enable)
