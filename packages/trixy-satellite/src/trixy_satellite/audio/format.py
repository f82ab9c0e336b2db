"""PCM formats of the satellite's streams and the conversions between them (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True, frozen=True)
class AudioFormat:
    """16-bit little-endian PCM at `sample_rate` with `channels` interleaved channels."""

    sample_rate: int
    channels: int

    @property
    def frame_bytes(self) -> int:
        """Bytes per sample frame (all channels)."""
        return 2 * self.channels

    @property
    def bytes_per_second(self) -> int:
        return self.sample_rate * self.frame_bytes

    def bytes_for(self, seconds: float) -> int:
        """Whole frames covering `seconds`, in bytes."""
        return int(round(seconds * self.sample_rate)) * self.frame_bytes

    def seconds(self, nbytes: int) -> float:
        """Duration of `nbytes` of PCM."""
        return nbytes / self.bytes_per_second


MIC_FORMAT = AudioFormat(16000, 1)
"""Microphone / raw audio input stream (port 2102)."""
SPEECH_FORMAT = AudioFormat(16000, 1)
"""TTS output stream (port 2103)."""
MUSIC_FORMAT = AudioFormat(48000, 2)
"""Music output stream (port 2104)."""


def convert(pcm: bytes, source: AudioFormat, target: AudioFormat) -> bytes:
    """Resample (linear) and up/down-mix s16le PCM from `source` to `target`."""
    if source == target or not pcm:
        return pcm
    data = np.frombuffer(pcm[: len(pcm) - len(pcm) % source.frame_bytes], dtype="<i2")
    data = data.reshape(-1, source.channels).astype(np.float32)
    if source.sample_rate != target.sample_rate and len(data):
        n_out = max(1, round(len(data) * target.sample_rate / source.sample_rate))
        x_new = np.linspace(0, len(data) - 1, n_out, dtype=np.float64)
        x_old = np.arange(len(data), dtype=np.float64)
        data = np.stack([np.interp(x_new, x_old, data[:, c]) for c in range(source.channels)], axis=1)
    if source.channels != target.channels:
        mono = data.mean(axis=1, keepdims=True)
        data = np.repeat(mono, target.channels, axis=1)
    return np.clip(np.rint(data), -32768, 32767).astype("<i2").tobytes()
