"""Make espeak-ng sound like more people and more rooms: voice re-shaping, microphones, rooms and noise.

Every transform takes a seeded generator, so a corpus is reproducible file by file. Voice transforms (formant and
pitch change with Praat's PSOLA through ``praat-parselmouth``, speed/vocal-tract-length change by resampling) widen
the speakers; room transforms (random EQ, band limits of phones and far-field microphones, synthetic reverberation,
generated noise at a random SNR, gain) widen the recording conditions.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft, rfftfreq
from scipy.signal import butter, fftconvolve, sosfilt

from trixy_trainer.data.audio_io import SAMPLE_RATE, resample
from trixy_trainer.models.embedding_wakeword import DITHER_STD
from trixy_trainer.wakeword.praat_process import PraatProcess, PraatTimeout

logger = logging.getLogger(__name__)


_PRAAT: PraatProcess | None = None


def change_voice(audio: np.ndarray, rng: np.random.Generator, formant_range: tuple[float, float] = (0.84, 1.2),
                 pitch_hz: tuple[float, float] = (85.0, 290.0)) -> np.ndarray:
    """Shift formants and re-centre pitch (Praat "Change gender"): the same words from a different-sounding throat.

    ``formant_range``: the formant shift ratio is drawn from it; ``pitch_hz``: half the time the new median pitch is
    drawn from it (else the pitch keeps its median).

    Praat runs in a child process with a time limit (its PSOLA can hang on rare input); a clip Praat refuses or
    does not finish in time is kept unchanged."""
    global _PRAAT
    if audio.size < SAMPLE_RATE // 10:
        return audio
    formant = float(rng.uniform(*formant_range))
    pitch = float(rng.choice([0.0, rng.uniform(*pitch_hz)]))
    pitch_range = float(rng.uniform(0.6, 1.6))
    if _PRAAT is None:
        _PRAAT = PraatProcess()
    try:
        out = _PRAAT.change_gender(audio.astype(np.float64), (75.0, 600.0, formant, pitch, pitch_range, 1.0))
    except PraatTimeout as exc:
        logger.warning("voice change skipped on a %.1f s clip (formant %.3f, pitch %.0f, range %.2f): %s", audio.size / SAMPLE_RATE, formant, pitch, pitch_range, exc)
        return audio
    if out is None:  # unvoiced snippets have no pitch to move
        logger.debug("voice change skipped: Praat refused the clip")
        return audio
    return out


def change_speed(audio: np.ndarray, rng: np.random.Generator, spread: float = 0.1) -> np.ndarray:
    """Resample by a factor near 1: faster and higher (or slower and lower) together, like a shorter vocal tract."""
    factor = float(rng.uniform(1.0 - spread, 1.0 + spread))
    rate_in = int(round(SAMPLE_RATE * factor / 50)) * 50
    return resample(audio, rate_in, SAMPLE_RATE)


def random_eq(audio: np.ndarray, rng: np.random.Generator, max_db: float = 8.0) -> np.ndarray:
    """A smooth random frequency response (microphone and loudspeaker colour)."""
    n = audio.size
    size = next_fast_len(n, real=True)  # numpy's FFT is ~7x slower on lengths with large prime factors
    spectrum = rfft(audio, size)
    knots = rng.uniform(-max_db, max_db, size=int(rng.integers(4, 9)))
    curve = np.interp(np.linspace(0, 1, spectrum.size), np.linspace(0, 1, knots.size), knots)
    return irfft(spectrum * 10 ** (curve / 20), size)[:n].astype(np.float32)


def band_limit(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Phone/cheap-microphone band limits: a high-pass between 80 and 400 Hz and/or a low-pass from 3 to 7.5 kHz."""
    out = audio
    if rng.random() < 0.6:
        sos = butter(int(rng.integers(2, 5)), float(rng.uniform(80, 400)), "highpass", fs=SAMPLE_RATE, output="sos")
        out = sosfilt(sos, out)
    if rng.random() < 0.6:
        sos = butter(int(rng.integers(2, 7)), float(rng.uniform(3000, 7500)), "lowpass", fs=SAMPLE_RATE, output="sos")
        out = sosfilt(sos, out)
    return np.asarray(out, dtype=np.float32)


def reverberate(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Convolve with a synthetic room impulse response (direct path, early reflections, exponential tail)."""
    rt60 = float(rng.uniform(0.15, 0.9))
    length = int(min(rt60, 0.8) * SAMPLE_RATE)
    t = np.arange(length) / SAMPLE_RATE
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail *= 10 ** (rng.uniform(-14, -4) / 20) / (np.sqrt(np.sum(tail**2)) + 1e-9)
    rir = tail
    rir[0] = 1.0
    for _ in range(int(rng.integers(2, 6))):
        rir[int(rng.uniform(0.002, 0.03) * SAMPLE_RATE)] += rng.uniform(-0.6, 0.6)
    wet = fftconvolve(audio, rir)[: audio.size]
    return (wet / (np.max(np.abs(wet)) + 1e-9) * (np.max(np.abs(audio)) + 1e-9)).astype(np.float32)


def noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-RMS generated noise: white, pink, brown, mains hum or a fan/traffic-like band."""
    kind = str(rng.choice(["white", "pink", "brown", "hum", "band"]))
    t = np.arange(n) / SAMPLE_RATE
    if kind == "hum":
        base = float(rng.choice([50.0, 60.0]))
        out = sum(rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * base * h * t + rng.uniform(0, 6)) for h in range(1, 8))
        out = out + rng.normal(0, 0.05, n)
    else:
        size = next_fast_len(n, real=True)  # zero-padded: the same draws as before, ~7x faster
        spectrum = rfft(rng.standard_normal(n), size)
        freqs = np.maximum(rfftfreq(size, 1 / SAMPLE_RATE), 1.0)
        if kind == "pink":
            spectrum /= np.sqrt(freqs)
        elif kind == "brown":
            spectrum /= freqs
        elif kind == "band":
            centre, width = rng.uniform(200, 3000), rng.uniform(100, 1500)
            spectrum *= np.exp(-0.5 * ((freqs - centre) / width) ** 2)
        out = irfft(spectrum, size)[:n]
    out = np.asarray(out, dtype=np.float64)
    return (out / (np.sqrt(np.mean(out**2)) + 1e-12)).astype(np.float32)


def rms(audio: np.ndarray) -> float:
    """Root mean square of ``audio`` (0 for empty input)."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def room(audio: np.ndarray, rng: np.random.Generator, speech_rms: float | None = None) -> np.ndarray:
    """Microphone, room and noise: random EQ, band limits, reverberation, noise at 0-35 dB SNR, random gain."""
    out = audio.astype(np.float32)
    if rng.random() < 0.6:
        out = random_eq(out, rng)
    if rng.random() < 0.35:
        out = band_limit(out, rng)
    if rng.random() < 0.45:
        out = reverberate(out, rng)
    level = speech_rms if speech_rms is not None else rms(out)
    if rng.random() < 0.85:
        snr = float(rng.uniform(0, 35))
        out = out + noise(rng, out.size) * level * 10 ** (-snr / 20)
    else:
        out = out + rng.normal(0, 10 ** (rng.uniform(-80, -60) / 20), out.size).astype(np.float32)
    peak = float(np.max(np.abs(out))) or 1.0
    out = out / peak * 10 ** (rng.uniform(-30, -1) / 20)
    if rng.random() < 0.04:  # an overdriven microphone
        out = np.clip(out * rng.uniform(2, 6), -1, 1) / 2
    return np.clip(out, -1.0, 1.0).astype(np.float32)


#: the level of 16-bit quantisation noise, what the exported graphs dither their input with (one definition)
QUANTISATION_STD = DITHER_STD


def clean_file(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``audio`` as a text-to-speech file gives it: no microphone, room or noise, the peak at -20 to -1 dBFS, and
    silence that is digital (plus the exported graphs' dither, which every input gets when the model runs)."""
    out = audio.astype(np.float32) / (float(np.max(np.abs(audio))) or 1.0) * 10 ** (rng.uniform(-20, -1) / 20)
    return np.clip(out + rng.normal(0.0, QUANTISATION_STD, out.size), -1.0, 1.0).astype(np.float32)


def trim(audio: np.ndarray, floor_db: float = -38.0) -> np.ndarray:
    """Cut leading/trailing near-silence (10 ms frames quieter than ``floor_db`` below the peak frame)."""
    frame = SAMPLE_RATE // 100
    n = audio.size // frame
    if n == 0:
        return audio
    energy = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1)) + 1e-12
    loud = np.nonzero(20 * np.log10(energy / energy.max()) > floor_db)[0]
    if loud.size == 0:
        return audio
    return audio[loud[0] * frame : min(audio.size, (loud[-1] + 1) * frame)]


def db(value: float) -> float:
    """Amplitude ratio in dB."""
    return 20 * math.log10(max(value, 1e-12))
