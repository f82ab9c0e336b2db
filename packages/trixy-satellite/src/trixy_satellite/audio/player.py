"""The satellite's player: speech (16 kHz mono) and music (48 kHz stereo) through jitter buffers into one sink,
with music ducked (or paused) while speech plays or a conversation is active."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import numpy as np

from trixy_satellite.audio.format import MUSIC_FORMAT, SPEECH_FORMAT, convert
from trixy_satellite.audio.jitter import JitterBuffer
from trixy_satellite.audio.sinks import AudioSink

logger = logging.getLogger(__name__)


class AudioPlayer:
    """Mixes the two output streams every `tick_ms` and writes the result to the sink.

    `music_mode`: `duck` (music at `duck_gain` while speech plays or a conversation is active) or `pause` (music
    held in its buffer meanwhile, resumed afterwards).
    """

    def __init__(self, sink: AudioSink, *, tick_ms: int = 20, duck_gain: float = 0.2, music_mode: str = "duck",
                 speech_prefill_ms: float = 60.0, music_prefill_ms: float = 200.0) -> None:
        if music_mode not in ("duck", "pause"):
            raise ValueError("music_mode must be 'duck' or 'pause'")
        self.sink = sink
        self.tick_ms = tick_ms
        self.duck_gain = duck_gain
        self.music_mode = music_mode
        self.speech = JitterBuffer(SPEECH_FORMAT, prefill_ms=speech_prefill_ms)
        self.music = JitterBuffer(MUSIC_FORMAT, prefill_ms=music_prefill_ms, max_ms=60_000)
        self.conversation_active = False
        """Set by the recorder/pipeline: ducks or pauses music."""
        self.on_speech_finished: Callable[[], None] | None = None
        self._was_speaking = False
        self._task: asyncio.Task | None = None

    @property
    def speaking(self) -> bool:
        """True while speech is buffered or playing."""
        return self.speech.active

    @property
    def ducking(self) -> bool:
        return self.conversation_active or self.speaking

    def push_speech(self, pcm: bytes) -> None:
        self.speech.push(pcm)

    def push_music(self, pcm: bytes) -> None:
        self.music.push(pcm)

    def stop_speech(self) -> None:
        self.speech.clear()

    def stop_music(self) -> None:
        self.music.clear()

    def start(self) -> asyncio.Task:
        """Run the mixing loop on the current event loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="trixy-player")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.sink.close()

    def mix_tick(self) -> bytes | None:
        """One tick of output in the sink's format, or None when nothing plays (public for tests)."""
        seconds = self.tick_ms / 1000
        speech = self.speech.pull(SPEECH_FORMAT.bytes_for(seconds))
        music = None
        if not (self.music_mode == "pause" and self.ducking):
            music = self.music.pull(MUSIC_FORMAT.bytes_for(seconds))
        if speech is None and self._was_speaking and not self.speech.active:
            self._was_speaking = False
            if self.on_speech_finished is not None:
                self.on_speech_finished()
        elif speech is not None:
            self._was_speaking = True
        if speech is None and music is None:
            return None
        target = self.sink.format
        total = np.zeros(target.bytes_for(seconds) // 2, dtype=np.float32)
        if music is not None:
            m = np.frombuffer(convert(music, MUSIC_FORMAT, target), dtype="<i2").astype(np.float32)
            gain = self.duck_gain if self.ducking else 1.0
            total[: len(m)] += m[: len(total)] * gain
        if speech is not None:
            s = np.frombuffer(convert(speech, SPEECH_FORMAT, target), dtype="<i2").astype(np.float32)
            total[: len(s)] += s[: len(total)]
        return np.clip(total, -32768, 32767).astype("<i2").tobytes()

    async def _run(self) -> None:
        start = time.monotonic()
        tick = 0
        while True:
            out = self.mix_tick()
            if out is not None:
                self.sink.write(out)
            tick += 1
            delay = start + tick * self.tick_ms / 1000 - time.monotonic()
            if delay < -1.0:  # fell far behind (suspended laptop, overloaded CPU): resynchronise
                start, tick = time.monotonic(), 0
                delay = 0
            await asyncio.sleep(max(0.0, delay))
