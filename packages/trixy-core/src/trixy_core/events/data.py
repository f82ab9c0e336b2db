"""Typed event data: one `@dataclass(slots=True)` per built-in event.

Every class whose event belongs to a conversation carries `conversation_id` (None when there is none yet). Audio is
16-bit little-endian mono PCM in `bytes` (`pcm`) with its `sample_rate`; nothing here is ever pickled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from trixy_core.events import names


def _now() -> float:
    return time.time()


@dataclass(slots=True)
class WakewordReceived:
    """A satellite heard a wake word (raised by the server after arbitration, or by the standalone detector)."""

    satellite_id: str
    wake_word_id: int = 0
    """Index of the wake word in the model: by convention 0 = custom, 1 = system command."""
    wake_word_name: str = ""
    is_system_command: bool = False
    """True for the "system command" wake word: only then are administration intents allowed."""
    speaker_id: int = -1
    """Index into the voice-recognition model's speaker list; -1 when unknown."""
    speaker_name: str = ""
    confidence: float = 0.0
    volume: float = 0.0
    """Loudness (RMS, 0..1) the satellite measured; the server picks the loudest satellite."""
    conversation_id: str | None = None
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class SatelliteConnected:
    """A registered satellite connected and was accepted."""

    satellite_id: str
    mac: str = ""
    room: str = ""
    alias: str = ""
    address: str = ""
    version: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class SatelliteDisconnected:
    """A satellite's command connection closed or was lost."""

    satellite_id: str
    reason: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class SatelliteRegistered:
    """An unknown satellite was registered while the server was in registration mode."""

    satellite_id: str
    mac: str = ""
    room: str = ""
    alias: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class RawAudioInputReceived:
    """A recorded utterance is complete (silence, 60 s limit or abort): the input of speech-to-text plugins."""

    conversation_id: str | None
    pcm: bytes
    """16-bit little-endian mono PCM."""
    sample_rate: int = 16000
    speaker_id: int = -1
    speaker_name: str = ""
    satellite_id: str = ""
    wake_word_id: int = 0
    duration_s: float = 0.0
    stop_reason: str = ""
    """Why recording stopped: "silence", "max_length", "abort"."""
    timestamp: float = field(default_factory=_now)
    lead_pcm: bytes = b""
    """The audio just before ``pcm`` (same format; at most a few hundred ms; empty when none): the satellite judged
    the command to start where ``pcm`` starts (``WakeWordDetected.command_lead_ms``). A speech-to-text decodes
    ``pcm`` and may try again from up to this much earlier when the command's first sound was cut."""


@dataclass(slots=True)
class TextReceived:
    """Speech-to-text produced text for an utterance (or text was typed in)."""

    text: str
    conversation_id: str | None = None
    satellite_id: str = ""
    speaker_id: int = -1
    speaker_name: str = ""
    confidence: float = 1.0
    source: str = ""
    """The plugin (or component) that produced the text."""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class IntentReceived:
    """Natural-language understanding turned text into an intent with slots."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    conversation_id: str | None = None
    satellite_id: str = ""
    speaker_id: int = -1
    speaker_name: str = ""
    confidence: float = 1.0
    is_system_command: bool = False
    """True when the conversation was opened with the system-command wake word."""
    source: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class SayRequested:
    """Somebody wants text spoken: a TTS plugin turns it into a `tts received` event."""

    text: str
    conversation_id: str | None = None
    satellite_id: str = ""
    expect_answer: bool = False
    """True when the text is a question: after playing it, the satellite records the answer."""
    source: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class TtsReceived:
    """Synthesised speech ready to play; the server streams it on the audio-output socket."""

    pcm: bytes
    sample_rate: int = 16000
    conversation_id: str | None = None
    satellite_id: str = ""
    text: str = ""
    expect_answer: bool = False
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ConversationStarted:
    """A conversation was opened (normally right after a wake word)."""

    conversation_id: str
    satellite_id: str = ""
    speaker_id: int = -1
    speaker_name: str = ""
    wake_word_id: int = 0
    is_system_command: bool = False
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ConversationEnded:
    """A conversation was closed: finished, timed out or aborted."""

    conversation_id: str
    satellite_id: str = ""
    reason: str = ""
    duration_s: float = 0.0
    turns: int = 0
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ScheduleTriggered:
    """A schedule fired; its actions are about to run."""

    name: str
    trigger: str = ""
    """Which trigger fired, e.g. "cron */5 * * * *" or "event satellite connected"."""
    scheduled_for: float | None = None
    """The planned fire time (epoch seconds); None for event triggers."""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ScheduleFinished:
    """A schedule's actions have all run."""

    name: str
    duration_s: float = 0.0
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class PluginLoaded:
    """A plugin was loaded (or re-loaded) and is taking part."""

    name: str
    version: str = ""
    path: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class PluginUnloaded:
    """A plugin was unloaded or disabled and receives no more events."""

    name: str
    reason: str = ""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class PluginError:
    """A plugin folder could not be loaded, or a plugin hook failed."""

    name: str
    message: str
    path: str = ""
    phase: str = ""
    """"import", "config", "on_load", "on_unload", ..."""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class TrainingProgress:
    """A trainer finished an epoch (or changed state); the TUI's trainer view shows it."""

    trainer: str
    epoch: int = 0
    max_epochs: int = 0
    loss: float | None = None
    accuracy: float | None = None
    epoch_s: float | None = None
    eta_s: float | None = None
    status: str = "running"
    """"running", "finished", "failed", "stopped"."""
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ApplicationLifecycle:
    """The application started or is stopping."""

    mode: str
    timestamp: float = field(default_factory=_now)


@dataclass(slots=True)
class ErrorEvent:
    """An event handler (or another component) raised; `owner` says whose code it was."""

    message: str
    owner: str = ""
    """Plugin name (or component) whose handler raised."""
    event_name: str = ""
    """The event that was being handled."""
    exception_type: str = ""
    traceback: str = ""
    conversation_id: str | None = None
    timestamp: float = field(default_factory=_now)


EVENT_DATA_TYPES: dict[str, type] = {
    names.WAKEWORD_RECEIVED: WakewordReceived,
    names.SATELLITE_CONNECTED: SatelliteConnected,
    names.SATELLITE_DISCONNECTED: SatelliteDisconnected,
    names.SATELLITE_REGISTERED: SatelliteRegistered,
    names.RAW_AUDIO_INPUT_RECEIVED: RawAudioInputReceived,
    names.TEXT_RECEIVED: TextReceived,
    names.INTENT_RECEIVED: IntentReceived,
    names.SAY: SayRequested,
    names.TTS_RECEIVED: TtsReceived,
    names.CONVERSATION_STARTED: ConversationStarted,
    names.CONVERSATION_ENDED: ConversationEnded,
    names.SCHEDULE_TRIGGERED: ScheduleTriggered,
    names.SCHEDULE_FINISHED: ScheduleFinished,
    names.PLUGIN_LOADED: PluginLoaded,
    names.PLUGIN_UNLOADED: PluginUnloaded,
    names.PLUGIN_ERROR: PluginError,
    names.TRAINING_PROGRESS: TrainingProgress,
    names.APPLICATION_STARTED: ApplicationLifecycle,
    names.APPLICATION_STOPPING: ApplicationLifecycle,
    names.ERROR: ErrorEvent,
}
"""The data class each built-in event carries, keyed by canonical event name."""


def conversation_id_of(data: object) -> str | None:
    """The conversation id an event's data carries, or None (works for dicts and any object)."""
    if isinstance(data, dict):
        value = data.get("conversation_id")
    else:
        value = getattr(data, "conversation_id", None)
    return value if isinstance(value, str) else None
