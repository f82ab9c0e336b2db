"""Praat's "Change gender" in its child process: results, refusals, and a call past its time limit."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from trixy_trainer.wakeword import voice_augment as va
from trixy_trainer.wakeword.praat_process import PraatProcess, PraatTimeout

pytest.importorskip("parselmouth")


def _vowel(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 16000
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 12))).astype(np.float32)


def test_child_process_changes_the_voice_and_refuses_what_praat_refuses() -> None:
    praat = PraatProcess()
    try:
        audio = _vowel()
        out = praat.change_gender(audio, (75.0, 600.0, 1.15, 220.0, 1.0, 1.0))
        assert out is not None and out.dtype == np.float32 and abs(out.size - audio.size) < 160
        assert not np.allclose(out, audio, atol=1e-3)  # the pitch moved from ~120 Hz to ~220 Hz
        assert np.all(np.isfinite(out))
    finally:
        praat.close()


def test_the_same_call_gives_the_same_audio_and_a_seed_can_be_chosen() -> None:
    # Praat's resynthesis draws random numbers; unseeded, two identical calls differed
    praat = PraatProcess()
    try:
        audio = _vowel(1.0) + np.random.default_rng(3).normal(0, 0.02, 16000).astype(np.float32)
        params = (75.0, 600.0, 1.1, 200.0, 1.2, 1.0)
        first, again = praat.change_gender(audio, params), praat.change_gender(audio, params)
        assert first is not None and again is not None and np.array_equal(first, again)
        praat.close()  # a new child process: still the same
        assert np.array_equal(praat.change_gender(audio, params), first)
        seeded = [praat.change_gender(audio, params, seed=s) for s in (1, 1, 2)]
        assert np.array_equal(seeded[0], seeded[1]) and not np.array_equal(seeded[0], seeded[2])
    finally:
        praat.close()


def test_a_call_past_the_time_limit_kills_the_child_and_the_next_call_works() -> None:
    praat = PraatProcess(timeout_s=1e-4)
    with pytest.raises(PraatTimeout):
        praat.change_gender(_vowel(6.0), (75.0, 600.0, 1.0, 0.0, 1.0, 1.0))
    praat.timeout_s = 60.0
    out = praat.change_gender(_vowel(0.5), (75.0, 600.0, 1.0, 0.0, 1.0, 1.0))
    assert out is not None and out.size > 0
    praat.close()


def test_change_voice_keeps_the_clip_when_praat_times_out(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(va, "_PRAAT", PraatProcess(timeout_s=1e-4))
    audio = _vowel(4.0)
    with caplog.at_level(logging.WARNING):
        out = va.change_voice(audio, np.random.default_rng(0))
    assert out is audio and "voice change skipped" in caplog.text
    va._PRAAT.close()
