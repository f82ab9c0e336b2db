"""Enrolment views (an utterance as other microphones, rooms and noise give it) and the enrolment centre."""

from __future__ import annotations

import numpy as np
import pytest

from trixy_core.speaker_enrolment import VIEWS, VIEWS_WEIGHT, enrolment_centre, enrolment_views

RATE = 16000


def _voice(seconds: float = 1.2, f0: float = 140.0) -> np.ndarray:
    """A harmonic, voice-like signal with a syllable envelope."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 20))
    return (0.4 * wave / np.max(np.abs(wave)) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t) ** 2)).astype(np.float32)


def _band_energy(x: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / RATE)
    return float(spectrum[(f >= low) & (f < high)].sum() / spectrum.sum())


def test_one_view_per_transformation_same_length_and_peak() -> None:
    x = _voice()
    views = enrolment_views(x, RATE)
    assert len(views) == len(VIEWS) == 4
    for v in views:
        assert v.dtype == np.float32 and v.shape == x.shape and np.all(np.isfinite(v))
        assert np.isclose(np.max(np.abs(v)), np.max(np.abs(x)), rtol=1e-4)
        assert not np.allclose(v, x, atol=1e-3)  # each one changes the sound


def test_each_view_does_what_it_says() -> None:
    x = _voice()
    band, reverb, eq, _ = enrolment_views(x, RATE)
    assert _band_energy(band, 0, 120) < 0.2 * _band_energy(x, 0, 120) + 1e-9  # the fundamental is cut
    assert _band_energy(band, 6000, 8000) < 0.2 * _band_energy(x, 6000, 8000)
    assert np.std(reverb - x) > 0.01
    # framed by silence: the room rings on after the voice stops, the noise fills the silence before it
    framed = np.concatenate([np.zeros(4000, np.float32), x, np.zeros(4000, np.float32)])
    _, reverb, _, noisy = enrolment_views(framed, RATE, VIEWS)
    after = slice(framed.size - 4000, framed.size - 3000)
    assert np.sqrt(np.mean(reverb[after] ** 2)) > 1e-3 and np.all(framed[after] == 0)
    assert np.sqrt(np.mean(reverb[:4000] ** 2)) < 1e-6  # nothing before the voice (the room is causal)
    floor = np.sqrt(np.mean(noisy[:4000] ** 2)) / np.sqrt(np.mean(framed[4000:-4000] ** 2))
    assert 10 ** (-28 / 20) < floor < 10 ** (-10 / 20)  # 12-25 dB below the speech
    assert eq.shape == x.shape


def test_views_are_seeded_by_the_utterance() -> None:
    x, y = _voice(), _voice(f0=190.0)
    assert all(np.array_equal(a, b) for a, b in zip(enrolment_views(x, RATE), enrolment_views(x.copy(), RATE), strict=True))
    assert not np.array_equal(enrolment_views(x, RATE)[3], enrolment_views(y, RATE)[3])


def test_choice_of_views_and_bad_input() -> None:
    x = _voice()
    assert len(enrolment_views(x, RATE, ("noise",))) == 1
    assert enrolment_views(np.zeros(0, np.float32), RATE) == []
    assert all(np.all(v == 0) for v in enrolment_views(np.zeros(1600, np.float32), RATE, ("band", "eq")))  # silence stays
    with pytest.raises(ValueError, match="unknown enrolment views"):
        enrolment_views(x, RATE, ("band", "telephone"))


def test_centre_weights_the_views_half() -> None:
    a = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    v = np.array([[0.0, 1.0, 0.0]] * 8)
    assert VIEWS_WEIGHT == 0.5
    np.testing.assert_allclose(enrolment_centre(a, v), np.array([1, 1, 0]) / np.sqrt(2), atol=1e-6)
    np.testing.assert_allclose(enrolment_centre(a), [1, 0, 0])
    np.testing.assert_allclose(enrolment_centre(a, v, views_weight=0.0), [1, 0, 0])
    np.testing.assert_allclose(enrolment_centre(a, np.zeros((0, 3))), [1, 0, 0])
    with pytest.raises(ValueError, match="do not match"):
        enrolment_centre(a, np.ones((2, 4)))
    with pytest.raises(ValueError, match="at least one"):
        enrolment_centre(np.zeros((0, 3)))
