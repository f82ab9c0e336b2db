"""A small declarative config schema that every package extends with its own sections.

trixy-core registers `general`, `paths`, `logging`, `events`, `conversation` and `scheduler`; trixy-server registers
e.g. `network`, trixy-satellite `server`, `audio` and `models`:

    register_section(ConfigSection("network", "Sockets of the server.", (
        ConfigField("command_port", int, 2101, "TCP port of the command socket.", minimum=1, maximum=65535),
        ConfigField("bind_address", str, "0.0.0.0", "Address the sockets listen on."),
    ), modes=("server", "standalone")))
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from trixy_core.errors import ConfigError

MODES: tuple[str, ...] = ("server", "client", "standalone")
ENTRY_POINT_GROUP = "trixy.config_sections"

_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean (true/false)",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
}


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One key of a section: its JSON type, default, one-line documentation and optional limits."""

    key: str
    type: type
    default: Any
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.type not in _TYPE_NAMES:
            raise TypeError(f"config field {self.key!r}: type must be one of bool/int/float/str/list/dict")
        problem = self.check(self.default)
        if problem:
            raise TypeError(f"config field {self.key!r}: default {self.default!r} is invalid: {problem}")

    @property
    def type_name(self) -> str:
        """How the expected type is named in error messages."""
        return _TYPE_NAMES[self.type] + (" or null" if self.nullable else "")

    def check(self, value: Any) -> str | None:
        """None when `value` fits, else what is wrong (without the key, the caller adds it)."""
        if value is None:
            return None if self.nullable else f"must be {self.type_name}, got null"
        if self.type is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, self.type)
        if not ok:
            return f"must be {self.type_name}, got {_describe(value)}"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(repr(c) for c in self.choices)}, got {value!r}"
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            return f"must be at least {self.minimum:g}, got {value!r}"
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            return f"must be at most {self.maximum:g}, got {value!r}"
        return None

    def coerce(self, value: Any) -> Any:
        """The stored form of a valid value (ints given for float fields become floats)."""
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return copy.deepcopy(value)


@dataclass(frozen=True, slots=True)
class ConfigSection:
    """A named group of fields (a top-level object in the config file), used by the listed modes."""

    name: str
    doc: str
    fields: tuple[ConfigField, ...]
    modes: tuple[str, ...] = MODES
    _index: dict[str, ConfigField] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.modes) - set(MODES)
        if unknown:
            raise ValueError(f"config section {self.name!r}: unknown modes {sorted(unknown)}")
        for f in self.fields:
            if f.key in self._index:
                raise ValueError(f"config section {self.name!r}: key {f.key!r} declared twice")
            self._index[f.key] = f

    def field_named(self, key: str) -> ConfigField | None:
        """The field called `key`, or None."""
        return self._index.get(key)

    def defaults(self) -> dict[str, Any]:
        """The section's default values."""
        return {f.key: copy.deepcopy(f.default) for f in self.fields}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class ConfigSchema:
    """All registered sections; one shared instance (`CONFIG_SCHEMA`) plus private ones for tests."""

    def __init__(self, sections: Iterable[ConfigSection] = ()) -> None:
        self._sections: dict[str, ConfigSection] = {}
        self._lock = threading.Lock()
        for section in sections:
            self.register(section)

    def register(self, section: ConfigSection, *, replace: bool = False) -> ConfigSection:
        """Add a section; registering the same name twice is an error unless identical or `replace=True`."""
        with self._lock:
            existing = self._sections.get(section.name)
            if existing is not None and not replace and existing != section:
                raise ConfigError(f"config section {section.name!r} is already registered with other fields")
            self._sections[section.name] = section
        return section

    def section(self, name: str) -> ConfigSection | None:
        """The section called `name`, or None."""
        return self._sections.get(name)

    def sections_for(self, mode: str) -> list[ConfigSection]:
        """The sections a mode uses, in registration order."""
        if mode not in MODES:
            raise ConfigError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
        return [s for s in self._sections.values() if mode in s.modes]

    def defaults_for(self, mode: str) -> dict[str, dict[str, Any]]:
        """The complete default config of a mode."""
        return {s.name: s.defaults() for s in self.sections_for(mode)}

    def copy(self) -> ConfigSchema:
        """An independent schema with the same sections (tests extend it without touching the shared one)."""
        return ConfigSchema(self._sections.values())

    def load_entry_points(self) -> None:
        """Register sections that installed packages advertise in the `trixy.config_sections` entry-point group.

        Each entry point names a `ConfigSection`, a sequence of them, or a function returning either.
        """
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            value = ep.load()
            if callable(value) and not isinstance(value, ConfigSection):
                value = value()
            items: Sequence[ConfigSection] = [value] if isinstance(value, ConfigSection) else list(value)
            for section in items:
                self.register(section)
