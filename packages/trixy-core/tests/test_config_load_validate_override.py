"""Config files: defaults written on first start, validation messages, overrides, atomic save, extensibility."""

from __future__ import annotations

import json

import pytest

from trixy_core.config import Config, ConfigField, ConfigSection, parse_override
from trixy_core.config.schema import ConfigSchema
from trixy_core.config.sections import CORE_SECTIONS
from trixy_core.errors import ConfigError


@pytest.fixture
def schema():
    # Only the core's sections: other packages (trixy-server...) register theirs in the shared schema when imported.
    s = ConfigSchema(CORE_SECTIONS)
    s.register(
        ConfigSection(
            "network",
            "Sockets.",
            (
                ConfigField("command_port", int, 2101, "Command socket.", minimum=1, maximum=65535),
                ConfigField("bind_address", str, "0.0.0.0", "Listen address."),
            ),
            modes=("server", "standalone"),
        )
    )
    return s


def test_missing_file_is_written_with_the_documented_defaults(tmp_path, schema):
    path = tmp_path / "config" / "server_config.json"
    config = Config.load(path, "server", schema=schema)
    written = json.loads(path.read_text())
    assert written["network"] == {"command_port": 2101, "bind_address": "0.0.0.0"}
    assert written["general"]["profile"] == "default"
    assert config.get("network.command_port") == 2101
    client = Config.load(tmp_path / "client.json", "client", schema=schema)
    assert "network" not in client.as_dict() and "scheduler" not in client.as_dict()


def test_invalid_values_name_the_file_the_key_and_the_expected_type(tmp_path, schema):
    path = tmp_path / "server_config.json"
    path.write_text(json.dumps({"network": {"command_port": "2101", "bind_address": 5}, "logging": {"level": "LOUD"}}))
    with pytest.raises(ConfigError) as err:
        Config.load(path, "server", schema=schema)
    message = str(err.value)
    assert str(path) in message
    assert "'network.command_port' must be an integer, got string '2101'" in message
    assert "'network.bind_address' must be a string" in message
    assert "'logging.level' must be one of" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{broken", "invalid JSON at line 1"), ("[1, 2]", "top level must be a JSON object"), ('{"network": 3}', "'network' must be an object")],
)
def test_broken_files_are_refused_before_anything_starts(tmp_path, schema, text, expected):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        Config.load(path, "server", schema=schema)
    assert path.read_text() == text  # nothing was overwritten


def test_overrides_win_over_the_file_and_are_not_saved(tmp_path, schema):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"network": {"command_port": 3000}}))
    config = Config.load(path, "server", schema=schema, overrides=["network.command_port=4000", "general.name=123"])
    assert config.get("network.command_port") == 4000 and config.get("general.name") == "123"
    assert config.is_overridden("network.command_port")
    config.set("logging.level", "DEBUG")
    config.save()
    saved = json.loads(path.read_text())
    assert saved["network"]["command_port"] == 3000 and saved["logging"]["level"] == "DEBUG"
    assert not list(tmp_path.glob(".c.json.*"))  # the temporary file was renamed away


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("network.command_port=abc", "must be an integer"),
        ("network.command_port=70000", "at most 65535"),
        ("network.nope=1", "unknown configuration key"),
        ("portonly", "expected KEY=VALUE"),
        ("a.b.c=1", "must be section.key"),
    ],
)
def test_bad_overrides_are_clear_errors(tmp_path, schema, override, expected):
    with pytest.raises(ConfigError, match=expected):
        Config.load(tmp_path / "c.json", "server", schema=schema, overrides=[override])


def test_set_validates_and_float_fields_accept_integers(tmp_path, schema):
    config = Config.load(tmp_path / "c.json", "server", schema=schema)
    config.set("conversation.answer_timeout_s", 5)
    assert config.get("conversation.answer_timeout_s") == 5.0
    assert isinstance(config["conversation"]["answer_timeout_s"], float)
    with pytest.raises(ConfigError, match="'network.command_port' must be an integer"):
        config.set("network.command_port", True)
    with pytest.raises(ConfigError, match="unknown configuration key"):
        config.set("network.missing", 1)


def test_override_values_are_parsed_as_json_or_text():
    assert parse_override("a.b=[1, 2]") == ("a.b", [1, 2])
    assert parse_override("a.b=true") == ("a.b", True)
    assert parse_override("a.b=hello world") == ("a.b", "hello world")


def test_registering_a_conflicting_section_is_refused(schema):
    with pytest.raises(ConfigError, match="already registered"):
        schema.register(ConfigSection("network", "other", (ConfigField("x", int, 1),)))
    with pytest.raises(TypeError, match="default"):
        ConfigField("port", int, "2101")
