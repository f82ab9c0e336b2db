"""Corpus for the speech-embedding wake-word head: espeak-ng clips, re-voiced and put in rooms, as embeddings.

The front end is frozen, so every clip is turned into its speech embeddings once (one 96-value vector per 80 ms) and
cached as ``.npz`` per split and kind; training then draws 16-embedding windows from the cache. Every clip has its own
generator seeded by ``(seed, split, kind, index)``: a cache is the same whatever the worker count, and raising a count
only adds clips. Splits use disjoint voices: ``train`` and ``calibration`` (thresholds) the training voices,
``test`` the held-out voice families and variants that never reach training or threshold choice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE
from trixy_trainer.data.synth import ACCENT_VOICES, ENGLISH_VOICES, VARIANTS, espeak_binary, speak
from trixy_trainer.data.synth_texts import CONFUSABLES, SENTENCE_WORDS, SYSTEM_CONFUSABLES, says_wake_phrase
from trixy_trainer.errors import TrainerError
from trixy_trainer.wakeword import voice_augment as va

logger = logging.getLogger(__name__)

#: Languages whose voices speak only negative speech (pseudo-words and sentences): phonetic variety for the head.
NEGATIVE_LANGUAGES = [
    "af", "bg", "ca", "cy", "el", "eo", "es-419", "et", "eu", "fa", "fr-fr", "fr-be", "ga", "hi", "hr", "id", "is",
    "ja", "ka", "ko", "lt", "lv", "mk", "ms", "mt", "pt", "pt-br", "ro", "ru", "sk", "sl", "sq", "sr", "sw", "ta",
    "th", "tr", "uk", "vi", "cmn", "yue", "he", "ar", "bn", "ur", "az", "kk", "uz",
]
#: More espeak-ng languages that read pseudo-words with their own sounds (`data.negative_languages=extended`; the ones
#: that spell Latin letters out one by one, and chr, which fails on them, are left out).
EXTRA_NEGATIVE_LANGUAGES = [
    "am", "an", "as", "bpy", "bs", "cmn-latn-pinyin", "fa-latn", "gd", "gn", "grc", "gu", "hak", "haw", "ht", "hy",
    "ia", "io", "jbo", "kl", "kn", "ku", "la", "lb", "lfn", "ltg", "mi", "ml", "mr", "nci", "ne", "om", "or", "pa",
    "pap", "piqd", "py", "qdb", "qu", "quc", "qya", "ru-lv", "sd", "si", "sjn", "smj", "te", "tk", "tn", "tt", "ug",
    "vi-vn-x-central", "vi-vn-x-south",
]
#: More espeak-ng voice variants for the training and calibration voices (`data.voice_variants=extended`): the
#: human-sounding ones the default list lacks; the siblings of held-out test variants (iven/iven2/iven4 of iven3,
#: klatt4-6 of klatt3), robots, whispers and effects are left out.
EXTRA_VARIANTS = [
    "adam", "Alicia", "Andrea", "antonio", "boris", "caleb", "Denis", "Diogo", "edward2", "Gene", "Gene2", "gustave",
    "Henrique", "Hugo", "Jacky", "john", "kaukovalta", "Lee", "marcelo", "Marco", "Mario", "max", "Michael", "michel",
    "miguel", "Mr", "Nguyen", "pablo", "paul", "pedro", "steph2", "steph3", "Storm", "anika", "AnxiousAndy",
]
COMMANDS = [
    "what time is it", "set a timer for five minutes", "what is the date today", "turn on the kitchen lights",
    "play some music", "what's the weather like", "order a pizza", "stop", "add milk to the shopping list",
    "how long is left on my timer", "remind me to call mum", "turn the volume down", "good morning", "what's on my calendar",
    "pause", "next song", "tell me a joke", "switch off the lights in the living room", "set an alarm for seven",
]
#: Words said right before a wake phrase in one breath (``data.lead_in_p``): "hey Trixy", "okay Trixy", ... The
#: same lead-ins go before confusables ("hey taxi"), so a lead-in alone never means the wake word.
LEAD_INS = [
    "hey", "okay", "hi", "hello", "oh", "so", "um", "yes", "right", "please", "thanks", "well", "and", "now",
    "alright", "excuse me", "hey there", "oh hi", "okay so", "um hey",
]
#: espeak-ng speaking rates (words per minute, ``-s``) of every clip unless ``phrase_speed`` says otherwise
SPEED = (95, 230)
#: More voices for the wake word itself (``data.positive_languages=extended``): espeak-ng languages of the negative
#: speech that read the ``language_phrases`` spelling ("Triksi") as "trik-see" in their own voices. None of the test
#: split's languages or families, and none that read it otherwise (mt "trikesi", az, is, gd) or fall back to English.
POSITIVE_LANGUAGES = [
    "af", "ca", "cy", "eo", "es-419", "et", "eu", "fr-fr", "hr", "id", "lt", "lv", "ms", "sk", "sl", "sq", "sw", "tr",
    "an", "bs", "ia", "io", "lb", "la", "lfn", "pap", "ht", "tn",
]
SYLLABLE_ONSETS = ["", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "st", "tr", "kr", "pl", "sh", "ch", "j", "br", "fl", "gr"]
SYLLABLE_NUCLEI = ["a", "e", "i", "o", "u", "ai", "ou", "ee", "oo", "ay", "ie"]
SYLLABLE_CODAS = ["", "", "", "n", "s", "k", "t", "m", "l", "r", "ks", "x", "ng", "st"]

#: window end (samples after a clip's start) of embedding j: its last mel frame ends here
WINDOW_END_OFFSET = 512 + 75 * 160
HOP = 1280


@dataclass(frozen=True, slots=True)
class Revoice:
    """How the training and calibration negatives (talk, confusables) are re-voiced (``data.negative_revoice``).

    ``voice_change_p`` None means the corpus's ``voice_change_p``; the defaults re-voice negatives exactly like the
    wake phrases, and only a changed setting changes their cache keys."""

    voice_change_p: float | None = None
    formant_range: tuple[float, float] = (0.84, 1.2)
    pitch_hz: tuple[float, float] = (85.0, 290.0)

    @property
    def is_default(self) -> bool:
        """Whether this is the recipe's default (negatives re-voiced like the wake phrases)."""
        return self == Revoice()

    def key(self) -> dict[str, Any]:
        """The settings as they go into a cache key."""
        return {"p": self.voice_change_p, "formant": list(self.formant_range), "pitch": list(self.pitch_hz)}


_PLAIN = Revoice()


@dataclass(slots=True)
class CorpusConfig:
    """What the cache holds; the defaults are the shipped recipe's (see config/trainer/data/embedding.yaml)."""

    cache_dir: Path
    classes: Sequence[str]  # wake classes then "none"
    phrases: Mapping[str, Sequence[str]]  # espeak spellings per wake class (English voices)
    accent_phrases: Mapping[str, Sequence[str]] = field(default_factory=dict)  # spellings for non-English voices
    confusables: Sequence[str] = field(default_factory=lambda: CONFUSABLES + SYSTEM_CONFUSABLES)
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # split -> kind -> clips
    speech_seconds: float = 8.0
    test_voices: Sequence[str] = ("en-gb-scotland", "en-029", "nl", "hu", "pl")
    test_variants: Sequence[str] = ("klatt3", "Annie", "grandma", "travis", "zac", "iven3", "m7", "f5")
    test_languages: Sequence[str] = ("fr-ch", "it", "de", "ro", "pt")
    voice_change_p: float = 0.5
    speed_p: float = 0.3
    follow_command_p: float = 0.5
    seed: int = 1234
    workers: int = 2
    negative_languages: Sequence[str] = field(default_factory=lambda: list(NEGATIVE_LANGUAGES))
    negative_revoice: Revoice = field(default_factory=Revoice)
    variants: Sequence[str] = field(default_factory=lambda: list(VARIANTS))  # of the training/calibration voices
    language_variants: bool = False  # negative-speech language voices also take one of ``variants`` (unseen-variant sets)
    lead_in_p: float = 0.0  # train/calibration: share of wake phrases and confusables said right after a lead-in word
    phrase_speed: tuple[int, int] = SPEED  # train/calibration: espeak-ng rate range of wake phrases and confusables
    language_phrases: Mapping[str, Sequence[str]] = field(default_factory=dict)  # spellings for positive_languages
    positive_languages: Sequence[str] = ()  # train/calibration: more languages' voices that say the wake word
    positive_language_p: float = 0.0  # share of a class's train/calibration phrases those voices say
    clean_file_p: float = 0.0  # train/calibration: share of wake phrases and confusables made as clean files
    confusable_command_p: float = 0.0  # train/calibration: share of confusables followed by a command, as phrases are

    def word_recipe(self, split: str) -> Mapping[str, Any]:
        """How a split's wake phrases and confusables are said, where it differs from the default (cache key)."""
        if split == "test":
            return {}
        out: dict[str, Any] = {}
        if self.lead_in_p > 0:
            out["lead_in_p"] = self.lead_in_p
        if tuple(self.phrase_speed) != SPEED:
            out["phrase_speed"] = list(self.phrase_speed)
        return out

    def _languages_say(self, split: str, wake: str) -> bool:
        """Whether ``positive_languages`` voices say some of wake class ``wake``'s phrases in ``split``."""
        return (split != "test" and bool(self.language_phrases.get(wake)) and bool(self.positive_languages)
                and self.positive_language_p > 0)

    def language_voice(self, rng: np.random.Generator, split: str, wake: str, voice: str) -> tuple[str, list[str] | None]:
        """In the training and calibration splits, a share (``positive_language_p``) of wake class ``wake``'s phrases
        is said by one of ``positive_languages`` (in ``voice``'s variant) with the ``language_phrases`` spellings;
        returns the voice and those spellings, or ``voice`` and None. Draws nothing from ``rng`` when it is off."""
        if not self._languages_say(split, wake) or rng.random() >= self.positive_language_p:
            return voice, None
        language = str(rng.choice(list(self.positive_languages)))
        variant = voice.split("+", 1)[1] if "+" in voice else ""
        return (f"{language}+{variant}" if variant else language), list(self.language_phrases[wake])

    def language_recipe(self, split: str, wake: str) -> Mapping[str, Any]:
        """Cache key of :meth:`language_voice` (empty when it changes nothing)."""
        if not self._languages_say(split, wake):
            return {}
        return {"positive_languages": list(self.positive_languages), "positive_language_p": self.positive_language_p,
                "language_phrases": list(self.language_phrases[wake])}

    def lead_in(self, rng: np.random.Generator, split: str, text: str) -> str:
        """``text``, in the training and calibration splits sometimes after a lead-in word (``lead_in_p``); draws
        nothing from ``rng`` when the option is off, so the default corpus stays the same clip for clip."""
        if split == "test" or self.lead_in_p <= 0 or rng.random() >= self.lead_in_p:
            return text
        return f"{rng.choice(LEAD_INS)} {text}"

    def _clean_files(self, split: str, kind: str) -> bool:
        """Whether ``clean_file_p`` applies to ``kind`` in ``split``: the words (wake phrases and confusables) of the
        training and calibration splits; talk stays in rooms (clean talk made the head deaf to clean words)."""
        return split != "test" and kind not in ("speech", "noise") and self.clean_file_p > 0

    def finish(self, rng: np.random.Generator, split: str, kind: str, audio: np.ndarray, speech_rms: float) -> np.ndarray:
        """A clip's last step: a microphone, room and noise (``va.room``) or, for a share ``clean_file_p`` of the
        training and calibration wake phrases and confusables, a clean file as a text-to-speech engine writes it (``va.clean_file``). Draws
        nothing more from ``rng`` when the option is off, so the default corpus stays the same clip for clip."""
        if self._clean_files(split, kind) and rng.random() < self.clean_file_p:
            return va.clean_file(audio, rng)
        return va.room(audio, rng, speech_rms=speech_rms)

    def clean_recipe(self, split: str, kind: str) -> Mapping[str, Any]:
        """Cache key of :meth:`finish` (empty when it changes nothing)."""
        if not self._clean_files(split, kind):
            return {}
        return {"clean_file_p": self.clean_file_p}

    def confusable_command(self, rng: np.random.Generator, split: str) -> bool:
        """Whether a training/calibration confusable is followed by a command ("tricky, what time is it"), as half of
        the wake phrases are: otherwise a command after a word is a cue for the wake word. Draws nothing when off,
        and never in the test split, so those clips stay as they were."""
        return split != "test" and self.confusable_command_p > 0 and rng.random() < self.confusable_command_p

    def confusable_recipe(self, split: str) -> Mapping[str, Any]:
        """The cache key's part for ``confusable_command_p`` (only when it changes the clips)."""
        return {"confusable_command_p": self.confusable_command_p} if split != "test" and self.confusable_command_p > 0 else {}

    def word_speed(self, split: str) -> tuple[int, int]:
        """espeak-ng rate range for a split's wake phrases and confusables (the held-out test split keeps the default)."""
        return SPEED if split == "test" else tuple(self.phrase_speed)



@dataclass(slots=True)
class ClipSet:
    """Embeddings of many clips in one array, with where each clip starts and what it says."""

    embeddings: np.ndarray  # [total, 96] float16
    offsets: np.ndarray  # [clips + 1] int64: clip i is embeddings[offsets[i]:offsets[i + 1]]
    labels: np.ndarray  # [clips] class index ("none" for negatives)
    wake_end: np.ndarray  # [clips] sample where the wake phrase ends (-1 for negatives)
    voices: list[str]
    #: [clips] sample where a command after the words starts ("Trixie, what time is it"; -1: none; users'
    #: recordings: -1), or None where the clips did not record it (cache files made before 2026-12-07)
    command_start: np.ndarray | None = None

    @property
    def clips(self) -> int:
        """Number of clips."""
        return int(self.labels.size)

    def seconds(self) -> float:
        """Audio duration the embeddings cover (80 ms each)."""
        return float(self.embeddings.shape[0]) * HOP / SAMPLE_RATE


def _voices(cfg: CorpusConfig, split: str, english_only: bool) -> tuple[list[str], list[str]]:
    test = split == "test"
    bases = [v for v in ENGLISH_VOICES + ([] if english_only else ACCENT_VOICES) if (v in cfg.test_voices) == test]
    variants = [v for v in (VARIANTS if test else cfg.variants) if (v in cfg.test_variants) == test]
    if test and not variants:
        variants = [""]
    return bases, variants or [""]


def _languages(cfg: CorpusConfig, split: str) -> list[str]:
    if split == "test":
        return list(cfg.test_languages) + [v for v in cfg.test_voices if not v.startswith("en")]
    languages = [lang for lang in cfg.negative_languages if lang not in cfg.test_languages]
    if cfg.language_variants:
        return [f"{lang}+{variant}" for lang in languages for variant in cfg.variants if variant]
    return languages


def _pick(rng: np.random.Generator, cfg: CorpusConfig, split: str, english: bool | None = None) -> tuple[str, bool]:
    bases, variants = _voices(cfg, split, english_only=bool(english))
    base = str(rng.choice(bases))
    variant = str(rng.choice(variants))
    return (f"{base}+{variant}" if variant else base), base.startswith("en")


#: pseudo-words that sound like the core of "Trixy" ("briksee", "mieks", "diks sai"): hard negatives for training,
#: but not "ordinary speech", so the calibration and test splits redraw them
_NEAR_WAKE = re.compile(r"k ?s|x|g ?s|tr ?(i|ee|ie)")


def _pseudo_words(rng: np.random.Generator, ordinary: bool = False) -> str:
    words = []
    for _ in range(int(rng.integers(3, 10))):
        syllables = int(rng.integers(1, 4))
        words.append("".join(str(rng.choice(SYLLABLE_ONSETS)) + str(rng.choice(SYLLABLE_NUCLEI)) + str(rng.choice(SYLLABLE_CODAS)) for _ in range(syllables)))
    text = " ".join(words)
    if re.search(r"tr[iy]c?k?[sx]", text) or (ordinary and _NEAR_WAKE.search(text)):
        return _pseudo_words(rng, ordinary)
    return text


def _sentence(rng: np.random.Generator) -> str:
    return " ".join(rng.choice(SENTENCE_WORDS, size=int(rng.integers(4, 14)))).capitalize() + "."


def _say(rng: np.random.Generator, text: str, voice: str, cfg: CorpusConfig, binary: str, revoice: bool = True,
         how: Revoice = _PLAIN, speed: tuple[int, int] = SPEED) -> np.ndarray:
    audio = speak(text, voice, int(rng.integers(10, 96)), int(rng.integers(*speed)), binary)
    audio = va.trim(audio)
    p = cfg.voice_change_p if how.voice_change_p is None else how.voice_change_p
    if revoice and rng.random() < p:
        audio = va.change_voice(audio, rng, how.formant_range, how.pitch_hz)
    if revoice and rng.random() < cfg.speed_p:
        audio = va.change_speed(audio, rng)
    return audio.astype(np.float32)


def _silence(rng: np.random.Generator, low: float, high: float) -> np.ndarray:
    return np.zeros(int(rng.uniform(low, high) * SAMPLE_RATE), np.float32)


def positive_clip(cfg: CorpusConfig, split: str, wake: str, index: int, binary: str) -> tuple[np.ndarray, int, str, int]:
    """One clip saying wake class ``wake`` (maybe between other speech); returns audio, wake-end sample, voice and
    the sample where a command after the phrase starts (-1: none)."""
    rng = np.random.default_rng([cfg.seed, _split_id(split), 10 + list(cfg.classes).index(wake), index])
    voice, english = _pick(rng, cfg, split, english=None if cfg.accent_phrases.get(wake) else True)
    spellings = cfg.phrases[wake] if english or not cfg.accent_phrases.get(wake) else cfg.accent_phrases[wake]
    voice, language_spellings = cfg.language_voice(rng, split, wake, voice)
    spellings = language_spellings or spellings
    phrase = _say(rng, cfg.lead_in(rng, split, str(rng.choice(list(spellings)))), voice, cfg, binary, speed=cfg.word_speed(split))
    before = _silence(rng, 0.2, 1.2)
    if rng.random() < 0.2:
        before = np.concatenate([_say(rng, _sentence(rng), voice, cfg, binary, revoice=False) * rng.uniform(0.5, 1.2), _silence(rng, 0.1, 0.6)])
    lead = np.zeros(max(0, int(2.3 * SAMPLE_RATE) - before.size - phrase.size), np.float32)
    after = _silence(rng, 0.05, 0.5)
    wake_end = lead.size + before.size + phrase.size
    command_start = -1
    if rng.random() < cfg.follow_command_p:
        command_start = wake_end + after.size
        after = np.concatenate([after, _say(rng, str(rng.choice(COMMANDS)), voice, cfg, binary, revoice=False)])
    after = np.concatenate([after, _silence(rng, 1.3, 1.8)])
    speech = np.concatenate([lead, before, phrase, after]).astype(np.float32)
    return cfg.finish(rng, split, wake, speech, va.rms(phrase)), wake_end, voice, command_start


def negative_clip(cfg: CorpusConfig, split: str, kind: str, index: int, binary: str) -> tuple[np.ndarray, str, int]:
    """Negative audio: ``confusable`` (words that sound like a wake phrase) or ``speech`` (a stream of talk); returns
    audio, voice and the sample where a command after the confusable words starts (-1: none)."""
    rng = np.random.default_rng([cfg.seed, _split_id(split), {"confusable": 1, "speech": 2, "noise": 3}[kind], index])
    parts = [_silence(rng, 1.5, 2.5)]
    voice = "noise"
    command_start = -1
    how = cfg.negative_revoice if split != "test" else _PLAIN
    if kind == "confusable":
        voice, _ = _pick(rng, cfg, split, english=True)
        pool = list(cfg.confusables)
        text = str(rng.choice(pool)) if rng.random() < 0.6 else " ".join(rng.choice(pool, size=int(rng.integers(2, 4))))
        while says_wake_phrase(text):
            text = " ".join(rng.choice(pool, size=2))
        text = cfg.lead_in(rng, split, text)
        parts.append(_say(rng, text, voice, cfg, binary, how=how, speed=cfg.word_speed(split)))
        if cfg.confusable_command(rng, split):  # as a wake phrase is followed by one half the time
            parts.append(_silence(rng, 0.05, 0.5))
            command_start = sum(p.size for p in parts)
            parts += [_say(rng, str(rng.choice(COMMANDS)), voice, cfg, binary, revoice=False)]
        parts.append(_silence(rng, 0.8, 1.5))
    elif kind == "speech":
        target = cfg.speech_seconds * SAMPLE_RATE
        total = sum(p.size for p in parts)
        voices = []
        while total < target:
            ordinary = split != "train"
            if rng.random() < 0.5:
                voice, _ = _pick(rng, cfg, split)
                text = _sentence(rng) if voice.startswith("en") or rng.random() < 0.4 else _pseudo_words(rng, ordinary)
            else:
                voice = str(rng.choice(_languages(cfg, split)))
                text = _pseudo_words(rng, ordinary)
            voices.append(voice)
            part = _say(rng, text, voice, cfg, binary, how=how)
            parts += [part * rng.uniform(0.4, 1.3), _silence(rng, 0.0, 0.6)]
            total += parts[-1].size + parts[-2].size
        voice = "+".join(sorted(set(voices)))[:200]
    else:
        parts.append(np.zeros(int(cfg.speech_seconds * SAMPLE_RATE), np.float32))
    audio = np.concatenate(parts).astype(np.float32)
    speech_level = va.rms(audio[audio != 0]) if np.any(audio) else 1e-3
    return cfg.finish(rng, split, kind, audio, speech_level), voice, command_start


def _split_id(split: str) -> int:
    return {"train": 0, "calibration": 1, "test": 2}[split]


class Embedder:
    """The frozen front end: audio -> [embeddings, 96] float16 (a corpus worker runs it on one torch thread)."""

    def __init__(self, threads: int | None = 1) -> None:
        import torch

        from trixy_trainer.pretrained.speech_embedding import load_speech_frontend

        if threads is not None:
            torch.set_num_threads(threads)
        self.mel, self.embedding = load_speech_frontend()

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[None]
            return self.embedding(self.mel(x))[0].numpy().astype(np.float16)


_WORKER: dict[str, Any] = {}


def _work(job: tuple[CorpusConfig, str, str, int]) -> tuple[np.ndarray, int, int, str, int]:
    cfg, split, kind, index = job
    if "embedder" not in _WORKER:
        _WORKER["embedder"] = Embedder()
        _WORKER["binary"] = espeak_binary()
    binary = _WORKER["binary"]
    if kind in cfg.classes[:-1]:
        audio, wake_end, voice, command_start = positive_clip(cfg, split, kind, index, binary)
        label = list(cfg.classes).index(kind)
    else:
        audio, voice, command_start = negative_clip(cfg, split, kind, index, binary)
        wake_end, label = -1, len(cfg.classes) - 1
    return _WORKER["embedder"](audio), label, wake_end, voice, command_start


CHUNK_CLIPS = 250  # clips per cache file: raising a count computes only the new chunks


def _cache_path(cfg: CorpusConfig, split: str, kind: str, chunk: int) -> Path:
    recipe = {
        "kind": kind, "split": split, "seed": cfg.seed, "voice_change_p": cfg.voice_change_p,
        "speed_p": cfg.speed_p, "test": [list(cfg.test_voices), list(cfg.test_variants), list(cfg.test_languages)],
        "speech_seconds": cfg.speech_seconds, "version": 1,
    }
    if kind in cfg.classes[:-1]:
        recipe.update(phrases=list(cfg.phrases[kind]), accent=list(cfg.accent_phrases.get(kind, [])), follow=cfg.follow_command_p, index=list(cfg.classes).index(kind))
        recipe.update(cfg.language_recipe(split, kind))
    if kind == "confusable":
        recipe["confusables"] = sorted(cfg.confusables)
        recipe.update(cfg.confusable_recipe(split))
    if kind == "confusable" or kind in cfg.classes[:-1]:
        recipe.update(cfg.word_recipe(split))
    if kind == "speech" and split != "train":
        recipe["ordinary_speech"] = 3  # near-wake pseudo-words redrawn
    if kind == "speech" and split != "test" and list(cfg.negative_languages) != NEGATIVE_LANGUAGES:
        # the test split speaks only the held-out languages; the default list's chunks predate this key
        recipe["languages"] = sorted(cfg.negative_languages)
    if kind in ("confusable", "speech") and split != "test" and not cfg.negative_revoice.is_default:
        recipe["negative_revoice"] = cfg.negative_revoice.key()
    if kind != "noise" and split != "test" and list(cfg.variants) != VARIANTS:
        recipe["variants"] = list(cfg.variants)
    if kind == "speech" and split != "test" and cfg.language_variants:
        recipe["language_variants"] = True
    recipe.update(cfg.clean_recipe(split, kind))
    digest = hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:10]
    return Path(cfg.cache_dir) / f"{split}_{kind}_{digest}_{chunk:03d}.npz"


def _cached_chunk(path: Path, need: int) -> Path | None:
    """The cache file of a chunk holding at least ``need`` clips: the full chunk, or a partial one (``.<n>.npz``)."""
    if path.is_file():
        return path
    partial = sorted(path.parent.glob(path.stem + ".*.npz"), key=lambda p: int(p.suffixes[-2][1:]) if p.suffixes[-2][1:].isdigit() else 0)
    for candidate in reversed(partial):
        size = candidate.suffixes[-2][1:]
        if size.isdigit() and int(size) >= need:
            return candidate
    return None


def _compute(jobs: list[tuple[CorpusConfig, str, str, int]], workers: int, progress: Callable[[int], None]) -> list[tuple[np.ndarray, int, int, str, int]]:
    import multiprocessing as mp

    if workers <= 1:
        results = []
        for job in jobs:
            results.append(_work(job))
            progress(1)
        return results
    with mp.get_context("spawn").Pool(workers) as pool:
        results = []
        for result in pool.imap(_work, jobs, chunksize=4):
            results.append(result)
            progress(1)
        return results


def read_clips(path: Path) -> tuple[ClipSet, dict[str, np.ndarray]]:
    """A cached clip set and any extra arrays saved beside it."""
    with np.load(path) as data:
        command_start = data["command_start"] if "command_start" in data.files else None
        clips = ClipSet(data["embeddings"], data["offsets"], data["labels"], data["wake_end"], [str(v) for v in data["voices"]],
                        command_start)
        extra = {k: data[k] for k in data.files if k not in ("embeddings", "offsets", "labels", "wake_end", "voices", "command_start")}
    return clips, extra


def write_clips(path: Path, clips: ClipSet, **extra: np.ndarray) -> None:
    """Cache a clip set (and extra arrays) atomically: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    if clips.command_start is not None:
        extra = {**extra, "command_start": clips.command_start}
    np.savez(tmp, embeddings=clips.embeddings, offsets=clips.offsets, labels=clips.labels, wake_end=clips.wake_end,
             voices=np.array(clips.voices), **extra)
    tmp.replace(path)


def join_clips(parts: list[ClipSet]) -> ClipSet:
    """Several clip sets as one (offsets shifted)."""
    lengths = np.concatenate([np.diff(p.offsets) for p in parts])
    return ClipSet(
        embeddings=np.concatenate([p.embeddings for p in parts]),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        labels=np.concatenate([p.labels for p in parts]),
        wake_end=np.concatenate([p.wake_end for p in parts]),
        voices=[v for p in parts for v in p.voices],
        command_start=None if any(p.command_start is None for p in parts) else np.concatenate([p.command_start for p in parts]),
    )


def build_clips(
    cfg: CorpusConfig, split: str, kind: str, count: int, progress: Callable[[str, int, int], None] | None = None
) -> ClipSet:
    """Embeddings of ``count`` clips of ``kind`` (a wake class, "confusable", "speech" or "noise"), cached in chunks
    of 250 clips (a larger count reuses every chunk already made)."""
    if count <= 0:
        raise TrainerError(f"no {kind} clips requested for the {split} split")
    parts: list[ClipSet] = []
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress and (done[0] % 50 == 0 or done[0] == count):
            progress(f"{split} {kind}", done[0], count)

    for chunk in range(-(-count // CHUNK_CLIPS)):
        first, last = chunk * CHUNK_CLIPS, min(count, (chunk + 1) * CHUNK_CLIPS)
        path = _cache_path(cfg, split, kind, chunk)
        cached = _cached_chunk(path, last - first)
        if cached is not None:
            part, _ = read_clips(cached)
            tick(part.clips)
        else:
            results = _compute([(cfg, split, kind, i) for i in range(first, last)], int(cfg.workers), tick)
            lengths = np.array([r[0].shape[0] for r in results], np.int64)
            part = ClipSet(
                embeddings=np.concatenate([r[0] for r in results]),
                offsets=np.concatenate([[0], np.cumsum(lengths)]),
                labels=np.array([r[1] for r in results], np.int64),
                wake_end=np.array([r[2] for r in results], np.int64),
                voices=[r[3] for r in results],
                command_start=np.array([r[4] for r in results], np.int64),
            )
            if last - first < CHUNK_CLIPS:  # a partial chunk: a later, larger count recomputes it whole
                path = path.with_name(f"{path.stem}.{last - first}.npz")
            write_clips(path, part)
        keep = last - first
        if keep < part.clips:
            part = ClipSet(part.embeddings[: part.offsets[keep]], part.offsets[: keep + 1], part.labels[:keep], part.wake_end[:keep], part.voices[:keep],
                           None if part.command_start is None else part.command_start[:keep])
        parts.append(part)
    clips = join_clips(parts)
    logger.info("%d %s %s clips (%.2f h of audio)", clips.clips, split, kind, clips.seconds() / 3600)
    return clips


#: default end of the positive span, in samples after the wake phrase's end (``data.positive_after_s`` 0.4 s)
POSITIVE_AFTER = 6400
#: windows ending up to this many samples after the phrase's end still hold it: never negatives (1.25 s)
PHRASE_HELD = 20000


def window_labels(
    clips: ClipSet, windows: int, none_index: int, positive_after: int = POSITIVE_AFTER, command_after: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every usable window as (global index of its last embedding, label); windows ending from 40 ms before a wake
    phrase's end to ``positive_after`` samples after it are positive, windows cut inside the phrase or still
    holding it after the positive span (up to 1.25 s after its end) are left out. With ``command_after``, a phrase
    followed by a command is positive only until ``command_after`` samples after the command starts (so what the
    head learns as the wake word is the phrase, not the command after it); the clips must record where it starts."""
    if command_after is not None and clips.command_start is None:
        raise TrainerError("data.command_positive_s needs to know which wake phrases a command follows, and these "
                           "clips do not record it (corpus cache chunks made before 2026-12-07): delete the cache's "
                           "wake-phrase chunks (data.cache_dir) so that they are made again")
    ends, labels = [], []
    for i in range(clips.clips):
        start, stop = int(clips.offsets[i]), int(clips.offsets[i + 1])
        j = np.arange(windows - 1, stop - start)
        end_sample = j * HOP + WINDOW_END_OFFSET
        label = np.full(j.size, none_index, np.int64)
        keep = np.ones(j.size, bool)
        if clips.wake_end[i] >= 0:
            we = int(clips.wake_end[i])
            span = we + positive_after
            if command_after is not None and clips.command_start[i] >= 0:
                span = max(we, min(span, int(clips.command_start[i]) + command_after))
            positive = (end_sample >= we - 640) & (end_sample <= span)
            label[positive] = clips.labels[i]
            keep &= ~((end_sample > we - 4800) & (end_sample < we - 640))  # the phrase is cut: neither
            keep &= ~((end_sample > span) & (end_sample < we + PHRASE_HELD))  # phrase still inside
        ends.append(start + j[keep])
        labels.append(label[keep])
    return np.concatenate(ends), np.concatenate(labels)
