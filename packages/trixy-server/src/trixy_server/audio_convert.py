"""Turn what a plugin hands over (WAV path, bytes, numpy array) into the PCM a satellite stream carries."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import numpy as np

from trixy_server.errors import AudioFormatError


def _read_wav(source: str | Path | io.BytesIO) -> tuple[np.ndarray, int]:
    try:
        with wave.open(str(source) if isinstance(source, (str, Path)) else source, "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise AudioFormatError(f"cannot read WAV {source}: {exc}") from exc
    if width != 2:
        raise AudioFormatError(f"WAV {source} is {8 * width}-bit; only 16-bit PCM is supported")
    data = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)
    return data, rate


def resample_clip(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited (FFT) resampling of a short mono int16 clip (an utterance: one FFT is cheap and exact).

    The one copy the speech plugins share (STT input to 16 kHz, espeak-ng's 22050 Hz output to 16 kHz); long
    multi-channel streams (music) use the interpolating `to_stream_pcm` instead.
    """
    if rate_in == rate_out or samples.size == 0:
        return samples.astype(np.int16, copy=False)
    n_out = max(1, int(round(samples.size * rate_out / rate_in)))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = min(spectrum.size, n_out // 2 + 1)
    out = np.fft.irfft(spectrum[:keep], n_out) * (n_out / samples.size)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def _resample(data: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target or len(data) == 0:
        return data
    n_out = max(1, round(len(data) * target / rate))
    x_old = np.arange(len(data), dtype=np.float64)
    x_new = np.linspace(0, len(data) - 1, n_out)
    columns = [np.interp(x_new, x_old, data[:, c].astype(np.float64)) for c in range(data.shape[1])]
    return np.stack(columns, axis=1)


def to_stream_pcm(audio: Any, *, sample_rate: int | None, target_rate: int, target_channels: int) -> bytes:
    """Convert `audio` to s16le PCM at `target_rate` with `target_channels` channels.

    Bytes are taken as already in the target format unless `sample_rate` says otherwise (then mono is assumed);
    float arrays are taken as [-1, 1].
    """
    if isinstance(audio, (str, Path)):
        data, rate = _read_wav(audio)
    elif isinstance(audio, (bytes, bytearray, memoryview)):
        raw = bytes(audio)
        if raw[:4] == b"RIFF":
            data, rate = _read_wav(io.BytesIO(raw))
        else:
            if sample_rate is None or sample_rate == target_rate:
                if len(raw) % (2 * target_channels):
                    raise AudioFormatError(
                        f"raw PCM length {len(raw)} is not a whole number of {target_channels}-channel 16-bit frames"
                    )
                return raw
            if len(raw) % 2:
                raise AudioFormatError("raw PCM must be 16-bit: its length must be even")
            data, rate = np.frombuffer(raw, dtype="<i2").reshape(-1, 1), sample_rate
    elif isinstance(audio, np.ndarray):
        if sample_rate is None:
            raise AudioFormatError("give sample_rate= when playing a numpy array")
        array = audio if audio.ndim == 2 else audio.reshape(-1, 1)
        if np.issubdtype(array.dtype, np.floating):
            array = np.clip(array, -1.0, 1.0) * 32767.0
        data, rate = array, sample_rate
    else:
        raise AudioFormatError(f"cannot play {type(audio).__name__}: give a WAV path, PCM bytes or a numpy array")
    data = _resample(np.asarray(data), rate, target_rate)
    if data.shape[1] != target_channels:
        mono = data.astype(np.float64).mean(axis=1, keepdims=True)
        data = np.repeat(mono, target_channels, axis=1)
    return np.clip(np.rint(data), -32768, 32767).astype("<i2").tobytes()
