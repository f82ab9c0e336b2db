"""`TrixyPlugin`: the class every plugin's main.py extends.

A plugin reaches everything through `self.application` (event handler, satellites, assets, scheduler, ...). Its
`config.json` is loaded into `self.config`; `enabled` lives there. Lifecycle: `on_load()` runs when the plugin starts
taking part (loaded while enabled, or enabled later), `on_unload()` when it stops (unloaded, reloaded or disabled).
Both may be `async def`; a plain one runs in a worker thread so it may block (e.g. loading a model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import PluginLoadError
from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic


class PluginOwner(Protocol):
    """What a plugin tells the manager that loaded it (`PluginManager` fits; named here so base never imports it)."""

    def enabled_changed(self, plugin: TrixyPlugin, enabled: bool) -> None:
        """The plugin's `enabled` changed: run its on_load/on_unload."""
        ...

CONFIG_FILE = "config.json"


def load_plugin_config(name: str, path: Path) -> dict[str, Any]:
    """Read and check `<path>/config.json`; a missing file gives `{"enabled": true}`, a bad one `PluginLoadError`."""
    file = Path(path) / CONFIG_FILE
    if not file.exists():
        return {"enabled": True}
    try:
        data = read_json(file)
    except (JsonFileError, OSError) as exc:
        raise PluginLoadError(name, f"invalid {CONFIG_FILE}: {exc}", "config") from exc
    if not isinstance(data, dict):
        raise PluginLoadError(
            name, f"invalid {file}: the top level must be a JSON object, got {type(data).__name__}", "config"
        )
    if "enabled" in data and not isinstance(data["enabled"], bool):
        raise PluginLoadError(
            name, f"invalid {file}: key 'enabled' must be true or false, got {data['enabled']!r}", "config"
        )
    return data


class TrixyPlugin:
    """Base class of every plugin; subclass it in `plugins/<name>/main.py` and decorate handlers with `@TrixyEvent`."""

    version: str = "0.0.0"
    description: str = ""
    raises_events: tuple[str, ...] = ()
    """The events this plugin raises beyond the core's (`names.ALL_EVENTS`): its side of the declared-events contract.

    A subscription (by any plugin) to an exact name that neither the core nor a loaded plugin declares is logged as
    a warning with the closest declared name, so a typo such as "satelite connected" does not fail silently.
    """

    def __init__(self, application: TrixyApplication, name: str, path: Path, config: dict[str, Any]) -> None:
        self.application = application
        self.name = name
        self.path = Path(path)
        self.config: dict[str, Any] = config
        self._manager: PluginOwner | None = None

    # -- enabled -----------------------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether the plugin takes part; stored as `enabled` in its config.json (default true)."""
        return bool(self.config.get("enabled", True))

    @enabled.setter
    def enabled(self, value: bool) -> None:
        value = bool(value)
        if value == self.enabled and "enabled" in self.config:
            return
        self.config["enabled"] = value
        self.save_config()
        if self._manager is not None:
            self._manager.enabled_changed(self, value)

    def is_enabled(self) -> bool:
        """Same as `enabled` (the spec's spelling)."""
        return self.enabled

    # -- config ------------------------------------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        """The plugin's config.json."""
        return self.path / CONFIG_FILE

    def reload_config(self) -> dict[str, Any]:
        """Read config.json again (after an outside edit); raises `PluginLoadError` and keeps the old config if bad."""
        was_enabled = self.enabled
        self.config = load_plugin_config(self.name, self.path)
        if self._manager is not None and self.enabled != was_enabled:
            self._manager.enabled_changed(self, self.enabled)
        return self.config

    def save_config(self) -> None:
        """Write `self.config` back to config.json atomically; JSON types are kept as they are in the dict."""
        write_json_atomic(self.config_path, self.config)

    # -- lifecycle hooks ---------------------------------------------------------------------------------------

    def on_load(self) -> Any:
        """Called when the plugin starts taking part; override (sync or async)."""
        return None

    def on_unload(self) -> Any:
        """Called when the plugin stops taking part; release what on_load took. Override (sync or async)."""
        return None

    def sync(self, remote: Any) -> Any:
        """Placeholder for standalone <-> server data sync (notes, address book, ...); the sync issue defines it."""
        return None

    # -- helpers -----------------------------------------------------------------------------------------------

    def trigger(self, event_name: str, data: Any = None) -> Any:
        """Shortcut for `self.application.event_handler.trigger(...)`."""
        return self.application.event_handler.trigger(event_name, data)

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"<{type(self).__name__} plugin {self.name!r} {state}>"
