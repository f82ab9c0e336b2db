"""Decode a music file (MP3, FLAC, OGG Vorbis/Opus, WAV) into the 48 kHz stereo s16le of the music stream.

libsndfile (through `soundfile`; its wheels bundle libsndfile >= 1.1, which reads MP3) does the decoding, so no
codec is ours. Resampling is band-limited (scipy's polyphase FIR): plain linear interpolation would fold everything above 24 kHz
of a 96 kHz file back into the audible band.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MUSIC_RATE = 48000
MUSIC_CHANNELS = 2
SUPPORTED_SUFFIXES = (".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav")


class MusicError(Exception):
    """A music file cannot be played (missing, corrupt, unsupported); the message names the file."""


def _soundfile():
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: the bundled libsndfile does not load
        raise MusicError(f"soundfile/libsndfile is not usable: {exc}") from exc
    return soundfile


def libsndfile_version() -> str:
    """The libsndfile version in use (MP3 needs >= 1.1)."""
    return str(_soundfile().__libsndfile_version__)


def probe(path: Path) -> float:
    """Duration in seconds from the file's header; `MusicError` when libsndfile cannot open it."""
    soundfile = _soundfile()
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, soundfile.LibsndfileError) as exc:
        raise MusicError(f"cannot read music file {path}: {exc}") from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise MusicError(f"music file {path} has no audio")
    return float(info.frames) / info.samplerate if info.frames > 0 else float(info.duration or 0.0)


def decode(path: Path) -> tuple[np.ndarray, int]:
    """(float32 samples shaped (frames, channels) in -1..1, sample rate); `MusicError` naming the file."""
    soundfile = _soundfile()
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError, soundfile.LibsndfileError) as exc:
        raise MusicError(f"cannot decode music file {path}: {exc}") from exc
    if data.size == 0:
        raise MusicError(f"music file {path} has no audio")
    return data, int(rate)


def to_stereo(samples: np.ndarray) -> np.ndarray:
    """(frames, 2): mono duplicated, more than two channels folded to the first two."""
    if samples.shape[1] == 1:
        return np.repeat(samples, 2, axis=1)
    return samples[:, :2]


def resample(samples: np.ndarray, rate: int, target: int = MUSIC_RATE) -> np.ndarray:
    """Band-limited resampling of (frames, channels) float32 from `rate` to `target` (scipy's polyphase FIR)."""
    if rate == target or samples.shape[0] < 2:
        return samples
    from scipy.signal import resample_poly

    ratio = Fraction(target, rate)
    out = resample_poly(samples, ratio.numerator, ratio.denominator, axis=0)
    return out.astype(np.float32, copy=False)


def to_stream_pcm(samples: np.ndarray, gain: float = 1.0) -> bytes:
    """float (frames, 2) in -1..1 -> s16le bytes, scaled by `gain` and clipped."""
    scaled = np.clip(np.round(samples * (32767.0 * gain)), -32768, 32767)
    return scaled.astype("<i2").tobytes()


def load_music(path: Path) -> bytes:
    """A music file as 48 kHz stereo s16le bytes (the music stream's format)."""
    samples, rate = decode(Path(path))
    return to_stream_pcm(resample(to_stereo(samples), rate))
