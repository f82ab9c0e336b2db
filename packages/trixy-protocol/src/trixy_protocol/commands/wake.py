"""Wake-word detection and arbitration between satellites."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import register_command


@register_command
@dataclass(slots=True)
class WakeWordDetected:
    """satellite -> server: a wake word was heard; the satellite is buffering microphone audio.

    The server waits ~1 s for detections from other satellites and picks the loudest.
    """

    wake_word_id: int
    """class index in the wake-word model (e.g. 0 custom, 1 system command)"""
    wake_word_name: str
    """wake-word label from the model metadata ('custom', 'system_command')"""
    speaker_id: int | None = None
    """speaker index from the voice-recognition model (None = unknown)"""
    speaker_name: str = ""
    """speaker name from the model metadata ('' = unknown)"""
    score: float = 0.0
    """wake-word detector probability 0..1"""
    loudness_db: float = -120.0
    """loudness of the wake word in dBFS; arbitration picks the highest"""
    timestamp_us: int = 0
    """when the wake word ended, µs since epoch UTC (satellite clock)"""
    speaker_score: float | None = None
    """speaker-identification score in the speaker model's units: T-norm (standard deviations above its cohort of training voices) when the model has `score_norm`, else cosine (None = not run)"""
    system_command: bool = False
    """True for the administration wake word"""
    command_lead_ms: int = 0
    """how much of the buffered audio (sent on StartStreaming) comes before where the satellite judged the command to start, in ms: a speech-to-text decodes from there, and from up to this much earlier when the command's first sound was cut (0 = the audio starts at the command)"""


@register_command
@dataclass(slots=True)
class StandDown:
    """server -> satellite: another satellite won arbitration (or it was rejected): drop the buffer."""

    reason: str = ""
    """why (e.g. 'louder satellite kitchen-1')"""
    conversation_id: str = ""
    """conversation that was started elsewhere, if any"""


@register_command
@dataclass(slots=True)
class TriggerWakeWord:
    """server -> satellite: behave as if ``wake_word_name`` was detected (TUI test button)."""

    wake_word_name: str = "custom"
    """which wake word to fake"""
