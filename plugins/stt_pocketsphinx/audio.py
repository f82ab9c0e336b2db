"""PCM helpers for speech-to-text: int16 conversion and silence trimming (resampling: `trixy_server.audio_convert.resample_clip`) (numpy only)."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
"""The rate pocketsphinx's English model was trained at."""


def pcm_to_array(pcm: bytes) -> np.ndarray:
    """16-bit little-endian mono PCM bytes -> int16 array (an odd trailing byte is dropped)."""
    usable = len(pcm) - (len(pcm) % 2)
    return np.frombuffer(pcm[:usable], dtype="<i2")


def trim_silence(
    samples: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    *,
    threshold_db: float = -35.0,
    margin_s: float = 0.05,
    frame_s: float = 0.01,
    min_speech_dbfs: float = -50.0,
) -> np.ndarray:
    """Cut leading/trailing frames quieter than `threshold_db` below the loudest frame, keeping `margin_s`.

    The grammar decoder runs without filler words (they made it miss "what time is it" on espeak audio), so the
    silence the satellite records before and after speech must go. Returns an empty array when even the loudest
10 ms frame is below `min_speech_dbfs` (silence, background hiss).
    """
    frame = max(1, int(sample_rate * frame_s))
    n_frames = samples.size // frame
    if n_frames == 0:
        return samples[:0]
    x = samples[: n_frames * frame].astype(np.float64) / 32768.0
    energy_db = 10.0 * np.log10(np.mean(x.reshape(n_frames, frame) ** 2, axis=1) + 1e-12)
    loudest = float(energy_db.max())
    if loudest < min_speech_dbfs:
        return samples[:0]
    voiced = np.nonzero(energy_db > loudest + threshold_db)[0]
    margin = int(margin_s * sample_rate)
    start = max(0, int(voiced[0]) * frame - margin)
    stop = min(samples.size, (int(voiced[-1]) + 1) * frame + margin)
    return samples[start:stop]
