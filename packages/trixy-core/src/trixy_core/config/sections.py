"""trixy-core's own config sections (other packages register theirs the same way)."""

from __future__ import annotations

from trixy_core.config.schema import ConfigField, ConfigSchema, ConfigSection

GENERAL = ConfigSection(
    "general",
    "Who this Trixy is.",
    (
        ConfigField("name", str, "Trixy", "Name shown in the TUI title and logs."),
        ConfigField("profile", str, "default", "Asset profile: assets/<profile>/ is searched before assets/default/."),
        ConfigField("language", str, "en", "Language code passed to speech plugins."),
    ),
)

PATHS = ConfigSection(
    "paths",
    "Folders, relative to Trixy's root folder unless absolute.",
    (
        ConfigField("plugins", str, "plugins", "Plugin folders (plugins/<name>/main.py + config.json)."),
        ConfigField("models", str, "models", "Wake-word and voice-recognition models."),
        ConfigField("assets", str, "assets", "Asset profiles (assets/<profile>/...)."),
        ConfigField("trainer", str, "trainer", "Trainer data and runs."),
        ConfigField("state", str, "state",
                    "Runtime state Trixy writes (schedule runs, timers): git-ignored, apart from the shipped config."),
    ),
)

LOGGING = ConfigSection(
    "logging",
    "Log files and the in-memory log the TUI shows.",
    (
        ConfigField("level", str, "INFO", "Log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
        ConfigField("folder", str, "logs", "Folder for rotated log files (relative to the root)."),
        ConfigField("file", str, "trixy.log", "Log file name inside the folder."),
        ConfigField("max_bytes", int, 1_000_000, "Size at which the log file is rotated.", minimum=10_000),
        ConfigField("backup_count", int, 5, "Rotated files kept.", minimum=0, maximum=100),
        ConfigField("buffer_size", int, 2000, "Log records kept in memory for the TUI's log view.", minimum=10),
    ),
)

EVENTS = ConfigSection(
    "events",
    "The event handler.",
    (
        ConfigField("history_size", int, 500, "Recent events kept for the TUI.", minimum=1),
        ConfigField("worker_threads", int, 8, "Threads that run plain (sync) event handlers.", minimum=1, maximum=256),
    ),
    modes=("server", "standalone"),
)

CONVERSATION = ConfigSection(
    "conversation",
    "Conversations opened by a wake word.",
    (
        ConfigField("answer_timeout_s", float, 15.0, "Default wait for the answer to a plugin's question.", minimum=0.1),
        ConfigField("idle_timeout_s", float, 30.0, "A conversation with no activity for this long is closed.", minimum=0.1),
        ConfigField("max_turns", int, 200, "Turns kept per conversation.", minimum=1),
    ),
    modes=("server", "standalone"),
)

SCHEDULER = ConfigSection(
    "scheduler",
    "The schedule manager.",
    (
        ConfigField("enabled", bool, True, "Run schedules at all."),
        ConfigField("file", str, "schedules.json", "Schedule file, relative to the config folder."),
        ConfigField(
            "misfire_grace_s",
            float,
            3600.0,
            "A run missed while Trixy was stopped is made up once at start if it is at most this old.",
            minimum=0,
        ),
        ConfigField("timezone", str, "", "Time zone for time-of-day triggers; empty = the system's local zone."),
    ),
    modes=("server", "standalone"),
)

CORE_SECTIONS: tuple[ConfigSection, ...] = (GENERAL, PATHS, LOGGING, EVENTS, CONVERSATION, SCHEDULER)

CONFIG_SCHEMA = ConfigSchema(CORE_SECTIONS)
"""The shared schema: packages call `register_section(...)` at import time to add theirs."""


def register_section(section: ConfigSection, *, replace: bool = False) -> ConfigSection:
    """Add a section to the shared schema (call it when your package is imported)."""
    return CONFIG_SCHEMA.register(section, replace=replace)
