"""Each utterance is cut to its speech before it is embedded: silence or room noise around it (a file's digital
silence, the quiet after a wake word) no longer changes who it sounds like."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trixy_satellite.speaker import SpeakerIdentifier
from trixy_satellite.speaker.speech_region import speech_bounds, speech_region


def test_the_region_runs_from_the_first_to_the_last_loud_frame() -> None:
    rng = np.random.default_rng(0)
    voice = (0.3 * np.sin(np.arange(8000) / 4) * np.hanning(8000)).astype(np.float32)
    framed = np.concatenate([np.zeros(16000, np.float32), voice, np.zeros(4000, np.float32)])
    start, end = speech_bounds(framed)
    assert 16000 <= start < 16000 + 2000 and 24000 - 2000 < end <= 24000
    noisy = framed + rng.normal(0, 1e-3, framed.size).astype(np.float32)  # a -60 dBFS room
    assert abs(speech_bounds(noisy)[0] - start) <= 160 and abs(speech_bounds(noisy)[1] - end) <= 160
    # an already trimmed clip keeps its quiet word edges (no rule relative to the clip's own quietest frames)
    kept_start, kept_end = speech_bounds(voice)
    assert kept_end - kept_start >= 0.8 * voice.size
    silent = np.zeros(16000, np.float32)
    assert speech_bounds(silent) is None and speech_region(silent) is silent  # nothing to cut: the clip as it is
    assert speech_region(framed, min_samples=10 * 16000) is framed  # too short a region: the clip as it is


def test_a_framed_utterance_is_embedded_like_the_utterance_itself(default_model: Path, speak) -> None:
    utterance = speak("what time is it in the kitchen", "en-gb", 50, 150)
    start, end = speech_bounds(utterance)
    spoken = utterance[start:end]
    framed = np.concatenate([np.zeros(8000, np.float32), spoken, np.zeros(8000, np.float32)])
    trimming = SpeakerIdentifier(default_model)
    as_given = SpeakerIdentifier(default_model, trim=False)
    same = float(trimming.embed(framed) @ trimming.embed(spoken))
    before = float(as_given.embed(framed) @ as_given.embed(spoken))
    assert same > 0.999 and before < same
