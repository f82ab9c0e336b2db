"""Text-to-speech plugin: `say` -> `tts received` (16 kHz mono s16le PCM from espeak-ng), voice/speed from config."""

from __future__ import annotations

import asyncio
import logging

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import SayRequested, TtsReceived
from trixy_core.plugins import TrixyPlugin

from .engine import EspeakSynthesiser, Speech, TtsError

logger = logging.getLogger(__name__)


class EspeakTtsPlugin(TrixyPlugin):
    """Speaks whatever the assistant says; the server streams the resulting `tts received` audio to the satellite."""

    version = "1.0.0"
    description = "Offline text-to-speech with espeak-ng, 16 kHz mono PCM."
    raises_events = (names.TTS_RECEIVED,)

    def on_load(self) -> None:
        """Check espeak-ng and the configured voice once, so a bad config shows at start, not at the first reply."""
        self.synthesiser = EspeakSynthesiser(
            voice=str(self.config.get("voice", "en-us")),
            speed_wpm=int(self.config.get("speed_wpm", 160)),
            pitch=int(self.config.get("pitch", 50)),
            amplitude=int(self.config.get("amplitude", 100)),
            sample_rate=int(self.config.get("sample_rate", 16000)),
        )
        self.synthesiser.synthesise("ok")
        self.last_speech: Speech | None = None

    @TrixyEvent([names.SAY])
    async def on_say(self, event_name: str, event_data: SayRequested) -> None:
        """Synthesise in a worker thread, then raise `tts received` for the conversation's satellite."""
        try:
            speech = await asyncio.to_thread(self.synthesiser.synthesise, event_data.text)
        except TtsError as exc:
            logger.error("conversation %s: cannot speak %r: %s", event_data.conversation_id, event_data.text, exc)
            raise
        self.last_speech = speech
        logger.debug("spoke %r: %.2f s of audio in %.0f ms", speech.text, speech.duration_s, speech.synth_s * 1000)
        await self.trigger(
            names.TTS_RECEIVED,
            TtsReceived(
                pcm=speech.pcm,
                sample_rate=speech.sample_rate,
                conversation_id=event_data.conversation_id,
                satellite_id=event_data.satellite_id,
                text=speech.text,
                expect_answer=event_data.expect_answer,
            ),
        )
