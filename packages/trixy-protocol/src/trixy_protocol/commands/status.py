"""Status and configuration exchange that feeds the server TUI's satellite views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import register_command


@register_command
@dataclass(slots=True)
class StatusRequest:
    """server -> satellite: send a SatelliteStatus now."""


@register_command
@dataclass(slots=True)
class SatelliteStatus:
    """satellite -> server: facts for the TUI (sent on request and after changes)."""

    uptime_s: float = 0.0
    """seconds since the satellite process started"""
    hostname: str = ""
    """host name"""
    platform: str = ""
    """OS / OS version"""
    version: str = ""
    """trixy client version"""
    wakeword_model: str = ""
    """wake-word model name/version in use"""
    voice_model: str = ""
    """voice-recognition model name/version in use"""
    last_wake_word_us: int | None = None
    """when the last wake word was heard (µs since epoch), None = never"""
    last_wake_word: str = ""
    """which wake word that was"""
    last_speaker: str = ""
    """who said it"""
    conversation_active: bool = False
    """a recording/conversation is running now"""
    extra: dict[str, Any] = field(default_factory=dict)
    """free-form additional facts (plain values)"""


@register_command
@dataclass(slots=True)
class ConfigRequest:
    """server -> satellite: send your configuration (SatelliteConfig)."""


@register_command
@dataclass(slots=True)
class SatelliteConfig:
    """satellite -> server: the satellite's configuration values (secrets left out)."""

    values: dict[str, Any] = field(default_factory=dict)
    """config as plain JSON-like values"""


@register_command
@dataclass(slots=True)
class ConfigUpdate:
    """server -> satellite: change these configuration keys (dotted paths allowed) and save."""

    values: dict[str, Any] = field(default_factory=dict)
    """key -> new value"""
    restart: bool = False
    """restart the satellite process to apply"""
