"""`PushSource`: a microphone fed by code (demo, benchmarks, tests): pushed PCM, then quiet room noise."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator

import numpy as np

from trixy_satellite.audio.sources import AudioSource


class PushSource(AudioSource):
    """Yields pushed 16 kHz mono s16le audio in `chunk_ms` chunks at `speed` x real time; low noise in between."""

    def __init__(self, chunk_ms: int = 20, *, speed: float = 1.0, noise: float = 20.0, seed: int = 0) -> None:
        super().__init__(chunk_ms)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.noise = noise
        self._rng = np.random.default_rng(seed)
        self._queue: collections.deque[bytes] = collections.deque()
        self._pending = b""
        self.chunks_out = 0

    def push(self, pcm: bytes, gain: float = 1.0) -> float:
        """Queue audio (scaled by `gain`); returns its length in seconds."""
        if len(pcm) % 2:
            raise ValueError("PCM must be 16-bit: its length must be even")
        if gain != 1.0:
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) * gain
            pcm = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
        self._queue.append(pcm)
        return len(pcm) / 32000

    @property
    def pending_s(self) -> float:
        """Seconds of pushed audio not yet played out."""
        return (len(self._pending) + sum(len(c) for c in self._queue)) / 32000

    def _next_chunk(self) -> bytes:
        while len(self._pending) < self.chunk_bytes and self._queue:
            self._pending += self._queue.popleft()
        if self._pending:
            chunk, self._pending = self._pending[: self.chunk_bytes], self._pending[self.chunk_bytes :]
            if len(chunk) < self.chunk_bytes:
                chunk += self._noise(self.chunk_bytes - len(chunk))
            return chunk
        return self._noise(self.chunk_bytes)

    def _noise(self, nbytes: int) -> bytes:
        return self._rng.normal(0, self.noise, nbytes // 2).astype("<i2").tobytes()

    async def chunks(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        step = self.chunk_ms / 1000 / self.speed
        due = loop.time()
        while not self._closed:
            yield self._next_chunk()
            self.chunks_out += 1
            due += step
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                if delay < -0.5:
                    due = loop.time()  # far behind (a busy machine): do not burst to catch up
                await asyncio.sleep(0)
