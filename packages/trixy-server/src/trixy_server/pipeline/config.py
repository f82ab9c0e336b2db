"""The `pipeline` config section (arbitration, recording limits, administration) and its typed view."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from trixy_core.config import ConfigField, ConfigSection, register_section

PIPELINE_SECTION = ConfigSection(
    "pipeline",
    "The voice pipeline: wake-word arbitration, recording limits, spoken failure answers, administration.",
    (
        ConfigField("arbitration_window_s", float, 1.0,
                    "After the first 'wake word detected', wait this long for other satellites; the loudest wins.",
                    minimum=0.0),
        ConfigField("silence_s", float, 3.0, "Seconds of silence (after speech) that end a recording.", minimum=0.1),
        ConfigField("max_recording_s", float, 60.0, "Longest recording of one utterance.", minimum=0.5),
        ConfigField("capture_wait_s", float, 3.0,
                    "After 'recording done', wait this long for the last audio bytes to arrive.", minimum=0.1),
        ConfigField("response_timeout_s", float, 20.0,
                    "An utterance that leads to no reply within this time closes the conversation with the "
                    "failure answer.", minimum=0.5),
        ConfigField("trim_silence", bool, True,
                    "Cut the silence after the last speech (keeping 0.3 s) before speech-to-text: the recording "
                    "ends with silence_s of silence that the recogniser would otherwise decode for nothing."),
        ConfigField("speech_threshold_db", float, -40.0, "Chunks louder than this (dBFS) count as speech when trimming."),
        ConfigField("admin_intents", list,
                    ["SetTime", "SetDate", "Reboot", "RebootSatellite", "Shutdown", "EnterRegistrationMode",
                     "ReloadPlugins", "UpdateModels"],
                    "Administrative intents: only allowed in a conversation opened by the system-command wake word."),
        ConfigField("admin_speakers", list, [],
                    "Optional narrowing of who may run administrative intents after the system-command wake word: "
                    "empty = anyone who says it; else identified speakers by name or id; '*' = any identified "
                    "speaker."),
        ConfigField("not_allowed_reply", str, "Sorry, you are not allowed to do that", "Answer to a refused command."),
        ConfigField("not_understood_reply", str, "Sorry, I didn't catch that", "Answer when nothing was recorded."),
        ConfigField("failure_reply", str, "That didn't work", "Answer when the pipeline gave no reply in time."),
    ),
    modes=("server", "standalone"),
)

register_section(PIPELINE_SECTION)


@dataclass(slots=True)
class PipelineSettings:
    """Typed copy of the `pipeline` section; tests build it directly with short windows."""

    arbitration_window_s: float = 1.0
    silence_s: float = 3.0
    max_recording_s: float = 60.0
    capture_wait_s: float = 3.0
    response_timeout_s: float = 20.0
    trim_silence: bool = True
    speech_threshold_db: float = -40.0
    admin_intents: list[str] = field(default_factory=lambda: list(PIPELINE_SECTION.field_named("admin_intents").default))
    admin_speakers: list[str] = field(default_factory=list)
    not_allowed_reply: str = "Sorry, you are not allowed to do that"
    not_understood_reply: str = "Sorry, I didn't catch that"
    failure_reply: str = "That didn't work"

    @classmethod
    def from_config(cls, config: Any) -> PipelineSettings:
        """Read the application's `pipeline` section (defaults when the section was registered after loading)."""
        try:
            values = dict(config.section("pipeline"))
        except Exception:
            values = {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
