"""Room transforms of the speech-embedding corpus: lengths, levels and spectra (on awkward, prime-factor lengths too)."""

from __future__ import annotations

import numpy as np
import pytest

from trixy_trainer.wakeword import voice_augment as va

LENGTHS = [16000, 40009, 80021]  # 40009 and 80021 are prime: the padded FFT must still give exactly n samples


def _band_energy(audio: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / 16000)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


@pytest.mark.parametrize("n", LENGTHS)
def test_random_eq_keeps_length_and_stays_within_its_gain_range(n: int) -> None:
    rng = np.random.default_rng(n)
    audio = rng.standard_normal(n).astype(np.float32)
    out = va.random_eq(audio, np.random.default_rng(1), max_db=8.0)
    assert out.shape == (n,) and out.dtype == np.float32
    for low, high in ((100, 1000), (1000, 4000), (4000, 7900)):
        gain_db = 10 * np.log10(_band_energy(out, low, high) / _band_energy(audio, low, high))
        assert -8.5 < gain_db < 8.5
    assert not np.allclose(out, audio, atol=1e-3)  # it does colour the sound


@pytest.mark.parametrize("n", LENGTHS)
def test_generated_noise_is_unit_rms_and_coloured(n: int) -> None:
    kinds = {}
    for seed in range(40):
        rng = np.random.default_rng(seed)
        x = va.noise(rng, n)
        assert x.shape == (n,) and x.dtype == np.float32 and abs(float(np.sqrt(np.mean(x**2))) - 1.0) < 1e-3
        low, high = _band_energy(x, 20, 500), _band_energy(x, 4000, 8000)
        kinds.setdefault("low-heavy" if low > 4 * high else "flat-or-high", []).append(seed)
    assert kinds.get("low-heavy") and kinds.get("flat-or-high")  # pink/brown/hum and white/band both occur


def test_room_keeps_length_and_stays_in_range() -> None:
    rng = np.random.default_rng(0)
    speech = (0.2 * rng.standard_normal(40009)).astype(np.float32)
    for seed in range(10):
        out = va.room(speech, np.random.default_rng(seed))
        assert out.shape == speech.shape and out.dtype == np.float32 and np.max(np.abs(out)) <= 1.0
