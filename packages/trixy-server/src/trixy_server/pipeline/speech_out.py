"""`SpeechRouter`: `tts received` -> the conversation's satellite over the 16 kHz speech socket, in order.

Each satellite has a FIFO lock, so a question and the next answer never overlap. The handler returns at once (the
plugin that spoke is not held up by playback); after a question (`expect_answer`) has been sent the router calls
`on_question_sent(satellite, conversation_id)` so the pipeline can make the satellite listen again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from trixy_core.events.data import TtsReceived
from trixy_server.audio_convert import to_stream_pcm

logger = logging.getLogger(__name__)

SPEECH_RATE = 16000


class SpeechRouter:
    """Streams synthesised speech to satellites; records when each utterance started going out (benchmarks)."""

    def __init__(self, manager: Any, on_question_sent: Callable[[Any, str], Awaitable[None]]) -> None:
        self.manager = manager
        self.on_question_sent = on_question_sent
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.sent: list[tuple[str, str, int, float]] = []
        """(satellite id, conversation id, bytes, monotonic time the stream started) of the last utterances."""

    def satellite_for(self, satellite_id: str) -> Any:
        """The connected satellite with this id (or MAC), else None."""
        try:
            satellite = self.manager.get(satellite_id) if satellite_id else None
        except Exception:
            return None
        return satellite if satellite is not None and satellite.connected else None

    async def on_tts(self, event_name: str, data: TtsReceived) -> None:
        """Queue the speech for its satellite (returns before playback ends)."""
        satellite = self.satellite_for(data.satellite_id)
        if satellite is None:
            logger.warning("conversation %s: speech %r for satellite %r, which is not connected: dropped",
                           data.conversation_id, data.text, data.satellite_id)
            return
        pcm = data.pcm if data.sample_rate == SPEECH_RATE else to_stream_pcm(
            data.pcm, sample_rate=data.sample_rate, target_rate=SPEECH_RATE, target_channels=1)
        task = asyncio.get_running_loop().create_task(self._play(satellite, pcm, data), name="trixy-speech-out")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _play(self, satellite: Any, pcm: bytes, data: TtsReceived) -> None:
        lock = self._locks.setdefault(satellite.id, asyncio.Lock())
        async with lock:
            started = time.monotonic()
            self.sent.append((satellite.id, data.conversation_id or "", len(pcm), started))
            del self.sent[:-50]
            try:
                await satellite.play(pcm, sample_rate=SPEECH_RATE)
            except Exception as exc:
                logger.error("conversation %s: speech to satellite %s failed: %s", data.conversation_id,
                             satellite.id, exc)
                return
            logger.debug("conversation %s: %d bytes of speech sent to %s in %.2f s", data.conversation_id, len(pcm),
                         satellite.id, time.monotonic() - started)
            if data.expect_answer and data.conversation_id:
                await self.on_question_sent(satellite, data.conversation_id)

    async def close(self) -> None:
        """Cancel speech still queued."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
