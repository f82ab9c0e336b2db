"""Enrolment centres that hold in other rooms: a speaker's utterances plus copies of them as other microphones,
rooms and noise would hear them (numpy only, seeded; shared by the satellite and the trainer).

A speaker is enrolled from a few utterances recorded in one place, then heard through other microphones, rooms and
noise. The centre is the mean of the utterances' embeddings (half the weight) and of their **enrolment views**
(half): each utterance as a telephone band, a reverberant room, a cheap microphone's uneven response and a noisy
kitchen would give it. It then depends less on where the enrolment was recorded. The views are deterministic for
a given utterance (seeded from its samples), so enrolling the same files twice gives the same centre.
"""

from __future__ import annotations

import zlib

import numpy as np

#: the transformations, in the order :func:`enrolment_views` makes them
VIEWS = ("band", "reverb", "eq", "noise")
#: the views' share of the centre (the utterances as recorded have the rest)
VIEWS_WEIGHT = 0.5


def _spectral_gain(x: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Apply a real gain per rFFT bin (zero-phase filter)."""
    return np.fft.irfft(np.fft.rfft(x) * gain, n=x.size)


def band_limited(x: np.ndarray, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """A narrow band: telephone to far-field microphone (low cut 150-400 Hz, high cut 3.2-5 kHz, soft edges)."""
    f = np.fft.rfftfreq(x.size, 1.0 / sample_rate)
    low, high = rng.uniform(150, 400), rng.uniform(3200, 5000)
    gain = 1.0 / (1.0 + (low / np.maximum(f, 1.0)) ** 8) / (1.0 + (f / high) ** 8)
    return _spectral_gain(x, gain)


def reverberant(x: np.ndarray, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """A room: direct sound plus an exponentially decaying diffuse tail (RT60 0.25-0.7 s)."""
    rt60 = rng.uniform(0.25, 0.7)
    n = int(rt60 * sample_rate)
    t = np.arange(n) / sample_rate
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60) * rng.uniform(0.15, 0.35)
    ir[: int(0.002 * sample_rate)] = 0.0  # the tail starts after the direct sound
    ir[0] = 1.0
    size = 1 << int(np.ceil(np.log2(x.size + n)))
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: x.size]


def equalised(x: np.ndarray, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """An uneven microphone: a smooth random response of +-8 dB over a log-frequency axis."""
    f = np.fft.rfftfreq(x.size, 1.0 / sample_rate)
    knots = np.log2(np.array([50.0, 200, 500, 1200, 2500, 5000, sample_rate / 2]))
    db = rng.uniform(-8, 8, knots.size)
    gain_db = np.interp(np.log2(np.maximum(f, 50.0)), knots, db)
    return _spectral_gain(x, 10 ** (gain_db / 20))


def noisy(x: np.ndarray, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Steady noise (white to brown) at 12-25 dB SNR."""
    f = np.fft.rfftfreq(x.size, 1.0 / sample_rate)
    slope = rng.uniform(0.0, 2.0)  # 0 white, 1 pink, 2 brown (power ~ 1/f^slope)
    shaped = np.fft.irfft(np.fft.rfft(rng.standard_normal(x.size)) / np.maximum(f, 20.0) ** (slope / 2), n=x.size)
    speech = float(np.sqrt(np.mean(x**2)))
    level = speech / max(float(np.sqrt(np.mean(shaped**2))), 1e-12) * 10 ** (-rng.uniform(12, 25) / 20)
    return x + shaped * level


_MAKERS = {"band": band_limited, "reverb": reverberant, "eq": equalised, "noise": noisy}


def enrolment_views(audio: np.ndarray, sample_rate: int = 16000, views: tuple[str, ...] = VIEWS) -> list[np.ndarray]:
    """The utterance as other rooms and microphones would hear it: one float32 copy per name in ``views``, at the
    original's peak level. Seeded from the samples, so the same utterance always gives the same copies."""
    unknown = [v for v in views if v not in _MAKERS]
    if unknown:
        raise ValueError(f"unknown enrolment views {unknown}; choose from {list(_MAKERS)}")
    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return []
    peak = float(np.max(np.abs(x)))
    rng = np.random.default_rng(zlib.crc32(np.asarray(audio, dtype=np.float32).tobytes()))
    out = []
    for name in views:
        y = _MAKERS[name](x, rng, sample_rate)
        y_peak = float(np.max(np.abs(y)))
        out.append((y * (peak / y_peak if y_peak > 0 else 1.0)).astype(np.float32))
    return out


def enrolment_centre(embeddings: np.ndarray, view_embeddings: np.ndarray | None = None,
                     views_weight: float = VIEWS_WEIGHT) -> np.ndarray:
    """L2-normalised centre of a speaker: ``(1 - views_weight) * mean(embeddings) + views_weight *
    mean(view_embeddings)``; without views, the mean of ``embeddings``."""
    e = np.asarray(embeddings, dtype=np.float64)
    if e.ndim != 2 or e.shape[0] == 0:
        raise ValueError("enrolment needs at least one embedding [n, dim]")
    centre = e.mean(axis=0)
    if view_embeddings is not None and len(view_embeddings) and views_weight > 0:
        v = np.asarray(view_embeddings, dtype=np.float64)
        if v.ndim != 2 or v.shape[1] != e.shape[1]:
            raise ValueError(f"view embeddings {v.shape} do not match the embeddings {e.shape}")
        centre = (1.0 - views_weight) * centre + views_weight * v.mean(axis=0)
    return (centre / max(float(np.linalg.norm(centre)), 1e-12)).astype(np.float32)
