"""PCM helpers for speech-to-text: int16 conversion and silence trimming (resampling: `trixy_server.audio_convert.resample_clip`) (numpy only)."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
"""The rate pocketsphinx's English model was trained at."""


def pcm_to_array(pcm: bytes) -> np.ndarray:
    """16-bit little-endian mono PCM bytes -> int16 array (an odd trailing byte is dropped)."""
    usable = len(pcm) - (len(pcm) % 2)
    return np.frombuffer(pcm[:usable], dtype="<i2")


#: the dither's standard deviation in 16-bit steps (about -90 dBFS) and its fixed seed (same audio, same text)
DITHER_STEPS = 1.0
DITHER_SEED = 16000


def dither(samples: np.ndarray) -> np.ndarray:
    """``samples`` (int16) plus a fixed Gaussian dither of one 16-bit step: digital silence (exact zeros, as
    text-to-speech files and noise-gated microphones give) becomes the quietest of rooms. pocketsphinx's features
    take the log of each band's energy and subtract the utterance's mean, so runs of exact zeros (log of 0, floored)
    pulled every frame's features away from what it learnt: espeak-ng "what time is it" with its pauses left as
    zeros was heard as "why why", and correctly once any noise was under it."""
    noise = np.random.default_rng(DITHER_SEED).normal(0.0, DITHER_STEPS, samples.size)
    return np.clip(np.round(samples.astype(np.float64) + noise), -32768, 32767).astype("<i2")


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
