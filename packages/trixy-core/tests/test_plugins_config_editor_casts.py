"""The plugin config editor rule: text in, original JSON type out, clear error otherwise."""

from __future__ import annotations

import pytest

from trixy_core.errors import PluginConfigValueError
from trixy_core.plugins import apply_text_edits, cast_text, editable_fields


@pytest.mark.parametrize(
    ("original", "text", "expected"),
    [
        (3, " 42 ", 42),
        (0.5, "1e-3", 0.001),
        (1.0, "2", 2.0),
        (True, "off", False),
        (False, "Yes", True),
        ("a", " keep spaces ", " keep spaces "),
        ([1], "[2, 3]", [2, 3]),
        ({"a": 1}, '{"b": 2}', {"b": 2}),
        (None, "", None),
        (None, "7", 7),
    ],
)
def test_text_is_cast_back_to_the_original_type(original, text, expected):
    value = cast_text(original, text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("original", "text", "hint"),
    [(3, "4.5", "integer"), (3, "abc", "whole number"), (True, "maybe", "true or false"), (0.1, "nan", "number"), ([1], "{}", "array")],
)
def test_value_that_does_not_cast_is_a_clear_error(original, text, hint):
    with pytest.raises(PluginConfigValueError, match="config key 'k'") as err:
        cast_text(original, text, "k")
    assert hint in str(err.value)


def test_edits_are_all_or_nothing_and_nested_keys_work():
    config = {"enabled": True, "audio": {"rate": 16000, "gain": 1.0}, "name": "x"}
    fields = {f.key: (f.text, f.type_name) for f in editable_fields(config)}
    assert fields == {
        "enabled": ("true", "boolean"),
        "audio.rate": ("16000", "integer"),
        "audio.gain": ("1.0", "number"),
        "name": ("x", "string"),
    }
    updated = apply_text_edits(config, {"audio.rate": "8000", "enabled": "false"})
    assert updated == {"enabled": False, "audio": {"rate": 8000, "gain": 1.0}, "name": "x"}
    assert config["audio"]["rate"] == 16000
    with pytest.raises(PluginConfigValueError) as err:
        apply_text_edits(config, {"audio.rate": "fast", "missing": "1", "name": "ok"})
    assert "audio.rate" in str(err.value) and "'missing' does not exist" in str(err.value)
