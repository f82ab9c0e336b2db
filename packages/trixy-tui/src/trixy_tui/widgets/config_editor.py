"""`ConfigEditor`: the application's config file as text boxes, saved through the core's validation.

Every value is edited as text and cast back to the key's type with the core's cast rule (`cast_text`), then checked
against the config schema. Any invalid value is refused inline with the reason and nothing is written; valid edits
are stored with `Config.set()` and written atomically with `Config.save()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label

from trixy_core.errors import TrixyError
from trixy_core.plugins.config_editor import cast_text, value_to_text


@dataclass(slots=True)
class _Field:
    dotted: str
    input_id: str
    original: Any
    spec: Any
    editable: bool


def _shown_path(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


class ConfigEditor(Vertical):
    """Edit and save a `trixy_core.config.Config`; invalid values are refused per field with the reason."""

    DEFAULT_CSS = """
    ConfigEditor { height: auto; }
    ConfigEditor .section { text-style: bold; color: $accent; margin: 1 0 0 0; }
    ConfigEditor .field { height: auto; }
    ConfigEditor .key { width: 28; padding: 0 1 0 0; }
    ConfigEditor Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    ConfigEditor .error { color: $error; height: auto; }
    ConfigEditor .buttons { height: auto; margin: 1 0 0 0; }
    ConfigEditor .buttons Button { margin: 0 2 0 0; }
    """

    class Saved(Message):
        """Posted after a successful save."""

        def __init__(self, changed: dict[str, Any]) -> None:
            super().__init__()
            self.changed = changed

    def __init__(self, config: Any, *, root: Path | None = None, read_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.root = root
        self.read_only = read_only
        self.fields: dict[str, _Field] = {}
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Label(f"File: {_shown_path(self.config.path, self.root)}", id="config-path")
        schema = self.config.schema
        for section_name, values in self.config.as_dict().items():
            section = schema.section(section_name)
            doc = f" - {section.doc}" if section is not None and section.doc else ""
            yield Label(f"[{section_name}]{doc}", classes="section", markup=False)
            for key, value in values.items():
                dotted = f"{section_name}.{key}"
                spec = section.field_named(key) if section is not None else None
                overridden = self.config.is_overridden(dotted)
                editable = spec is not None and not overridden and not self.read_only
                input_id = f"cfg-{section_name}-{key}"
                self.fields[dotted] = _Field(dotted, input_id, value, spec, editable)
                note = " (command-line override)" if overridden else "" if spec is not None else " (unknown key)"
                with Horizontal(classes="field"):
                    yield Label(f"{key}{note}", classes="key", markup=False)
                    yield Input(value_to_text(value), id=input_id, disabled=not editable,
                                tooltip=spec.doc if spec is not None else None)
                yield Label("", id=f"{input_id}-error", classes="error", markup=False)
        if not self.read_only:
            with Horizontal(classes="buttons"):
                yield Button("Save", id="config-save", variant="primary")
                yield Button("Revert", id="config-revert")
        yield Label("", id="config-status", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or revert."""
        if event.button.id == "config-save":
            event.stop()
            self.save()
        elif event.button.id == "config-revert":
            event.stop()
            self.revert()

    def set_text(self, dotted: str, text: str) -> None:
        """Type `text` into the box of `section.key` (used by tests and scripted edits)."""
        self.query_one(f"#{self.fields[dotted].input_id}", Input).value = text

    def revert(self) -> None:
        """Put the stored values back into the boxes."""
        for dotted, field in self.fields.items():
            current = self.config.get(dotted, field.original)
            field.original = current
            self.query_one(f"#{field.input_id}", Input).value = value_to_text(current)
        self._show_errors({})
        self._status("Reverted to the stored values.")

    def save(self) -> bool:
        """Validate every changed box; write all changes, or none when any is invalid. Returns True when saved."""
        errors: dict[str, str] = {}
        changes: dict[str, Any] = {}
        for dotted, field in self.fields.items():
            if not field.editable:
                continue
            typed = self.query_one(f"#{field.input_id}", Input).value
            if typed == value_to_text(field.original):
                continue
            try:
                value = cast_text(field.original, typed, dotted)
            except TrixyError as exc:
                errors[dotted] = str(exc)
                continue
            problem = field.spec.check(value)
            if problem:
                errors[dotted] = f"config key '{dotted}' {problem}"
                continue
            changes[dotted] = value
        self._show_errors(errors)
        if errors:
            self._status(f"Not saved: {len(errors)} invalid value(s); the file is unchanged.")
            return False
        if not changes:
            self._status("No changes.")
            return True
        try:
            for dotted, value in changes.items():
                self.config.set(dotted, value)
            self.config.save()
        except (TrixyError, OSError) as exc:
            self._status(f"Not saved: {exc}")
            return False
        for dotted in changes:
            self.fields[dotted].original = self.config.get(dotted)
        self._status(f"Saved {len(changes)} change(s) to {_shown_path(self.config.path, self.root)}; "
                     "some settings take effect after a restart.")
        self.post_message(self.Saved(changes))
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        for dotted, field in self.fields.items():
            label = self.query_one(f"#{field.input_id}-error", Label)
            label.update(errors.get(dotted, ""))
            label.display = dotted in errors

    def _status(self, message: str) -> None:
        self.query_one("#config-status", Label).update(message)

    def on_mount(self) -> None:
        """Hide the empty error lines."""
        self._show_errors({})
