"""Re-voiced speakers for the speaker benchmark: a fixed change per name, the pitch really moves, refusals kept."""

from __future__ import annotations

import numpy as np
import pytest

from trixy_trainer.speaker.revoice import (
    FORMANT_RATIO,
    MEDIAN_PITCH_HZ,
    PITCH_RANGE,
    Revoicer,
    Throat,
    throat_for,
)
from trixy_trainer.wakeword.praat_process import PraatProcess

parselmouth = pytest.importorskip("parselmouth")


def _vowel(seconds: float = 1.5, f0: float = 120.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    pitch = f0 + 8 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / 16000
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 12))).astype(np.float32)


def _median_f0(audio: np.ndarray) -> float:
    f0 = parselmouth.Sound(audio.astype(np.float64), 16000).to_pitch().selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def test_each_speaker_gets_its_own_fixed_throat_within_the_ranges() -> None:
    names = [f"unseen{i:02d}-p{p}" for i in range(10) for p in (20, 50, 80)]
    throats = [throat_for(n) for n in names]
    assert throats == [throat_for(n) for n in names]  # the same every call (seeded by the name)
    assert len(set(throats)) == len(names)
    for t in throats:
        assert FORMANT_RATIO[0] <= t.formant_ratio <= FORMANT_RATIO[1]
        assert MEDIAN_PITCH_HZ[0] <= t.median_pitch_hz <= MEDIAN_PITCH_HZ[1]
        assert PITCH_RANGE[0] <= t.pitch_range <= PITCH_RANGE[1]


def test_the_clip_comes_back_at_the_throats_pitch_and_length() -> None:
    revoice = Revoicer()
    try:
        audio = _vowel()
        out = revoice(audio, Throat(1.1, 220.0, 1.0))
        assert out.dtype == np.float32 and abs(out.size - audio.size) < 160 and np.all(np.isfinite(out))
        assert _median_f0(audio) == pytest.approx(120.0, rel=0.05)
        assert _median_f0(out) == pytest.approx(220.0, rel=0.08)
        assert revoice.kept == 0
    finally:
        revoice.close()


def test_silence_and_a_call_past_the_time_limit_keep_the_clip() -> None:
    revoice = Revoicer(PraatProcess(timeout_s=1e-4))
    try:
        long = _vowel(6.0)
        assert np.array_equal(revoice(long, Throat(1.0, 150.0, 1.0)), long)  # timed out: unchanged
        revoice.praat.timeout_s = 60.0
        silence = np.zeros(16000, np.float32)
        assert not np.any(revoice(silence, Throat(1.0, 150.0, 1.0)))  # nothing voiced: nothing to move
        assert revoice.kept == 1
    finally:
        revoice.close()


class _PraatAnsweringSilence(PraatProcess):
    """Praat's real answer to a few espeak-ng sentences (spk194-ro-david's, formant ratio 0.96): all zeros."""

    def change_gender(self, audio: np.ndarray, params: tuple, seed: int | None = None) -> np.ndarray:
        return np.zeros_like(audio)


def test_speech_that_comes_back_as_silence_is_a_failure_not_a_clip() -> None:
    revoice = Revoicer(_PraatAnsweringSilence())
    speech = _vowel()
    assert revoice.change(speech, Throat(0.96, 280.0, 1.26)) is None
    assert np.array_equal(revoice(speech, Throat(0.96, 280.0, 1.26)), speech) and revoice.kept == 1
    silence = np.zeros(16000, np.float32)
    assert revoice.change(silence, Throat(1.0, 150.0, 1.0)) is not None  # silence in, silence out is fine
