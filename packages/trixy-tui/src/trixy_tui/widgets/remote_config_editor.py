"""`RemoteConfigEditor`: a configuration that lives elsewhere (a satellite's), edited as text boxes.

The values come from the satellite (`Satellite.fetch_config()`); edited texts are cast back to each key's original
JSON type with the core's rule (`cast_text`), and only the changed keys are handed to `submit` (which calls
`Satellite.update_config(...)`; the satellite validates and saves). Texts that do not cast are refused inline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from trixy_core.errors import TrixyError
from trixy_core.plugins.config_editor import cast_text, editable_fields

Submit = Callable[[dict[str, Any]], Awaitable[bool]]


class RemoteConfigEditor(Vertical):
    """Text boxes for a nested config dict; Save sends `{dotted key: typed value}` of the changed keys."""

    DEFAULT_CSS = """
    RemoteConfigEditor { height: auto; }
    RemoteConfigEditor .key { width: 30; padding: 0 1 0 0; }
    RemoteConfigEditor Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    RemoteConfigEditor .error { color: $error; height: auto; }
    """

    def __init__(self, values: dict[str, Any], submit: Submit, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values = values
        self.submit = submit
        self.keys: dict[str, str] = {}
        self.originals: dict[str, Any] = {}
        self.texts: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        for index, field in enumerate(editable_fields(self.values)):
            input_id = f"rcfg-{index}"
            self.keys[field.key] = input_id
            self.texts[field.key] = field.text
            self.originals[field.key] = self._value(field.key)
            with Horizontal(classes="field"):
                yield Label(f"{field.key} ({field.type_name})", classes="key", markup=False)
                yield Input(field.text, id=input_id)
        yield Label("", id="rcfg-error", classes="error", markup=False)
        yield Button("Save client configuration", id="rcfg-save", variant="primary")

    def on_mount(self) -> None:
        """No error yet."""
        self.query_one("#rcfg-error", Label).display = False

    def _value(self, dotted: str) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            node = node[part]
        return node

    def set_text(self, key: str, text: str) -> None:
        """Type into the box of a dotted key (tests, scripted edits)."""
        self.query_one(f"#{self.keys[key]}", Input).value = text

    def changes(self) -> dict[str, Any]:
        """The changed keys with typed values; raises `TrixyError` listing every text that does not cast."""
        changes: dict[str, Any] = {}
        errors: list[str] = []
        for key, input_id in self.keys.items():
            typed = self.query_one(f"#{input_id}", Input).value
            if typed == self.texts[key]:
                continue
            try:
                changes[key] = cast_text(self.originals[key], typed, key)
            except TrixyError as exc:
                errors.append(str(exc))
        if errors:
            raise TrixyError("; ".join(errors))
        return changes

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Cast and submit the changes."""
        if event.button.id != "rcfg-save":
            return
        event.stop()
        error = self.query_one("#rcfg-error", Label)
        try:
            changes = self.changes()
        except TrixyError as exc:
            error.update(f"Not sent: {exc}")
            error.display = True
            return
        error.display = False
        if changes and await self.submit(changes):
            for key in changes:
                self.texts[key] = self.query_one(f"#{self.keys[key]}", Input).value
                self.originals[key] = changes[key]
