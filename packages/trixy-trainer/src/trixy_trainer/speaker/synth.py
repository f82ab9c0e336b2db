"""Synthetic speaker corpus: N distinct espeak-ng "speakers" so the whole pipeline runs with no recordings.

A speaker is a fixed combination of base voice (a language voice speaking English text gives a different formant set
and accent), variant (``+m3``, ``+f2``, ``+klatt`` ...), pitch (``-p``), speed (``-s``), amplitude (``-a``) and word
gap (``-g``); each utterance jitters pitch and speed a little, as a person does. Training and held-out speakers
come from disjoint variant pools, so evaluation measures voices the model never heard.

Layout: ``<out>/<speaker name>/<utt>.wav`` (16 kHz 16-bit mono). Existing files are kept (re-running adds only
what is missing).
"""

from __future__ import annotations

import io
import logging
import subprocess
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE, read_audio, resample, write_wav
from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.data.synth_texts import SENTENCE_WORDS
from trixy_trainer.speaker.errors import SpeakerTrainerError
from trixy_trainer.speaker.revoice import Revoicer, Throat, throat_for

logger = logging.getLogger(__name__)

#: Language voices that read English text acceptably (accented), giving different formant/phoneme sets.
BASE_VOICES = [
    "en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
    "de", "nl", "da", "sv", "nb", "fi", "es", "it", "pt", "pl", "cs", "hu", "ro", "id", "af", "sk", "hr", "cy",
]
#: Variants used for training speakers.
TRAIN_VARIANTS = [
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "klatt", "klatt2", "klatt3", "Andy", "Annie",
    "aunty", "benjamin", "david", "ed", "grandpa", "linda", "Mike", "norbert", "quincy", "rob", "steph", "travis",
    "victor", "zac", "belinda", "edward", "iven", "shelby", "adam", "antonio", "boris", "caleb", "john", "max",
]
#: Variants reserved for held-out (evaluation) speakers: never heard in training.
HELDOUT_VARIANTS = [
    "m8", "f5", "croak", "klatt4", "grandma", "Alex", "Alicia", "Andrea", "robert", "iven2", "iven3", "pablo",
    "paul", "pedro", "michel", "miguel", "marcelo", "Hugo", "Denis", "Lee", "steph2", "edward2", "sandro", "Gene",
]
WAKE_PHRASES = ["hey Trixie", "Trixie", "hey Trixie, turn on the light", "Trixie, what time is it"]


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    """One synthetic speaker: the espeak-ng settings that make its voice."""

    name: str
    base: str
    variant: str
    pitch: int
    speed: int
    amplitude: int
    word_gap: int

    def to_dict(self) -> dict:
        """Plain dict (written to ``voices.json`` beside the corpus)."""
        return asdict(self)


#: Speakers are made in cohorts of this size; growing ``count`` adds cohorts and never changes existing speakers.
COHORT = 100


def make_speakers(
    count: int, pool: str = "train", seed: int = 7, prefix: str | None = None, exclude: Sequence[VoiceSpec] = ()
) -> list[VoiceSpec]:
    """Return ``count`` distinct speakers from the ``train`` or ``heldout`` variant pool.

    Every speaker has a different (base, variant) pair, none of those in ``exclude``; pitches are spread over the
    range so neighbours differ. Speakers come in cohorts of :data:`COHORT` (cohort ``k`` drawn with its own seed,
    excluding the earlier cohorts), so asking for more speakers later keeps the first ones exactly as they were.
    """
    if pool not in ("train", "heldout"):
        raise SpeakerTrainerError(f"speaker pool must be 'train' or 'heldout', got {pool!r}")
    specs: list[VoiceSpec] = []
    while len(specs) < count:
        cohort = len(specs) // COHORT
        size = min(COHORT, count - len(specs))
        specs.extend(_make_cohort(size, pool, seed + 7919 * cohort, prefix, [*exclude, *specs], first_index=len(specs)))
    return specs


def _make_cohort(
    count: int, pool: str, seed: int, prefix: str | None, exclude: Sequence[VoiceSpec], first_index: int
) -> list[VoiceSpec]:
    variants = TRAIN_VARIANTS if pool == "train" else HELDOUT_VARIANTS
    rng = np.random.default_rng(seed + (0 if pool == "train" else 100_003))
    taken = {(v.base, v.variant) for v in exclude}
    pairs = [(b, v) for v in variants for b in BASE_VOICES if (b, v) not in taken]
    if count > len(pairs):
        raise SpeakerTrainerError(f"at most {len(pairs)} distinct {pool} speakers can be made, asked for {count}")
    order = rng.permutation(len(pairs))
    # round-robin over variants first so small corpora still cover many different formant sets
    by_variant: dict[str, list[tuple[str, str]]] = {}
    for i in order:
        by_variant.setdefault(pairs[i][1], []).append(pairs[i])
    chosen: list[tuple[str, str]] = []
    while len(chosen) < count:
        for v in list(by_variant):
            if by_variant[v] and len(chosen) < count:
                chosen.append(by_variant[v].pop())
    pitches = rng.permutation(np.linspace(15, 85, count).round().astype(int)) if count else []
    prefix = prefix or ("spk" if pool == "train" else "held")
    specs = []
    for i, (base, variant) in enumerate(chosen):
        specs.append(
            VoiceSpec(
                name=f"{prefix}{first_index + i:03d}-{base}-{variant}",
                base=base,
                variant=variant,
                pitch=int(pitches[i]),
                speed=int(rng.integers(120, 195)),
                amplitude=int(rng.integers(70, 160)),
                word_gap=int(rng.integers(0, 4)),
            )
        )
    return specs


def random_sentence(rng: np.random.Generator) -> str:
    """A random English word sequence (espeak reads it with natural prosody)."""
    words = list(rng.choice(SENTENCE_WORDS, size=int(rng.integers(6, 16))))
    return " ".join(words).capitalize() + "."


def speak_as(voice: VoiceSpec, text: str, rng: np.random.Generator, binary: str | None = None) -> np.ndarray:
    """Speak ``text`` with ``voice`` (pitch/speed jittered per utterance); float32 at 16 kHz."""
    import soundfile as sf

    pitch = int(np.clip(voice.pitch + rng.integers(-4, 5), 0, 99))
    speed = int(np.clip(voice.speed + rng.integers(-10, 11), 80, 400))
    name = f"{voice.base}+{voice.variant}" if voice.variant else voice.base
    cmd = [
        binary or espeak_binary(), "-v", name, "-p", str(pitch), "-s", str(speed), "-a", str(voice.amplitude),
        "-g", str(voice.word_gap), "--stdout", text,
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    if result.returncode != 0 or len(result.stdout) < 100:
        raise SpeakerTrainerError(f"espeak-ng failed for {name!r}: {result.stderr.decode(errors='replace')[:200]}")
    data, rate = sf.read(io.BytesIO(result.stdout), dtype="float32")
    return resample(data if data.ndim == 1 else data.mean(axis=1), rate, SAMPLE_RATE)


def _finish(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lead = np.zeros(int(rng.uniform(0.1, 0.4) * SAMPLE_RATE), np.float32)
    tail = np.zeros(int(rng.uniform(0.1, 0.4) * SAMPLE_RATE), np.float32)
    out = np.concatenate([lead, audio.astype(np.float32), tail])
    out += rng.normal(0, 10 ** (rng.uniform(-80, -60) / 20), out.shape).astype(np.float32)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def _synthesize_one(out: Path, voice: VoiceSpec, utterances: int, wake_fraction: float, seed: int, binary: str) -> int:
    rng = np.random.default_rng([seed, zlib.crc32(voice.name.encode())])
    folder = out / voice.name
    written = 0
    for u in range(utterances):
        path = folder / f"utt{u:03d}.wav"
        text = str(rng.choice(WAKE_PHRASES)) if rng.random() < wake_fraction else random_sentence(rng)
        if path.exists():
            rng.integers(0, 10, size=2)  # keep the random stream identical whether or not the file exists
            continue
        try:
            audio = speak_as(voice, text, rng, binary)
        except (SpeakerTrainerError, subprocess.TimeoutExpired) as exc:
            logger.warning("skipping %s: %s", path, exc)
            continue
        write_wav(path, _finish(audio, rng))
        written += 1
    return written


def synthesize_speakers(
    out_dir: str | Path,
    voices: Sequence[VoiceSpec],
    utterances: int = 24,
    wake_fraction: float = 0.25,
    seed: int = 11,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 2,
) -> dict[str, int]:
    """Write ``utterances`` WAVs per speaker into ``out_dir/<name>/``; returns files written per speaker.

    espeak-ng runs as a subprocess, so ``workers`` threads synthesise speakers in parallel.
    """
    binary = espeak_binary()
    out = Path(out_dir)
    written: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_synthesize_one, out, v, utterances, wake_fraction, seed, binary): v for v in voices}
        for done, future in enumerate(as_completed(futures), start=1):
            count = future.result()
            if count:
                written[futures[future].name] = count
            if progress:
                progress(done, len(voices))
    return written


#: suffix of a re-voiced twin's folder: ``<speaker>~rv<k>``
TWIN_MARK = "~rv"


def twin_name(speaker: str, copy: int) -> str:
    """Folder (and speaker) name of re-voiced copy ``copy`` (1-based) of ``speaker``."""
    return f"{speaker}{TWIN_MARK}{copy}"


def _revoice_one(out: Path, speaker: str, twin: str, throat: Throat) -> tuple[int, int]:
    source, target = out / speaker, out / twin
    written = failed = 0
    revoicer = Revoicer()
    try:
        for path in sorted(source.glob("*.wav")):
            dest = target / path.name
            if dest.exists():
                continue
            changed = revoicer.change(read_audio(path), throat)
            if changed is None:  # the original is another identity: leave the twin without this recording
                failed += 1
                logger.warning("Praat could not re-voice %s; %s is left without it", path, target.name)
                continue
            peak = float(np.abs(changed).max()) if changed.size else 0.0
            if peak > 0.99:  # PSOLA can overshoot; keep the clip's level below full scale rather than clip it
                changed = changed * (0.99 / peak)
            write_wav(dest, changed.astype(np.float32))
            written += 1
    finally:
        revoicer.close()
    return written, failed


def revoice_speakers(
    out_dir: str | Path,
    speakers: Sequence[str],
    copies: int,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 2,
) -> tuple[dict[str, int], list[dict]]:
    """Add ``copies`` re-voiced twins of each speaker in ``out_dir`` as new speakers (``<name>~rv<k>/``).

    Why: espeak-ng makes every voice with one formant synthesiser, so a model trained on its voices learns to tell
    espeak-ng throats apart. A twin is the same speaker's recordings spoken through a fixed Praat "Change gender"
    (:mod:`trixy_trainer.speaker.revoice`: formants, median pitch and pitch range drawn from its name), a throat
    espeak-ng never makes; as a separate identity it teaches the model that the throat, not the accent or the
    words, is who is speaking (as speed-perturbed copies are new speakers in x-vector recipes). Existing twin files
    are kept. Returns the files written per twin and a ``voices.json`` entry per twin (its source and throat); a
    recording Praat could not change is left out of the twin (logged and counted in the entry's ``failed``).
    """
    if copies < 0:
        raise SpeakerTrainerError(f"synth.revoiced_copies must be 0 or more, got {copies}")
    out = Path(out_dir)
    jobs = [(name, twin_name(name, k), throat_for(name, namespace=f"train{k}"))
            for name in speakers for k in range(1, copies + 1)]
    written: dict[str, int] = {}
    entries: list[dict] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # each job drives its own Praat child process
        futures = {pool.submit(_revoice_one, out, *job): job for job in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            name, twin, throat = futures[future]
            count, failed = future.result()
            if count:
                written[twin] = count
            entries.append({"name": twin, "revoiced_from": name, "formant_ratio": round(throat.formant_ratio, 4),
                            "median_pitch_hz": round(throat.median_pitch_hz, 1), "pitch_range": round(throat.pitch_range, 4),
                            "failed": failed})
            if progress:
                progress(done, len(jobs))
    entries.sort(key=lambda e: e["name"])
    return written, entries
