"""F2 Config: the application's configuration file, edited and saved with validation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label

from trixy_tui.screens.base import MainView
from trixy_tui.widgets import ConfigEditor


class ConfigView(MainView):
    """Shows every section of this mode's config; invalid values are refused inline, the file stays unchanged."""

    VIEW_NAME = "config"

    def compose_content(self) -> ComposeResult:
        config = getattr(self.application, "config", None)
        if config is None or not hasattr(config, "as_dict"):
            yield Label("Configuration: not available", id="config-missing")
            return
        yield ConfigEditor(config, root=self.trixy.root, id="config-editor")
