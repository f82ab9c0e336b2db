"""WAV reading/writing at a fixed sample rate: any input is downmixed and resampled, output is 16-bit mono."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from trixy_trainer.errors import AudioFileError

SAMPLE_RATE = 16000


def read_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read ``path`` as float32 mono in [-1, 1] at ``sample_rate`` (resampled/downmixed when needed)."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise AudioFileError(f"{path}: file is empty")
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except AudioFileError:
        raise
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise AudioFileError(f"{path}: unreadable audio ({exc})") from exc
    if data.shape[0] == 0:
        raise AudioFileError(f"{path}: no audio samples (truncated?)")
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if rate != sample_rate:
        mono = resample(mono, rate, sample_rate)
    return np.clip(mono, -1.0, 1.0).astype(np.float32)


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling from ``rate_in`` to ``rate_out``."""
    if rate_in == rate_out:
        return audio.astype(np.float32)
    g = math.gcd(rate_in, rate_out)
    return resample_poly(audio, rate_out // g, rate_in // g).astype(np.float32)


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write float audio as 16-bit PCM mono, atomically (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.clip(np.round(np.asarray(audio, dtype=np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp.wav", dir=path.parent)
    os.close(fd)
    try:
        sf.write(tmp, pcm, sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dbfs(audio: np.ndarray) -> float:
    """RMS level in dB relative to full scale (-120 for silence)."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    return 20.0 * math.log10(rms) if rms > 1e-6 else -120.0
