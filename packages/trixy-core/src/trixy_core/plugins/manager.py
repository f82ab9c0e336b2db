"""The plugin manager: finds plugin folders, loads, unloads and reloads them at run time, and reports broken ones.

A broken folder (missing main.py, syntax error, no `TrixyPlugin` subclass, invalid config.json, an exception in the
constructor or `on_load`) is logged, kept in `problems` for the TUI and raised as a `plugin error` event; the other
plugins load normally.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import EventError, PluginLoadError
from trixy_core.events import names
from trixy_core.events.data import PluginError, PluginLoaded, PluginUnloaded
from trixy_core.events.handler import EventHandler
from trixy_core.plugins.base import TrixyPlugin, load_plugin_config
from trixy_core.plugins.loader import (
    MAIN_FILE,
    import_plugin_main,
    import_plugin_submodule,
    purge_plugin_modules,
)

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class PluginProblem:
    """Why a plugin folder could not be loaded (shown by the TUI's plugin list)."""

    name: str
    path: str
    phase: str
    message: str
    timestamp: float = field(default_factory=time.time)


@dataclass(slots=True)
class PluginStatus:
    """One row of the TUI's plugin list: a loaded plugin or a broken folder."""

    name: str
    path: str
    loaded: bool
    enabled: bool
    active: bool
    version: str = ""
    description: str = ""
    modified: float | None = None
    """Newest modification time (epoch seconds) of the folder's .py and .json files."""
    problem: str = ""


def _newest_mtime(folder: Path) -> float | None:
    times = [p.stat().st_mtime for p in folder.glob("*") if p.suffix in (".py", ".json") and p.is_file()]
    return max(times) if times else None


async def _call_hook(hook: Any, event_handler: EventHandler) -> None:
    if inspect.iscoroutinefunction(hook):
        await hook()
    else:
        result = await event_handler.run_in_worker(hook)
        if inspect.isawaitable(result):
            await result


class PluginManager:
    """Owns every loaded plugin; events reach a plugin only while it is loaded and enabled."""

    def __init__(self, application: TrixyApplication, plugins_dir: Path, event_handler: EventHandler) -> None:
        self.application = application
        self.plugins_dir = Path(plugins_dir)
        self.event_handler = event_handler
        self.problems: list[PluginProblem] = []
        self._plugins: dict[str, TrixyPlugin] = {}
        self._active: set[str] = set()
        self._lock = asyncio.Lock()
        self._hook_tasks: set[asyncio.Future[Any]] = set()
        self._loading_all = False

    # -- lookup ------------------------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> TrixyPlugin:
        return self._plugins[name]

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[TrixyPlugin]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def get(self, name: str) -> TrixyPlugin | None:
        """The loaded plugin called `name`, or None."""
        return self._plugins.get(name)

    @property
    def names(self) -> list[str]:
        """Names of the loaded plugins, sorted."""
        return sorted(self._plugins)

    def is_active(self, name: str) -> bool:
        """True when the plugin is loaded, enabled and its `on_load` succeeded."""
        return name in self._active

    def overview(self) -> list[PluginStatus]:
        """Every plugin folder, loaded or broken, sorted by name (what the TUI's plugin view lists)."""
        problems = {p.name: p for p in self.problems}
        rows: list[PluginStatus] = []
        for name in sorted(set(self.discover()) | set(self._plugins) | set(problems)):
            folder = self.plugins_dir / name
            plugin = self._plugins.get(name)
            problem = problems.get(name)
            rows.append(
                PluginStatus(
                    name=name,
                    path=str(folder),
                    loaded=plugin is not None,
                    enabled=plugin.enabled if plugin is not None else False,
                    active=name in self._active,
                    version=str(getattr(plugin, "version", "")) if plugin is not None else "",
                    description=str(getattr(plugin, "description", "")) if plugin is not None else "",
                    modified=_newest_mtime(folder) if folder.is_dir() else None,
                    problem=f"{problem.phase}: {problem.message}" if problem else "",
                )
            )
        return rows

    def discover(self) -> list[str]:
        """Names of the plugin folders under the plugins folder (hidden and `_`-prefixed ones skipped)."""
        if not self.plugins_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.plugins_dir.iterdir()
            if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "__pycache__"
        )

    # -- loading -----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Application start-up: load every plugin folder (broken ones are reported and skipped)."""
        loaded = await self.load_all()
        logger.info("%d plugin(s) loaded, %d problem(s)", len(loaded), len(self.problems))

    async def load_all(self) -> list[str]:
        """Load every discovered plugin that is not loaded yet; returns the names that loaded."""
        loaded: list[str] = []
        self._loading_all = True
        try:
            for name in self.discover():
                if name in self._plugins:
                    continue
                try:
                    await self.load(name)
                except PluginLoadError:
                    continue
                loaded.append(name)
        finally:
            self._loading_all = False
        for name in loaded:
            self.event_handler.check_subscriptions(name)
        return loaded

    async def load(self, name: str) -> TrixyPlugin:
        """Load `plugins/<name>`; raises `PluginLoadError` (also recorded in `problems`) when the folder is broken."""
        async with self._lock:
            if name in self._plugins:
                raise PluginLoadError(name, "is already loaded (use reload)", "load")
            try:
                return await self._load(name)
            except PluginLoadError as exc:
                self._record_problem(name, exc)
                raise

    async def _load(self, name: str) -> TrixyPlugin:
        folder = self.plugins_dir / name
        if not folder.is_dir():
            raise PluginLoadError(name, f"no plugin folder {folder}", "load")
        if not (folder / MAIN_FILE).is_file():
            raise PluginLoadError(name, f"missing {MAIN_FILE} in {folder}", "import")
        config = load_plugin_config(name, folder)
        module = import_plugin_main(name, folder)
        plugin_class = self._find_plugin_class(name, module)
        try:
            plugin = plugin_class(self.application, name, folder, config)
        except Exception as exc:
            purge_plugin_modules(name)
            raise PluginLoadError(name, f"{plugin_class.__name__}() raised {type(exc).__name__}: {exc}", "init") from exc
        plugin._manager = self
        self._declare(name, plugin_class)
        # Held from the first subscription until on_load() has returned: a handler never sees a half-built plugin,
        # and the events raised meanwhile reach it afterwards, in order (none is lost).
        self.event_handler.hold(name)
        self.event_handler.subscribe_decorated(plugin, owner=name)
        self.event_handler.subscribe_decorated(module, owner=name)
        self._plugins[name] = plugin
        if not self._loading_all:  # during load_all a later plugin may declare what this one hears: check at the end
            self.event_handler.check_subscriptions(name)
        self.problems = [p for p in self.problems if p.name != name]
        if plugin.enabled:
            try:
                await self._activate(plugin)
            except PluginLoadError:
                self._forget(name)
                raise
        else:
            logger.info("plugin %s loaded (disabled)", name)
        return plugin

    def _declare(self, name: str, plugin_class: type[TrixyPlugin]) -> None:
        """Record the events the plugin raises (`raises_events`); a bad declaration is a load error, named."""
        try:
            self.event_handler.declare_events(name, plugin_class.raises_events)
        except EventError as exc:
            purge_plugin_modules(name)
            raise PluginLoadError(name, f"{plugin_class.__name__}.raises_events: {exc}", "import") from exc

    def _find_plugin_class(self, name: str, module: types.ModuleType) -> type[TrixyPlugin]:
        candidates = [
            value
            for value in vars(module).values()
            if inspect.isclass(value)
            and issubclass(value, TrixyPlugin)
            and value is not TrixyPlugin
            and value.__module__ == module.__name__
        ]
        if not candidates:
            purge_plugin_modules(name)
            raise PluginLoadError(name, f"{MAIN_FILE} defines no class extending TrixyPlugin", "import")
        if len(candidates) > 1:
            logger.warning(
                "plugin %s: %s defines several TrixyPlugin classes (%s); using %s",
                name,
                MAIN_FILE,
                ", ".join(c.__name__ for c in candidates),
                candidates[0].__name__,
            )
        return candidates[0]

    async def _activate(self, plugin: TrixyPlugin) -> None:
        """Run on_load() with the plugin's events held, and only then let its handlers see them (held ones first)."""
        self.event_handler.hold(plugin.name)
        try:
            await _call_hook(plugin.on_load, self.event_handler)
        except Exception as exc:
            self.event_handler.drop_held(plugin.name)
            raise PluginLoadError(plugin.name, f"on_load raised {type(exc).__name__}: {exc}", "on_load") from exc
        await self.event_handler.release(plugin.name)
        self._active.add(plugin.name)
        logger.info("plugin %s loaded", plugin.name)
        self._emit(names.PLUGIN_LOADED, PluginLoaded(plugin.name, str(plugin.version), str(plugin.path)))

    async def _deactivate(self, plugin: TrixyPlugin, reason: str) -> None:
        self.event_handler.mute(plugin.name)
        if plugin.name not in self._active:
            return
        self._active.discard(plugin.name)
        try:
            await _call_hook(plugin.on_unload, self.event_handler)
        except Exception as exc:
            problem = PluginLoadError(plugin.name, f"on_unload raised {type(exc).__name__}: {exc}", "on_unload")
            self._record_problem(plugin.name, problem)
        self._emit(names.PLUGIN_UNLOADED, PluginUnloaded(plugin.name, reason))

    def _forget(self, name: str) -> None:
        self.event_handler.unsubscribe_owner(name)
        self.event_handler.contract.forget(name)
        self.event_handler.drop_held(name)
        self.event_handler.unmute(name)
        plugin = self._plugins.pop(name, None)
        if plugin is not None:
            plugin._manager = None
        self._active.discard(name)
        purge_plugin_modules(name)

    async def unload(self, name: str, reason: str = "unloaded") -> None:
        """Stop and forget a plugin: `on_unload` runs, its handlers are removed, its modules purged."""
        async with self._lock:
            plugin = self._plugins.get(name)
            if plugin is None:
                raise PluginLoadError(name, "is not loaded", "unload")
            await self._deactivate(plugin, reason)
            self._forget(name)

    async def reload(self, name: str) -> TrixyPlugin:
        """Unload (when loaded) and load again from disk: picks up code and config changes without a restart."""
        if name in self._plugins:
            await self.unload(name, reason="reload")
        return await self.load(name)

    async def set_enabled(self, name: str, enabled: bool) -> None:
        """Enable or disable a loaded plugin (persisted in its config.json); hooks run before this returns."""
        plugin = self._plugins.get(name)
        if plugin is None:
            raise PluginLoadError(name, "is not loaded", "enable")
        if plugin.enabled != enabled or "enabled" not in plugin.config:
            plugin.config["enabled"] = bool(enabled)
            plugin.save_config()
        await self._apply_enabled(plugin, enabled)

    async def _apply_enabled(self, plugin: TrixyPlugin, enabled: bool) -> None:
        async with self._lock:
            if enabled and plugin.name not in self._active:
                try:
                    await self._activate(plugin)
                except PluginLoadError as exc:
                    self._record_problem(plugin.name, exc)
            elif not enabled:
                await self._deactivate(plugin, "disabled")

    def enabled_changed(self, plugin: TrixyPlugin, enabled: bool) -> None:
        """Called by `TrixyPlugin.enabled = ...`: mutes at once, then runs on_load/on_unload on the loop."""
        if not enabled:
            self.event_handler.mute(plugin.name)
        coro = self._apply_enabled(plugin, enabled)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            task = loop.create_task(coro)
            self._hook_tasks.add(task)
            task.add_done_callback(self._hook_tasks.discard)
            return
        bound = self.event_handler.loop
        if bound is not None and bound.is_running():
            asyncio.run_coroutine_threadsafe(coro, bound)
        else:
            # No event loop anywhere (a plain script): run the hooks here, so on_load still comes before any event.
            asyncio.run(coro)

    def config_view(self, name: str) -> types.ModuleType | None:
        """The plugin's optional `config_view.py` module (the TUI draws it instead of the generic editor)."""
        if name not in self._plugins:
            raise PluginLoadError(name, "is not loaded", "config_view")
        return import_plugin_submodule(name, "config_view")

    async def close(self) -> None:
        """Unload every plugin (on_unload hooks run), in reverse load order."""
        if self._hook_tasks:
            await asyncio.wait(list(self._hook_tasks), timeout=5)
        for name in reversed(list(self._plugins)):
            try:
                await self.unload(name, reason="shutdown")
            except PluginLoadError as exc:
                logger.warning("%s", exc)

    # -- reporting ---------------------------------------------------------------------------------------------

    def _record_problem(self, name: str, exc: PluginLoadError) -> None:
        path = str(self.plugins_dir / name)
        self.problems = [p for p in self.problems if p.name != name]
        self.problems.append(PluginProblem(name, path, exc.phase, exc.reason))
        logger.error("%s (skipped)", exc)
        self._emit(names.PLUGIN_ERROR, PluginError(name, exc.reason, path, exc.phase))

    def _emit(self, event: str, data: Any) -> None:
        try:
            self.event_handler.trigger(event, data)
        except Exception as exc:  # no loop yet: the record in `problems` and the log are enough
            logger.debug("could not raise %s: %s", event, exc)
