"""The spoken part of a clip (energy voice activity), so a speaker embedding is made of the voice, not the silence.

The speaker trainer makes its training slices from recordings trimmed to their speech (``trixy_trainer.data.vad``).
Without the same here, the silence or room noise around an utterance (a WAV file's digital silence, the quiet after a
wake word) went into the embedding: with 0.5 s of silence around each held-out utterance, strangers were rejected
67 % instead of 97 % of the time (10 enrolled, ``benchmarks/speaker_bench.py`` clips). The rule is the trainer's
"within 35 dB of the loudest 10 ms frame" without its second rule (12 dB above the clip's 10th-percentile frame),
which assumes the clip holds some silence and cut the quiet edges of words from clips that do not.
"""

from __future__ import annotations

import numpy as np


def speech_bounds(audio: np.ndarray, sample_rate: int = 16000, frame_ms: float = 10.0,
                  rel_db: float = -35.0) -> tuple[int, int] | None:
    """``(start, end)`` samples from the first to the last 10 ms frame within ``rel_db`` of the loudest one (to the
    last sample when the last frame is active), or None when the clip is silent (below -70 dBFS). The speaker ONNX
    graphs make the same cut inside (``trixy_trainer.speaker.onnx_speech_trim``)."""
    frame = max(1, int(sample_rate * frame_ms / 1000))
    n = audio.size // frame
    if n == 0:
        return None
    frames = audio[: n * frame].reshape(n, frame).astype(np.float64)
    energy_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    peak = float(energy_db.max())
    if peak < -70:
        return None
    active = np.flatnonzero(energy_db >= peak + rel_db)
    end = audio.size if active[-1] == n - 1 else int((active[-1] + 1) * frame)  # an active last frame keeps the tail
    return int(active[0] * frame), end


def speech_region(audio: np.ndarray, sample_rate: int = 16000, min_samples: int = 0) -> np.ndarray:
    """The active part of ``audio``; the whole clip when it is silent or the part is shorter than ``min_samples``."""
    bounds = speech_bounds(audio, sample_rate)
    if bounds is None or bounds[1] - bounds[0] < min_samples:
        return audio
    return audio[bounds[0] : bounds[1]]
