"""Microphone sources: the sound card, or a WAV file / raw PCM pipe standing in for it on headless machines."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from trixy_satellite.audio.format import MIC_FORMAT, AudioFormat, convert_clip
from trixy_satellite.errors import AudioDeviceError, AudioFormatError

logger = logging.getLogger(__name__)


class AudioSource:
    """Yields the microphone as `chunk_ms` chunks of 16 kHz mono s16le, in real time."""

    format: AudioFormat = MIC_FORMAT

    def __init__(self, chunk_ms: int = 20) -> None:
        if chunk_ms <= 0:
            raise ValueError("chunk_ms must be positive")
        self.chunk_ms = chunk_ms
        self.chunk_bytes = self.format.bytes_for(chunk_ms / 1000)
        self._closed = False

    def chunks(self) -> AsyncIterator[bytes]:
        """Async iterator of chunks; ends when the source is exhausted or closed."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop yielding chunks."""
        self._closed = True

    def begin(self) -> None:
        """The satellite is connected and listening. A live microphone ignores it; a WAV file opened with
        ``wait_for_begin`` starts playing now, so nothing of it is heard while nobody could answer."""


def read_wav_pcm(path: Path | str, target: AudioFormat = MIC_FORMAT) -> bytes:
    """A 16-bit WAV file as PCM in `target` format (down-mixed and band-limited resampled when needed)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise AudioDeviceError(f"cannot read WAV file {path}: {exc}") from exc
    if width != 2:
        raise AudioFormatError(f"{path} is {8 * width}-bit; convert it to 16-bit PCM (e.g. sox in.wav -b 16 out.wav)")
    return convert_clip(frames, AudioFormat(rate, channels), target)


class WavFileSource(AudioSource):
    """A WAV file as the microphone; after its end: `silence` (a microphone never ends), `loop`, or `stop`."""

    def __init__(self, path: Path | str, *, chunk_ms: int = 20, realtime: bool = True, at_end: str = "silence",
                 lead_silence_s: float = 0.0, wait_for_begin: bool = False) -> None:
        super().__init__(chunk_ms)
        self._begun = asyncio.Event()
        if not wait_for_begin:
            self._begun.set()
        if at_end not in ("silence", "loop", "stop"):
            raise ValueError("at_end must be 'silence', 'loop' or 'stop'")
        self.path = Path(path)
        self.pcm = b"\x00" * self.format.bytes_for(lead_silence_s) + read_wav_pcm(self.path)
        pad = (-len(self.pcm)) % self.chunk_bytes
        self.pcm += b"\x00" * pad
        self.realtime = realtime
        self.at_end = at_end

    def close(self) -> None:
        super().close()
        self._begun.set()  # a file still waiting for its start ends too

    def begin(self) -> None:
        if not self._begun.is_set():
            logger.info("%s: the satellite is listening, the file starts", self.path.name)
        self._begun.set()

    async def chunks(self) -> AsyncIterator[bytes]:
        silence = b"\x00" * self.chunk_bytes
        if not self._begun.is_set():
            logger.info("%s: waiting for the server connection before playing the file", self.path.name)
            await self._begun.wait()
        start = time.monotonic()
        index = 0
        position = 0
        while not self._closed:
            if position + self.chunk_bytes <= len(self.pcm):
                chunk = self.pcm[position : position + self.chunk_bytes]
                position += self.chunk_bytes
            elif self.at_end == "loop" and self.pcm:
                position = 0
                continue
            elif self.at_end == "silence":
                chunk = silence
            else:
                return
            if self.realtime:
                delay = start + index * self.chunk_ms / 1000 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            index += 1
            yield chunk


class SilenceSource(AudioSource):
    """A silent microphone (a satellite that only plays audio)."""

    async def chunks(self) -> AsyncIterator[bytes]:
        silence = b"\x00" * self.chunk_bytes
        start = time.monotonic()
        index = 0
        while not self._closed:
            delay = start + index * self.chunk_ms / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            index += 1
            yield silence


class RawPcmSource(AudioSource):
    """Raw 16 kHz mono s16le PCM from a pipe (default stdin), e.g. `arecord -f S16_LE -r 16000 | trixy client ...`."""

    def __init__(self, stream: BinaryIO | None = None, *, chunk_ms: int = 20) -> None:
        super().__init__(chunk_ms)
        self.stream = stream if stream is not None else sys.stdin.buffer

    async def chunks(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        pending = b""
        while not self._closed:
            block = await loop.run_in_executor(None, self.stream.read, self.chunk_bytes)
            if not block:
                return
            pending += block
            while len(pending) >= self.chunk_bytes:
                yield pending[: self.chunk_bytes]
                pending = pending[self.chunk_bytes :]


class SoundDeviceSource(AudioSource):
    """The sound card through `sounddevice` (PortAudio); the callback hands chunks to the event loop."""

    def __init__(self, device: str | int | None = None, *, chunk_ms: int = 20, max_queue: int = 100) -> None:
        super().__init__(chunk_ms)
        self.device = device
        self.max_queue = max_queue

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            raise AudioDeviceError(f"sounddevice/PortAudio is not usable here: {exc}; use a WAV file or stdin") from exc
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue(self.max_queue)

        def offer(data: bytes) -> None:
            if queue.full():
                queue.get_nowait()  # drop the oldest: the microphone must stay live
            queue.put_nowait(data)

        def callback(indata, frames, time_info, status) -> None:
            loop.call_soon_threadsafe(offer, bytes(indata))

        try:
            stream = sd.RawInputStream(samplerate=self.format.sample_rate, channels=1, dtype="int16",
                                       blocksize=self.chunk_bytes // 2, device=self.device, callback=callback)
            stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"cannot open input device {self.device!r}: {exc}") from exc
        try:
            while not self._closed:
                yield await queue.get()
        finally:
            stream.stop()
            stream.close()


def open_source(spec: str | None, *, chunk_ms: int = 20, realtime: bool = True) -> AudioSource:
    """The source named by config/CLI: a `.wav` path, `-`/`stdin` (raw PCM), `silence`, or `device[:name|index]`."""
    if spec is None or spec in ("", "device", "default"):
        return SoundDeviceSource(None, chunk_ms=chunk_ms)
    if spec in ("-", "stdin"):
        return RawPcmSource(chunk_ms=chunk_ms)
    if spec == "silence":
        return SilenceSource(chunk_ms)
    if spec.startswith("device:"):
        name = spec.split(":", 1)[1]
        return SoundDeviceSource(int(name) if name.isdigit() else name, chunk_ms=chunk_ms)
    path = Path(spec)
    if path.suffix.lower() == ".wav":
        # as the microphone of a satellite: the file starts once it is connected and listening (SatelliteApp calls
        # begin()); before, a wake word at the file's start was heard while nobody could answer, and dropped
        return WavFileSource(path, chunk_ms=chunk_ms, realtime=realtime, wait_for_begin=True)
    raise AudioDeviceError(f"unknown audio input {spec!r}: give a .wav file, '-' for raw PCM on stdin, 'silence', "
                           "or 'device[:name]'")
