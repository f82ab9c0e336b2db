"""`create_application(mode, ...)`: builds the container for server, client or standalone.

The config is loaded and validated first, so an invalid file raises `ConfigError` before any component exists.
Server and standalone get the event handler, assets, plugins, scheduler and conversations; a client (satellite) gets
only the event handler and assets (its audio and network parts are registered by trixy-satellite).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from trixy_core.application.container import Application
from trixy_core.application.extensions import install_component_extensions
from trixy_core.assets.manager import AssetManager
from trixy_core.config.schema import MODES, ConfigSchema
from trixy_core.config.store import Config, default_config_path
from trixy_core.conversation.manager import ConversationManager
from trixy_core.errors import ApplicationError
from trixy_core.events.handler import EventHandler
from trixy_core.logging.setup import configure_logging
from trixy_core.plugins.manager import PluginManager

logger = logging.getLogger(__name__)

FULL_MODES = ("server", "standalone")


def create_application(
    mode: str,
    root: Path | str = ".",
    config_path: Path | str | None = None,
    overrides: Iterable[str] | dict[str, Any] = (),
    debug: bool = False,
    *,
    schema: ConfigSchema | None = None,
    setup_logging: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Application:
    """Build (not start) the application for `mode`; `ConfigError` when the config is invalid."""
    if mode not in MODES:
        raise ApplicationError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    root = Path(root).resolve()
    path = Path(config_path) if config_path else default_config_path(root, mode)
    if not path.is_absolute():
        path = (Path.cwd() / path) if config_path else path
    config = Config.load(path, mode, schema=schema, overrides=overrides)
    app = Application(mode, root, config, debug=debug)
    if setup_logging:
        folder = Path(config.get("logging.folder"))
        app.logging = configure_logging(
            folder=folder if folder.is_absolute() else root / folder,
            file_name=config.get("logging.file"),
            level=config.get("logging.level"),
            max_bytes=config.get("logging.max_bytes"),
            backup_count=config.get("logging.backup_count"),
            buffer_size=config.get("logging.buffer_size"),
            debug=debug,
        )
    events = config.section("events") if mode in FULL_MODES else {"history_size": 200, "worker_threads": 4}
    handler = app.register(
        "event_handler",
        EventHandler(history_size=events["history_size"], max_workers=events["worker_threads"]),
    )
    app.register("asset_manager", AssetManager(app.path("assets"), config.get("general.profile")))
    if mode in FULL_MODES:
        conv = config.section("conversation")
        app.register(
            "conversations",
            ConversationManager(
                handler,
                answer_timeout_s=conv["answer_timeout_s"],
                idle_timeout_s=conv["idle_timeout_s"],
                max_turns=conv["max_turns"],
            ),
        )
        app.register("plugin_manager", PluginManager(app, app.path("plugins"), handler))
        # imported here: APScheduler and tzlocal are trixy-core's `scheduler` extra, which a satellite never installs
        from trixy_core.scheduler.manager import ScheduleManager

        sched = config.section("scheduler")
        schedule_file = Path(sched["file"])
        scheduler = ScheduleManager(
            handler,
            schedule_file if schedule_file.is_absolute() else config.path.parent / schedule_file,
            state_path=app.path("state") / "schedules.json",
            functions=app.functions,
            trainer_runner=lambda trainer, params: _run_trainer(app, trainer, params),
            misfire_grace_s=sched["misfire_grace_s"],
            timezone=sched["timezone"] or None,
            clock=clock,
            enabled=sched["enabled"],
        )
        app.register("scheduler", scheduler)
        _register_builtin_functions(app)
    install_component_extensions(app)
    return app


def _run_trainer(app: Application, trainer: str, params: dict[str, Any]) -> Any:
    runner = app.get("trainer_runner")
    if runner is None:
        raise ApplicationError(
            f"cannot start training '{trainer}': no trainer runner registered "
            "(trixy-trainer registers application.register('trainer_runner', fn))"
        )
    return runner(trainer, params)


def _register_builtin_functions(app: Application) -> None:
    async def reload_plugins() -> list[str]:
        manager: PluginManager = app.plugin_manager
        for name in manager.names:
            await manager.reload(name)
        return manager.names + await manager.load_all()

    async def trigger_event(event: str, data: dict[str, Any] | None = None) -> None:
        await app.event_handler.trigger(event, data or {})

    def log_message(message: str, level: str = "INFO") -> None:
        logging.getLogger("trixy.schedule").log(logging.getLevelName(level.upper()), "%s", message)

    app.functions.register("reload_plugins", reload_plugins, "Reload every plugin from disk and load new ones.")
    app.functions.register("trigger_event", trigger_event, "Raise an event with a dict of data.")
    app.functions.register("log_message", log_message, "Write a message to the log.")


def application_from_args(args: argparse.Namespace) -> Application:
    """Build the application from the `trixy` CLI's parsed arguments (mode, --root, --config, --set, --debug)."""
    return create_application(
        args.mode,
        root=getattr(args, "root", ".") or ".",
        config_path=getattr(args, "config", None),
        overrides=list(getattr(args, "overrides", []) or []),
        debug=bool(getattr(args, "debug", False)),
    )
