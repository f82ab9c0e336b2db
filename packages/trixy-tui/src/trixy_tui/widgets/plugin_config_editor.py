"""`PluginConfigEditor`: a plugin's config.json as text boxes, generated from its structure.

Texts are cast back to each key's original JSON type by the core's rule (`apply_text_edits`): an integer stays an
integer, a boolean a boolean. Invalid texts are refused inline with the reason and config.json is left unchanged.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from trixy_core.errors import TrixyError
from trixy_core.plugins.config_editor import apply_text_edits, cast_text, editable_fields

SKIPPED_KEYS = ("enabled",)
"""Keys with their own buttons (enable/disable), not edited as text."""


class PluginConfigEditor(Vertical):
    """Edit a loaded plugin's config; saving writes config.json through `plugin.save_config()`."""

    DEFAULT_CSS = """
    PluginConfigEditor { height: auto; }
    PluginConfigEditor .field { height: auto; }
    PluginConfigEditor .key { width: 30; padding: 0 1 0 0; }
    PluginConfigEditor Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    PluginConfigEditor .error { color: $error; height: auto; }
    PluginConfigEditor .buttons { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, plugin: Any, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plugin = plugin
        self.keys: dict[str, str] = {}
        self.originals: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        config = {k: v for k, v in dict(self.plugin.config).items() if k not in SKIPPED_KEYS}
        fields = editable_fields(config)
        if not fields:
            yield Label("This plugin has no settings besides enabled.", id="plugin-config-empty")
        for index, field in enumerate(fields):
            input_id = f"pcfg-{index}"
            self.keys[field.key] = input_id
            self.originals[field.key] = field.text
            with Horizontal(classes="field"):
                yield Label(f"{field.key} ({field.type_name})", classes="key", markup=False)
                yield Input(field.text, id=input_id)
            yield Label("", id=f"{input_id}-error", classes="error", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Save", id="plugin-config-save", variant="primary")
        yield Label("", id="plugin-config-status", markup=False)

    def on_mount(self) -> None:
        """Hide the empty error lines."""
        self._show_errors({})

    def set_text(self, key: str, text: str) -> None:
        """Type `text` into the box of a dotted key (tests, scripted edits)."""
        self.query_one(f"#{self.keys[key]}", Input).value = text

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save on the button."""
        if event.button.id == "plugin-config-save":
            event.stop()
            self.save()

    def save(self) -> bool:
        """Cast every changed text back to its type and write config.json; nothing is written on any error."""
        edits = {
            key: self.query_one(f"#{input_id}", Input).value
            for key, input_id in self.keys.items()
            if self.query_one(f"#{input_id}", Input).value != self.originals[key]
        }
        errors: dict[str, str] = {}
        for key, typed in edits.items():
            original = self._original_value(key)
            try:
                cast_text(original, typed, key)
            except TrixyError as exc:
                errors[key] = str(exc)
        self._show_errors(errors)
        if errors:
            self._status(f"Not saved: {len(errors)} invalid value(s); config.json is unchanged.")
            return False
        if not edits:
            self._status("No changes.")
            return True
        try:
            updated = apply_text_edits(dict(self.plugin.config), edits)
            self.plugin.config.clear()
            self.plugin.config.update(updated)
            self.plugin.save_config()
        except (TrixyError, OSError) as exc:
            self._status(f"Not saved: {exc}")
            return False
        self.originals.update(edits)
        self._status(f"Saved {len(edits)} change(s) to config.json (the plugin reads them on its next reload).")
        return True

    def _original_value(self, dotted: str) -> Any:
        node: Any = self.plugin.config
        for part in dotted.split("."):
            node = node[part]
        return node

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        for key, input_id in self.keys.items():
            label = self.query_one(f"#{input_id}-error", Label)
            label.update(errors.get(key, ""))
            label.display = key in errors

    def _status(self, message: str) -> None:
        self.query_one("#plugin-config-status", Label).update(message)
