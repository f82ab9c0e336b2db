"""The plugin config editor rule: values are edited as text and cast back to the original JSON type.

The TUI only draws `editable_fields(config)` as text boxes and calls `apply_text_edits(config, edits)`; a value that
does not cast raises `PluginConfigValueError` naming the key, the text and the expected type, and nothing is changed.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from trixy_core.errors import PluginConfigValueError

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(slots=True)
class EditableField:
    """One leaf of a plugin config shown as a text box: dotted key, current text and JSON type name."""

    key: str
    text: str
    type_name: str


def json_type_name(value: Any) -> str:
    """The JSON type name of a Python value ("boolean", "integer", "number", "string", "array", "object", "null")."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return type(value).__name__


def value_to_text(value: Any) -> str:
    """How a value is shown in its text box (booleans as true/false, arrays and objects as JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def cast_text(original: Any, text: str, key: str = "value") -> Any:
    """Cast edited `text` to the JSON type of `original`; `PluginConfigValueError` when it does not fit."""
    stripped = text.strip()
    expected = json_type_name(original)

    def fail(hint: str = "") -> PluginConfigValueError:
        return PluginConfigValueError(
            f"config key '{key}': {text!r} is not a valid {expected} (current value {value_to_text(original)!r}){hint}"
        )

    if isinstance(original, bool):
        low = stripped.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise fail("; use true or false")
    if isinstance(original, int):
        try:
            return int(stripped, 10)
        except ValueError:
            raise fail("; use a whole number such as 42") from None
    if isinstance(original, float):
        try:
            value = float(stripped)
        except ValueError:
            raise fail("; use a number such as 0.5") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise fail("; JSON has no NaN or infinity")
        return value
    if isinstance(original, str):
        return text
    if original is None:
        if not stripped:
            return None
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return text
    if isinstance(original, list | dict):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise fail(f"; JSON error: {exc.msg}") from None
        if type(value) is not type(original):
            raise fail()
        return value
    raise fail()


def editable_fields(config: dict[str, Any], prefix: str = "") -> list[EditableField]:
    """Flatten a config into dotted keys (nested objects expanded) for the generic editor."""
    fields: list[EditableField] = []
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            fields.extend(editable_fields(value, dotted + "."))
        else:
            fields.append(EditableField(dotted, value_to_text(value), json_type_name(value)))
    return fields


def apply_text_edits(config: dict[str, Any], edits: dict[str, str]) -> dict[str, Any]:
    """A copy of `config` with the edited texts cast back; all or nothing (every bad key listed in one error)."""
    result = copy.deepcopy(config)
    errors: list[str] = []
    for dotted, text in edits.items():
        parts = dotted.split(".")
        node: Any = result
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or parts[-1] not in node:
            errors.append(f"config key '{dotted}' does not exist")
            continue
        try:
            node[parts[-1]] = cast_text(node[parts[-1]], text, dotted)
        except PluginConfigValueError as exc:
            errors.append(str(exc))
    if errors:
        raise PluginConfigValueError("; ".join(errors))
    return result
