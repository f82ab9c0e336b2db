"""One readable line per voice-pipeline event: `--debug` output of the server and the demo's step list."""

from __future__ import annotations

from typing import Any

PIPELINE_EVENTS = ("wakeword received", "raw audio input received", "text received", "intent received", "say",
                   "tts received", "conversation ended")


def describe_event(event_name: str, data: Any) -> str | None:
    """One line per voice-pipeline event for debug output and the demo (None for other events)."""
    if event_name == "wakeword received":
        others = ", ".join(f"{c.satellite_id} {c.loudness_db:.1f} dBFS" for c in getattr(data, "candidates", []))
        return (f"wake word {data.wake_word_name!r} (score {data.confidence:.2f}), speaker "
                f"{data.speaker_name or 'unknown'} (id {data.speaker_id}) -> arbitration chose {data.satellite_id} "
                f"of [{others}], conversation {data.conversation_id}")
    if event_name == "raw audio input received":
        return f"recorded {data.duration_s:.2f} s on {data.satellite_id} (stopped by {data.stop_reason})"
    if event_name == "text received":
        return f"STT ({data.source}): {data.text!r}"
    if event_name == "intent received":
        return f"intent: {data.intent} {data.slots}"
    if event_name == "say":
        return f"reply ({data.source or 'trixy'}): {data.text!r}"
    if event_name == "tts received":
        return f"TTS: {len(data.pcm)} bytes ({len(data.pcm) / 2 / data.sample_rate:.2f} s) to {data.satellite_id}"
    if event_name == "conversation ended":
        return f"conversation {data.conversation_id} ended: {data.reason}"
    return None
