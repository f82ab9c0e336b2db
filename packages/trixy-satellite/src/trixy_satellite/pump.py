"""`MicrophonePump`: reads the microphone source and hands every chunk to the consumers (detector, recorder)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from trixy_satellite.audio.sources import AudioSource, SilenceSource
from trixy_satellite.errors import AudioDeviceError

logger = logging.getLogger(__name__)


class MicrophonePump:
    """One loop over the microphone; a consumer that raises is logged and skipped, the others keep getting audio."""

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self.consumers: list[Callable[[bytes], object]] = []
        self.chunks = 0

    def add_consumer(self, consumer: Callable[[bytes], object]) -> None:
        """`consumer(chunk)` for every 16 kHz mono s16le chunk (keep it fast, or hand work to a thread)."""
        self.consumers.append(consumer)

    async def run(self) -> None:
        try:
            await self._loop(self.source)
        except AudioDeviceError as exc:
            logger.error("microphone failed (%s); continuing with silence", exc)
            self.source = SilenceSource(self.source.chunk_ms)
            await self._loop(self.source)

    async def _loop(self, source: AudioSource) -> None:
        async for chunk in source.chunks():
            self.chunks += 1
            for consumer in self.consumers:
                try:
                    consumer(chunk)
                except Exception:
                    logger.exception("microphone consumer %r failed", consumer)

    def close(self) -> None:
        self.source.close()
