"""Speaker sinks: the sound card, or a WAV file / nothing on headless machines and in tests."""

from __future__ import annotations

import logging
import threading
import wave
from pathlib import Path

from trixy_satellite.audio.format import AudioFormat
from trixy_satellite.errors import AudioDeviceError

logger = logging.getLogger(__name__)


class AudioSink:
    """Takes mixed PCM in `format`; `write` never blocks the event loop for long."""

    def __init__(self, fmt: AudioFormat) -> None:
        self.format = fmt
        self.bytes_written = 0

    def write(self, pcm: bytes) -> None:
        """Play (or store) `pcm`."""
        self.bytes_written += len(pcm)

    def close(self) -> None:
        """Release the device or file."""


class NullSink(AudioSink):
    """Discards audio but counts it (a satellite without a speaker)."""


class WavFileSink(AudioSink):
    """Writes everything played into a WAV file (tests, headless debugging)."""

    def __init__(self, path: Path | str, fmt: AudioFormat) -> None:
        super().__init__(fmt)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._wav = wave.open(str(self.path), "wb")
        self._wav.setnchannels(fmt.channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(fmt.sample_rate)
        self._lock = threading.Lock()

    def write(self, pcm: bytes) -> None:
        with self._lock:
            if self._wav is not None:
                self._wav.writeframes(pcm)
                super().write(pcm)

    def close(self) -> None:
        with self._lock:
            if self._wav is not None:
                self._wav.close()
                self._wav = None


class SoundDeviceSink(AudioSink):
    """The sound card through `sounddevice`; its callback drains a small buffer and plays silence when starved."""

    def __init__(self, fmt: AudioFormat, device: str | int | None = None, *, max_ms: float = 500.0) -> None:
        super().__init__(fmt)
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            raise AudioDeviceError(f"sounddevice/PortAudio is not usable here: {exc}; use a WAV file or 'null'") from exc
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._max = fmt.bytes_for(max_ms / 1000)

        def callback(outdata, frames, time_info, status) -> None:
            need = frames * fmt.frame_bytes
            with self._lock:
                chunk = bytes(self._buf[:need])
                del self._buf[:need]
            outdata[: len(chunk)] = chunk
            if len(chunk) < need:
                outdata[len(chunk) :] = b"\x00" * (need - len(chunk))

        try:
            self._stream = sd.RawOutputStream(samplerate=fmt.sample_rate, channels=fmt.channels, dtype="int16",
                                              device=device, callback=callback)
            self._stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"cannot open output device {device!r}: {exc}") from exc

    def write(self, pcm: bytes) -> None:
        with self._lock:
            self._buf += pcm
            overflow = len(self._buf) - self._max
            if overflow > 0:
                del self._buf[: overflow + (-overflow) % self.format.frame_bytes]
        super().write(pcm)

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def open_sink(spec: str | None, fmt: AudioFormat) -> AudioSink:
    """The sink named by config/CLI: a `.wav` path, `null`, or `device[:name|index]` (default)."""
    if spec == "null":
        return NullSink(fmt)
    if spec is None or spec in ("", "device", "default"):
        return SoundDeviceSink(fmt)
    if spec.startswith("device:"):
        name = spec.split(":", 1)[1]
        return SoundDeviceSink(fmt, int(name) if name.isdigit() else name)
    if Path(spec).suffix.lower() == ".wav":
        return WavFileSink(spec, fmt)
    raise AudioDeviceError(f"unknown audio output {spec!r}: give a .wav file, 'null', or 'device[:name]'")
