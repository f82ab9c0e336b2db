"""New throats for a set of speakers: one fixed Praat "Change gender" per speaker, applied to all of its clips.

Why: espeak-ng makes every voice from the same formant synthesiser, so a speaker check built only from its voices
measures how well a model separates espeak-ng throats. Moving each test speaker's formants (vocal-tract length) and
its median pitch and pitch range by a fixed amount, drawn from its name, gives speakers whose voices espeak-ng never
makes, still within the data rule (espeak-ng audio and a deterministic transformation, no other synthesiser). Each
re-voiced speaker stays one identity: every clip of it gets the same change. Used by
``benchmarks/speaker_bench.py`` as a second generalisation check (throats drawn in the ``revoice`` namespace) and, with
``synth.revoiced_copies``, by ``trixy-train speaker synth`` to add re-voiced twins of the training speakers as new
identities (namespace ``train<k>``, so other throats of other voices; :func:`trixy_trainer.speaker.synth.revoice_speakers`).

The same PSOLA as the wake-word corpus's voice changes (:mod:`trixy_trainer.wakeword.praat_process`, Praat in a
child process with a time limit). A clip Praat refuses (a Praat error), does not finish in time, or answers with
silence although it held speech is kept as it is and counted in :attr:`Revoicer.kept`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from trixy_trainer.wakeword.praat_process import PraatProcess, PraatTimeout

#: formant shift ratio (vocal-tract length: < 1 longer, > 1 shorter), new median pitch (Hz), pitch range factor
FORMANT_RATIO = (0.84, 1.2)
MEDIAN_PITCH_HZ = (85.0, 290.0)
PITCH_RANGE = (0.8, 1.3)
#: Praat's pitch analysis range (Hz) for "Change gender"
ANALYSIS_HZ = (75.0, 600.0)
#: a clip whose peak is below this is silence (the dither of an exported graph is ~3e-5)
SILENCE = 1e-3


@dataclass(frozen=True, slots=True)
class Throat:
    """One re-voiced speaker's change: formant ratio, new median pitch (Hz) and pitch range factor."""

    formant_ratio: float
    median_pitch_hz: float
    pitch_range: float


def throat_for(speaker: str, namespace: str = "revoice") -> Throat:
    """The fixed change for ``speaker``, drawn from its name and ``namespace`` (the same on every machine and run)."""
    rng = np.random.default_rng(zlib.crc32(f"{namespace}/{speaker}".encode()))
    return Throat(float(rng.uniform(*FORMANT_RATIO)), float(rng.uniform(*MEDIAN_PITCH_HZ)), float(rng.uniform(*PITCH_RANGE)))


class Revoicer:
    """Applies a :class:`Throat` to 16 kHz clips through one Praat child process (close it when done)."""

    def __init__(self, praat: PraatProcess | None = None) -> None:
        self.praat = praat or PraatProcess()
        #: clips returned unchanged (Praat refused them or ran past its time limit)
        self.kept = 0

    def __call__(self, audio: np.ndarray, throat: Throat) -> np.ndarray:
        """``audio`` (float, 16 kHz) spoken through ``throat``; the clip itself when Praat cannot change it."""
        out = self.change(audio, throat)
        if out is None:
            self.kept += 1
            return np.asarray(audio, np.float32)
        return out

    def change(self, audio: np.ndarray, throat: Throat) -> np.ndarray | None:
        """``audio`` spoken through ``throat``, or ``None`` when Praat refused it, timed out, or lost the speech.

        Praat now and then answers a clip with speech in it by pure digital silence (6 of 8 000 espeak-ng
        sentences); that is a failure too. Silence in, silence out is not.
        """
        params = (*ANALYSIS_HZ, throat.formant_ratio, throat.median_pitch_hz, throat.pitch_range, 1.0)
        samples = np.asarray(audio, np.float64)
        try:
            out = self.praat.change_gender(samples, params)
        except PraatTimeout:
            return None
        if out is None or (not np.any(out) and np.any(np.abs(samples) > SILENCE)):
            return None
        return out.astype(np.float32)

    def close(self) -> None:
        """Stop the Praat child process."""
        self.praat.close()
