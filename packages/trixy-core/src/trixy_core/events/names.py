"""Canonical event names and the normalisation rule that makes "Wakeword_Received" and "wakeword received" one event."""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-]+")

WAKEWORD_RECEIVED = "wakeword received"
SATELLITE_CONNECTED = "satellite connected"
SATELLITE_DISCONNECTED = "satellite disconnected"
SATELLITE_REGISTERED = "satellite registered"
RAW_AUDIO_INPUT_RECEIVED = "raw audio input received"
TEXT_RECEIVED = "text received"
INTENT_RECEIVED = "intent received"
SAY = "say"
TTS_RECEIVED = "tts received"
CONVERSATION_STARTED = "conversation started"
CONVERSATION_ENDED = "conversation ended"
SCHEDULE_TRIGGERED = "schedule triggered"
SCHEDULE_FINISHED = "schedule finished"
PLUGIN_LOADED = "plugin loaded"
PLUGIN_UNLOADED = "plugin unloaded"
PLUGIN_ERROR = "plugin error"
TRAINING_PROGRESS = "training progress"
APPLICATION_STARTED = "application started"
APPLICATION_STOPPING = "application stopping"
ERROR = "error"

ALL_EVENTS: tuple[str, ...] = (
    WAKEWORD_RECEIVED,
    SATELLITE_CONNECTED,
    SATELLITE_DISCONNECTED,
    SATELLITE_REGISTERED,
    RAW_AUDIO_INPUT_RECEIVED,
    TEXT_RECEIVED,
    INTENT_RECEIVED,
    SAY,
    TTS_RECEIVED,
    CONVERSATION_STARTED,
    CONVERSATION_ENDED,
    SCHEDULE_TRIGGERED,
    SCHEDULE_FINISHED,
    PLUGIN_LOADED,
    PLUGIN_UNLOADED,
    PLUGIN_ERROR,
    TRAINING_PROGRESS,
    APPLICATION_STARTED,
    APPLICATION_STOPPING,
    ERROR,
)


@lru_cache(maxsize=4096)
def normalise_event_name(name: str) -> str:
    """Lower-case, with `_`, `-` and runs of blanks turned into one space: the form every event is keyed by."""
    if not isinstance(name, str):
        raise TypeError(f"event name must be a str, got {type(name).__name__}")
    normal = _SEPARATORS.sub(" ", name).strip().lower()
    if not normal:
        raise ValueError("event name is empty")
    return normal


def normalise_pattern(pattern: str) -> str:
    """Normalise a subscription pattern: `"*"` (all events), `"satellite *"` (a prefix) or an exact event name."""
    if not isinstance(pattern, str):
        raise TypeError(f"event pattern must be a str, got {type(pattern).__name__}")
    stripped = pattern.strip()
    if stripped == "*":
        return "*"
    if stripped.endswith("*"):
        head = stripped[:-1]
        if "*" in head:
            raise ValueError(f"event pattern {pattern!r}: '*' is only allowed at the end")
        head_norm = _SEPARATORS.sub(" ", head).lower()
        return head_norm.lstrip() + "*"
    if "*" in stripped:
        raise ValueError(f"event pattern {pattern!r}: '*' is only allowed at the end")
    return normalise_event_name(stripped)


def pattern_matches(pattern: str, event_name: str) -> bool:
    """Whether a normalised pattern matches a normalised event name."""
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return event_name.startswith(pattern[:-1])
    return pattern == event_name
