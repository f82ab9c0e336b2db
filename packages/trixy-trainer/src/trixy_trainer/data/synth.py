"""Synthetic starter corpus: espeak-ng speaks the wake phrases, confusables and sentences in many voices.

Writes 16 kHz 16-bit mono WAVs into ``raw/{custom,system_command,negative,background}/``. File names carry the
voice as ``__v-<base>+<variant>__`` so preparation can keep every voice inside one split. Voices whose base is in
``holdout_voices`` are meant for evaluation only (preparation puts them in the test split).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE, read_audio, write_wav
from trixy_trainer.data.synth_texts import CONFUSABLES, SENTENCE_WORDS, SYSTEM_CONFUSABLES, says_wake_phrase
from trixy_trainer.errors import TrainerError

logger = logging.getLogger(__name__)

ENGLISH_VOICES = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", "en-gb-scotland", "en-029"]
ACCENT_VOICES = ["de", "da", "nb", "sv", "fi", "es", "it", "cs", "nl", "hu", "pl"]
VARIANTS = [
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "croak", "klatt", "klatt2",
    "klatt3", "Andy", "Annie", "Alex", "aunty", "benjamin", "david", "ed", "grandpa", "grandma", "linda", "Mike",
    "norbert", "quincy", "rob", "robert", "steph", "travis", "victor", "zac", "belinda", "edward", "iven3", "shelby",
]
#: Voice bases never used for training: the held-out accents of the test split.
HOLDOUT_VOICES = ["en-gb-scotland", "en-029", "nl", "hu", "pl"]

VOICE_TAG = re.compile(r"__v-([^_]+?)__")


@dataclass(slots=True)
class SynthConfig:
    """What to synthesise and how much of it."""

    out_dir: Path
    wake_phrases_en: Sequence[str] = ("Trixie", "Tricksy", "Trixi", "Tricksie")
    wake_phrases_accent: Sequence[str] = ("Trixi", "Trixie")
    system_phrases: Sequence[str] = ("system command",)
    custom_count: int = 1200
    system_count: int = 1000
    confusable_count: int = 1500
    sentence_count: int = 900
    background_count: int = 40
    background_seconds: float = 10.0
    voices: Sequence[str] = field(default_factory=lambda: ENGLISH_VOICES + ACCENT_VOICES)
    variants: Sequence[str] = field(default_factory=lambda: list(VARIANTS))
    seed: int = 1234


def voice_of(path: str | Path) -> str | None:
    """Return the ``base+variant`` voice tag in a synthesised file name, or None for user recordings."""
    match = VOICE_TAG.search(Path(path).name)
    return match.group(1) if match else None


def espeak_binary() -> str:
    """Locate espeak-ng (or espeak); raise a TrainerError telling the user to install it."""
    for name in ("espeak-ng", "espeak"):
        found = shutil.which(name)
        if found:
            return found
    raise TrainerError("espeak-ng is not installed: apt-get install espeak-ng (needed by `trixy-train synth`)")


def speak(text: str, voice: str, pitch: int, speed: int, binary: str | None = None) -> np.ndarray:
    """Synthesize ``text`` with espeak-ng and return float32 audio at 16 kHz."""
    import io

    import soundfile as sf

    from trixy_trainer.data.audio_io import resample

    cmd = [binary or espeak_binary(), "-v", voice, "-p", str(pitch), "-s", str(speed), "--stdout", text]
    result = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    if result.returncode != 0 or len(result.stdout) < 100:
        raise TrainerError(f"espeak-ng failed for voice {voice!r}: {result.stderr.decode(errors='replace')[:200]}")
    data, rate = sf.read(io.BytesIO(result.stdout), dtype="float32")
    return resample(data if data.ndim == 1 else data.mean(axis=1), rate, SAMPLE_RATE)


def _voice_tag(voice: str) -> str:
    return voice.replace("_", "-")


def _pad(rng: np.random.Generator, audio: np.ndarray, max_lead: float, max_tail: float) -> np.ndarray:
    lead = np.zeros(int(rng.uniform(0.05, max_lead) * SAMPLE_RATE), np.float32)
    tail = np.zeros(int(rng.uniform(0.05, max_tail) * SAMPLE_RATE), np.float32)
    out = np.concatenate([lead, audio, tail])
    floor = 10 ** (rng.uniform(-75, -55) / 20)
    out += rng.normal(0, floor, out.shape).astype(np.float32)
    peak = float(np.max(np.abs(out))) or 1.0
    return (out / peak * 10 ** (rng.uniform(-12, -1) / 20)).astype(np.float32)


def _pick_voice(rng: np.random.Generator, cfg: SynthConfig) -> tuple[str, bool]:
    base = str(rng.choice(list(cfg.voices)))
    variant = str(rng.choice(list(cfg.variants)))
    return (f"{base}+{variant}" if variant else base), base.startswith("en")


def _random_sentence(rng: np.random.Generator) -> str:
    words = list(rng.choice(SENTENCE_WORDS, size=int(rng.integers(4, 14))))
    if rng.random() < 0.3:
        words.insert(int(rng.integers(0, len(words))), str(rng.choice(CONFUSABLES + SYSTEM_CONFUSABLES)))
    return " ".join(words).capitalize() + "."


def background_noise(rng: np.random.Generator, seconds: float, kind: str) -> np.ndarray:
    """Generate one background clip: white/pink/brown noise, mains hum, music-like tones or silence."""
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    if kind in ("white", "pink", "brown"):
        spectrum = np.fft.rfft(rng.normal(size=n))
        freqs = np.maximum(np.fft.rfftfreq(n, 1 / SAMPLE_RATE), 1.0)
        spectrum /= {"white": 1.0, "pink": np.sqrt(freqs), "brown": freqs}[kind]
        audio = np.fft.irfft(spectrum, n)
    elif kind == "hum":
        base = float(rng.choice([50.0, 60.0]))
        audio = sum(rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * base * h * t + rng.uniform(0, 6)) for h in range(1, 8))
        audio = audio + rng.normal(0, 0.02, n)
    elif kind == "tones":
        audio = np.zeros(n)
        pos = 0
        while pos < n:
            length = int(rng.uniform(0.1, 0.6) * SAMPLE_RATE)
            seg_t = np.arange(min(length, n - pos)) / SAMPLE_RATE
            env = np.exp(-seg_t * rng.uniform(1, 8))
            for _ in range(int(rng.integers(1, 4))):
                freq = 110 * 2 ** (int(rng.integers(0, 36)) / 12)
                audio[pos : pos + seg_t.size] += env * sum(
                    np.sin(2 * np.pi * freq * k * seg_t) / k**1.5 for k in range(1, 5)
                )
            pos += seg_t.size
    else:
        audio = rng.normal(0, 1e-4, n)
    audio = np.asarray(audio, dtype=np.float64)
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio / peak * 10 ** (rng.uniform(-30, -6) / 20)).astype(np.float32)


#: Stream ids for the per-file random generators (one independent stream per folder/kind).
_STREAMS = {"custom": 0, "system_command": 1, "confusable": 2, "sentence": 3, "background": 4}


def _job(cfg: SynthConfig, kind: str, index: int) -> tuple[str, str, str, np.random.Generator, tuple[float, float]]:
    """What file ``index`` of ``kind`` says and with which voice; every file has its own seeded generator, so the
    corpus is the same whatever the counts, order or parallelism (raising a count only adds files)."""
    rng = np.random.default_rng([cfg.seed, _STREAMS[kind], index])
    voice, english = _pick_voice(rng, cfg)
    if kind == "custom":
        return "custom", str(rng.choice(list(cfg.wake_phrases_en if english else cfg.wake_phrases_accent))), voice, rng, (1.0, 1.0)
    if kind == "system_command":
        return "system_command", str(rng.choice(list(cfg.system_phrases))), voice, rng, (1.0, 1.0)
    if kind == "confusable":
        pool = CONFUSABLES + SYSTEM_CONFUSABLES
        text = str(rng.choice(pool)) if rng.random() < 0.7 else " ".join(rng.choice(pool, size=2))
        while says_wake_phrase(text):  # "system" + "commands" is the wake phrase, not a negative
            text = " ".join(rng.choice(pool, size=2))
        return "negative", text, voice, rng, (0.5, 0.5)
    return "negative", _random_sentence(rng), voice, rng, (0.3, 0.3)


def synthesize_corpus(
    cfg: SynthConfig, progress: Callable[[str, int, int], None] | None = None, workers: int = 2
) -> dict[str, int]:
    """Write the corpus; existing files are kept (re-running adds only what is missing). Returns counts per folder.

    ``workers`` espeak-ng processes run at once (each file has its own random generator, so the result does not
    depend on it).
    """
    from concurrent.futures import ThreadPoolExecutor

    binary = espeak_binary()
    out = Path(cfg.out_dir)
    counts: dict[str, int] = {}
    kind_counts = {"custom": cfg.custom_count, "system_command": cfg.system_count, "confusable": cfg.confusable_count, "sentence": cfg.sentence_count}
    offsets = {"custom": 0, "system_command": 0, "confusable": 0, "sentence": cfg.confusable_count}

    def emit(kind: str, index: int) -> str | None:
        folder, text, voice, rng, pad = _job(cfg, kind, index)
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:24]
        pitch, speed = int(rng.integers(25, 80)), int(rng.integers(110, 210))
        name = f"{slug}__v-{_voice_tag(voice)}__p{pitch}s{speed}_{kind[0]}{index + offsets[kind]:05d}.wav"
        path = out / folder / name
        if path.exists():
            return None
        try:
            audio = speak(text, voice, pitch, speed, binary)
        except (TrainerError, subprocess.TimeoutExpired) as exc:
            logger.warning("skipping %s: %s", path.name, exc)
            return None
        write_wav(path, _pad(rng, audio, *pad))
        return folder

    jobs = [(kind, i) for kind, n in kind_counts.items() for i in range(n)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, folder in enumerate(pool.map(lambda job: emit(*job), jobs)):
            if folder is not None:
                counts[folder] = counts.get(folder, 0) + 1
            if progress and done % 500 == 0:
                progress("speech", done, len(jobs))
    kinds = ["white", "pink", "brown", "hum", "tones", "silence"]
    for i in range(cfg.background_count):
        kind = kinds[i % len(kinds)]
        path = out / "background" / f"{kind}_{i:04d}.wav"
        if not path.exists():
            write_wav(path, background_noise(np.random.default_rng([cfg.seed, _STREAMS["background"], i]), cfg.background_seconds, kind))
            counts["background"] = counts.get("background", 0) + 1
    logger.info("synthesised corpus into %s: %s", out, counts)
    return counts


def check_voice_file(path: Path) -> bool:
    """True when ``path`` reads as audio (used by tests and the prep report)."""
    try:
        read_audio(path)
    except TrainerError:
        return False
    return True
