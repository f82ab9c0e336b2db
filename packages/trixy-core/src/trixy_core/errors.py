"""The trixy-core exception hierarchy: every message says what to fix."""

from __future__ import annotations


class TrixyError(Exception):
    """Base of every error trixy-core raises on purpose."""


class EventError(TrixyError):
    """Misuse of the event handler (bad pattern, trigger without a running loop, closed handler)."""


class ConfigError(TrixyError):
    """A configuration file or value is invalid; the message names the file, the key and the expected type."""


class PluginLoadError(TrixyError):
    """A plugin folder cannot be loaded; the message names the plugin and what is wrong."""

    def __init__(self, plugin: str, message: str, phase: str = "") -> None:
        super().__init__(f"plugin '{plugin}': {message}")
        self.plugin = plugin
        self.reason = message
        self.phase = phase


class PluginConfigValueError(TrixyError):
    """A value typed into the plugin config editor does not cast to the key's original JSON type."""


class AssetError(TrixyError):
    """An asset path was refused (it escapes the assets folder or is malformed)."""


class ScheduleError(TrixyError):
    """A schedule definition is invalid, or a schedule operation cannot be done."""


class ConversationError(TrixyError):
    """A conversation operation cannot be done (closed conversation, a question already open, ...)."""


class ConversationTimeout(ConversationError, TimeoutError):
    """Nobody answered a question within its timeout."""


class ApplicationError(TrixyError):
    """The application container cannot be built, started or stopped as asked."""
