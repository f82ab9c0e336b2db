"""`Config`: one mode's JSON config file, validated against the schema, with command-line overrides on top.

Load order: schema defaults < the file < `--set key=value` overrides. A missing file is written with the documented
defaults; an invalid file raises one `ConfigError` listing every bad key (file, key, expected type) before anything
starts. `set()` + `save()` change the file atomically; overrides are never written back.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trixy_core.config.schema import ConfigSchema
from trixy_core.config.sections import CONFIG_SCHEMA
from trixy_core.errors import ConfigError
from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic

logger = logging.getLogger(__name__)

_MISSING = object()


def default_config_path(root: Path, mode: str) -> Path:
    """`<root>/config/<mode>_config.json`, the file a mode uses without `--config`."""
    return Path(root) / "config" / f"{mode}_config.json"


def parse_override(text: str) -> tuple[str, Any]:
    """Split `section.key=VALUE`; VALUE is read as JSON when it parses (`8080`, `true`, `[1,2]`), else as text."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. --set logging.level=DEBUG")
    key, _, raw = text.partition("=")
    key = key.strip()
    if key.count(".") != 1 or not all(key.split(".")):
        raise ConfigError(f"--set {text!r}: the key must be section.key, e.g. network.command_port")
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


class Config:
    """The effective configuration of one mode; read with `get("section.key")` or `config["section"]["key"]`."""

    def __init__(
        self,
        path: Path,
        mode: str,
        file_data: dict[str, Any],
        *,
        schema: ConfigSchema | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.mode = mode
        self.schema = schema or CONFIG_SCHEMA
        self._file = file_data
        self._overrides = dict(overrides or {})
        self._lock = threading.RLock()

    # -- loading -----------------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: Path,
        mode: str,
        *,
        schema: ConfigSchema | None = None,
        overrides: Iterable[str] | dict[str, Any] = (),
        write_defaults: bool = True,
    ) -> Config:
        """Read and validate `path` (writing the defaults first when it does not exist), then apply overrides."""
        schema = schema or CONFIG_SCHEMA
        path = Path(path)
        defaults = schema.defaults_for(mode)
        if not path.exists():
            data: dict[str, Any] = copy.deepcopy(defaults)
            if write_defaults:
                write_json_atomic(path, data)
                logger.info("wrote default configuration to %s", path)
        else:
            try:
                raw = read_json(path)
            except (JsonFileError, OSError) as exc:
                raise ConfigError(f"cannot read configuration: {exc}") from exc
            if not isinstance(raw, dict):
                raise ConfigError(f"{path}: the top level must be a JSON object of sections, got {type(raw).__name__}")
            data = raw
        config = cls(path, mode, data, schema=schema)
        config._validate_file()
        override_map = dict(overrides) if isinstance(overrides, dict) else dict(parse_override(o) for o in overrides)
        config._apply_overrides(override_map)
        return config

    def _validate_file(self) -> None:
        errors: list[str] = []
        for section in self.schema.sections_for(self.mode):
            values = self._file.get(section.name, _MISSING)
            if values is _MISSING:
                continue
            if not isinstance(values, dict):
                errors.append(f"key '{section.name}' must be an object of settings, got {type(values).__name__}")
                continue
            for key, value in values.items():
                spec = section.field_named(key)
                if spec is None:
                    logger.warning("%s: unknown key '%s.%s' ignored (kept in the file)", self.path, section.name, key)
                    continue
                problem = spec.check(value)
                if problem:
                    errors.append(f"key '{section.name}.{key}' {problem}")
        if errors:
            raise ConfigError(f"{self.path}: invalid configuration: " + "; ".join(errors))

    def _apply_overrides(self, overrides: dict[str, Any]) -> None:
        errors: list[str] = []
        for dotted, value in overrides.items():
            section_name, _, key = dotted.partition(".")
            section = self.schema.section(section_name)
            spec = section.field_named(key) if section else None
            if spec is None or self.mode not in section.modes:  # type: ignore[union-attr]
                errors.append(f"--set {dotted}: unknown configuration key for mode {self.mode!r}")
                continue
            if spec.type is str and not isinstance(value, str):
                value = json.dumps(value)  # `--set general.name=123` means the text "123"
            problem = spec.check(value)
            if problem:
                errors.append(f"--set {dotted}: {problem}")
                continue
            self._overrides[dotted] = spec.coerce(value)
        if errors:
            raise ConfigError("invalid command-line override: " + "; ".join(errors))

    # -- reading -----------------------------------------------------------------------------------------------

    def get(self, dotted: str, default: Any = _MISSING) -> Any:
        """The effective value of `section.key` (override, else file, else schema default)."""
        with self._lock:
            if dotted in self._overrides:
                return copy.deepcopy(self._overrides[dotted])
            section_name, _, key = dotted.partition(".")
            values = self._file.get(section_name)
            if isinstance(values, dict) and key in values:
                section = self.schema.section(section_name)
                spec = section.field_named(key) if section else None
                return spec.coerce(values[key]) if spec else copy.deepcopy(values[key])
            section = self.schema.section(section_name)
            spec = section.field_named(key) if section else None
            if spec is not None:
                return copy.deepcopy(spec.default)
        if default is _MISSING:
            raise KeyError(f"unknown configuration key {dotted!r}")
        return default

    def section(self, name: str) -> dict[str, Any]:
        """A copy of one section's effective values."""
        section = self.schema.section(name)
        result: dict[str, Any] = dict(section.defaults()) if section else {}
        with self._lock:
            stored = self._file.get(name)
            if isinstance(stored, dict):
                result.update(copy.deepcopy(stored))
            for dotted, value in self._overrides.items():
                s, _, k = dotted.partition(".")
                if s == name:
                    result[k] = copy.deepcopy(value)
        if section:
            for key, value in list(result.items()):
                spec = section.field_named(key)
                if spec is not None and value is not None:
                    result[key] = spec.coerce(value)
        if not result and section is None:
            raise KeyError(f"unknown configuration section {name!r}")
        return result

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.section(name)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Every section of this mode with effective values (for the TUI's config view)."""
        names = [s.name for s in self.schema.sections_for(self.mode)]
        names += [n for n in self._file if n not in names and isinstance(self._file[n], dict)]
        return {n: self.section(n) for n in names}

    @property
    def overrides(self) -> dict[str, Any]:
        """The command-line overrides in force."""
        return dict(self._overrides)

    def is_overridden(self, dotted: str) -> bool:
        """Whether a command-line override hides the file's value (the TUI shows it read-only)."""
        return dotted in self._overrides

    # -- changing ----------------------------------------------------------------------------------------------

    def set(self, dotted: str, value: Any) -> None:
        """Validate and store `value` in the file's data (call `save()` to write); clears an override of that key."""
        section_name, _, key = dotted.partition(".")
        section = self.schema.section(section_name)
        spec = section.field_named(key) if section else None
        if spec is None:
            raise ConfigError(f"{self.path}: unknown configuration key '{dotted}'")
        problem = spec.check(value)
        if problem:
            raise ConfigError(f"{self.path}: key '{dotted}' {problem}")
        with self._lock:
            self._file.setdefault(section_name, {})[key] = spec.coerce(value)
            self._overrides.pop(dotted, None)

    def save(self) -> None:
        """Write the file's values (completed with defaults, without overrides) atomically."""
        with self._lock:
            data = copy.deepcopy(self._file)
            for section in self.schema.sections_for(self.mode):
                merged = section.defaults()
                stored = data.get(section.name)
                if isinstance(stored, dict):
                    merged.update(stored)
                data[section.name] = merged
        write_json_atomic(self.path, data)
