"""Speech-to-text plugin: `raw audio input received` -> `text received`, offline with pocketsphinx.

The recognition grammar is compiled from the intents plugin's sentence catalogue (at load, and again on every
`intents changed`), so in-domain commands are decoded against exactly the sentences the assistant understands; the
general English model takes what the grammar rejects. Another engine is one more plugin with the same two events.
Nothing recognised -> "Sorry, I didn't catch that" and the conversation is closed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import RawAudioInputReceived, SayRequested, TextReceived
from trixy_core.plugins import TrixyPlugin

from .engine import DEFAULT_EARLIER_STARTS_S, PocketsphinxRecogniser, SttError, Transcript

logger = logging.getLogger(__name__)

INTENTS_CHANGED = "intents changed"


class PocketsphinxSttPlugin(TrixyPlugin):
    """Wraps `PocketsphinxRecogniser`; decoding runs in a worker thread so the event loop never waits on it."""

    version = "1.0.0"
    description = "Offline speech-to-text (pocketsphinx) with a grammar compiled from the installed intents."
    raises_events = (names.TEXT_RECEIVED, names.SAY)

    def on_load(self) -> None:
        """Load the acoustic model and compile the grammar from the intents plugin, when it is there."""
        self.recogniser = PocketsphinxRecogniser(
            min_score_ratio=float(self.config.get("min_score_ratio", 1.0)),
            general_fallback=bool(self.config.get("general_fallback", True)),
            extra_pronunciations=dict(self.config.get("pronunciations", {}) or {}),
            wake_words=list(self.config.get("wake_words", []) or []),
            earlier_starts_s=self.config.get("earlier_starts_s", list(DEFAULT_EARLIER_STARTS_S)),
            recheck_accepted=_flag(self.config.get("recheck_accepted", False), "recheck_accepted"),
        )
        self.last_transcript: Transcript | None = None
        self._grammar_lock = threading.Lock()
        self.grammar_revision = 0
        manager = self.application.get("plugin_manager")
        intents_plugin = manager.get(str(self.config.get("intents_plugin", "intents"))) if manager else None
        catalogue = getattr(intents_plugin, "catalogue", None)
        if catalogue is not None:
            self.update_grammar(catalogue)
        if self.config.get("preload_general_model", False):
            self.recogniser.warm_up()

    def update_grammar(self, catalogue: Any) -> None:
        """Compile `catalogue.intents` (hassil) into the recogniser's JSGF grammar (or drop it when disabled).
        Catalogues older than the one in use (by `revision`) are ignored."""
        with self._grammar_lock:
            revision = int(getattr(catalogue, "revision", 0))
            if revision and revision < self.grammar_revision:
                return
            self.grammar_revision = revision
            if not self.config.get("use_grammar", True):
                self.recogniser.set_grammar(None)
                return
            grammar = self.recogniser.compile_grammar(catalogue.intents)
            try:
                self.recogniser.set_grammar(grammar)
            except SttError as exc:
                logger.error("STT grammar not usable, general model only: %s", exc)
                self.recogniser.set_grammar(None)

    @TrixyEvent([INTENTS_CHANGED])
    def on_intents_changed(self, event_name: str, event_data: Any) -> None:
        """The intent catalogue changed: recompile (runs in a worker thread)."""
        catalogue = getattr(event_data, "catalogue", None)
        if catalogue is not None:
            self.update_grammar(catalogue)

    @TrixyEvent([names.RAW_AUDIO_INPUT_RECEIVED])
    async def on_audio(self, event_name: str, event_data: RawAudioInputReceived) -> None:
        """Transcribe the utterance and raise `text received` (or answer "didn't catch that" when empty)."""
        try:
            transcript = await asyncio.to_thread(self.recogniser.transcribe, event_data.pcm, event_data.sample_rate,
                                                 event_data.lead_pcm)
        except SttError as exc:
            logger.error("conversation %s: speech-to-text failed: %s", event_data.conversation_id, exc)
            transcript = Transcript("", 0.0, "none")
        self.last_transcript = transcript
        logger.info(
            "conversation %s: heard %r (%s, ratio %.2f, %.0f ms for %.1f s%s)", event_data.conversation_id,
            transcript.text, transcript.source, transcript.score_ratio, transcript.decode_s * 1000, transcript.audio_s,
            f", from {transcript.earlier_s * 1000:.0f} ms before the cut" if transcript.earlier_s else "",
        )
        if not transcript.text:
            await self._not_recognised(event_data)
            return
        await self.trigger(
            names.TEXT_RECEIVED,
            TextReceived(
                text=transcript.text,
                conversation_id=event_data.conversation_id,
                satellite_id=event_data.satellite_id,
                speaker_id=event_data.speaker_id,
                speaker_name=event_data.speaker_name,
                confidence=transcript.confidence,
                source=self.name,
            ),
        )

    async def _not_recognised(self, data: RawAudioInputReceived) -> None:
        reply = str(self.config.get("not_understood_reply", "Sorry, I didn't catch that"))
        conversations = self.application.get("conversations")
        conversation = conversations.get(data.conversation_id) if conversations is not None else None
        if conversation is not None and conversation.is_open:
            await conversation.say(reply, source=self.name)
            await conversation.end("nothing recognised")
            return
        await self.trigger(
            names.SAY, SayRequested(reply, conversation_id=data.conversation_id, satellite_id=data.satellite_id,
                                    source=self.name)
        )


def _flag(value: Any, key: str) -> bool:
    """A config value that must be true or false (a string like "false" would otherwise read as true)."""
    if not isinstance(value, bool):
        raise SttError(f"{key} must be true or false, got {value!r}")
    return value
