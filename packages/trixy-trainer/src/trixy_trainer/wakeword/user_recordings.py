"""Users' own recordings in the speech-embedding recipe (``data.user_recordings``): real voices and real rooms.

The folder layout is the spec's wake-word data source, the same the CNN recipe's ``prepare`` reads::

    <raw_dir>/custom/*.wav           the custom wake word (the first class), one utterance per file
    <raw_dir>/<class>/*.wav          any wake class by its name ("system_command/", also "system command/")
    <raw_dir>/negative/*.wav         speech without the wake word, any length (cut into data.speech_seconds pieces)
    <raw_dir>/background/*.wav       household sound: TV, kitchen, music (also cut into pieces)

Files are only read. Each wake-word recording becomes ``copies`` clips: the recording as it is, then copies through
speed, voice and room changes (the same transforms the synthetic corpus uses), placed like a synthetic positive so
the head learns the word's end. Negative audio becomes one clip per piece, plus ``negative_copies - 1`` room
variants. A share of each folder's files (by a hash of the content, so a file always lands in the same split) goes
to calibration, where the thresholds are chosen, when the folder has enough of them. The embeddings are cached per
file (content hash + recipe) under ``<cache_dir>/user``: adding a file computes only that file.

An unreadable, silent or over-long file is skipped with a warning and listed in the model's metadata
(``user_recordings``); nothing makes the whole training fail except a bad setting.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE, read_audio
from trixy_trainer.data.vad import speech_bounds
from trixy_trainer.errors import AudioFileError, ConfigError
from trixy_trainer.wakeword import voice_augment as va
from trixy_trainer.wakeword.embedding_corpus import ClipSet, join_clips, read_clips, write_clips

logger = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")
NEGATIVE_KINDS = {"negative": "speech", "background": "noise"}
VERSION = 1
#: a wake-word recording longer than this (after trimming silence) is not one utterance of the wake word
MAX_POSITIVE_SECONDS = 3.0
#: a negative piece shorter than this holds too few 80 ms embeddings for a window and its context
MIN_PIECE_SECONDS = 2.5
MARGIN_SAMPLES = int(0.08 * SAMPLE_RATE)


@dataclass(slots=True)
class UserRecordingsConfig:
    """``data.user_recordings`` (see config/trainer/data/embedding.yaml)."""

    raw_dir: Path | None
    copies: int = 10
    negative_copies: int = 2
    share: float = 0.25
    calibration_fraction: float = 0.2
    min_calibration_files: int = 5
    max_pieces_per_file: int = 450
    voice_change_p: float = 0.3
    speed_p: float = 0.3

    def __post_init__(self) -> None:
        if self.copies < 1 or self.negative_copies < 1:
            raise ConfigError("data.user_recordings.copies and negative_copies must be at least 1")
        if not 0.0 <= self.share < 1.0:
            raise ConfigError(f"data.user_recordings.share must be in [0, 1), got {self.share}")
        if not 0.0 <= self.calibration_fraction < 1.0:
            raise ConfigError(f"data.user_recordings.calibration_fraction must be in [0, 1), got {self.calibration_fraction}")
        if self.min_calibration_files < 1 or self.max_pieces_per_file < 1:
            raise ConfigError("data.user_recordings.min_calibration_files and max_pieces_per_file must be at least 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> UserRecordingsConfig:
        """From the config section (None, or ``raw_dir: null``, turns the feature off)."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(cls.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"data.user_recordings: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        raw = values.pop("raw_dir", None)
        try:
            return cls(raw_dir=Path(raw) if raw else None, **values)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"data.user_recordings: {exc}") from exc


@dataclass(slots=True)
class FolderReport:
    """What one folder gave: files used per split, files skipped (with why) and seconds of audio."""

    kind: str
    train_files: int = 0
    calibration_files: int = 0
    seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready, for the model metadata."""
        return {"kind": self.kind, "train_files": self.train_files, "calibration_files": self.calibration_files,
                "seconds": round(self.seconds, 1), "skipped": dict(self.skipped)}


@dataclass(slots=True)
class UserCorpus:
    """The user's clips per split and kind (a wake class, ``speech`` or ``noise``) and a report per folder."""

    splits: dict[str, dict[str, ClipSet]] = field(default_factory=lambda: {"train": {}, "calibration": {}})
    folders: dict[str, FolderReport] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when no recording was usable."""
        return not any(self.splits.values())

    def summary(self) -> dict[str, Any]:
        """Per folder, for the model metadata."""
        return {name: report.summary() for name, report in sorted(self.folders.items())}


def folder_kind(folder: str, classes: Sequence[str]) -> str | None:
    """What a raw folder holds: a wake class, ``speech`` or ``noise``; None for a folder this recipe does not use."""
    name = folder.strip().lower().replace(" ", "_")
    wake = [str(c) for c in classes[:-1]]
    if name == "custom":
        return wake[0]
    if name in wake:
        return name
    return NEGATIVE_KINDS.get(name)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _in_calibration(sha: str, fraction: float) -> bool:
    return int(sha[:8], 16) / 0xFFFFFFFF < fraction


def positive_clips(audio: np.ndarray, copies: int, rng: np.random.Generator, cfg: UserRecordingsConfig,
                   ) -> list[tuple[np.ndarray, int]]:
    """(clip, wake-end sample) for each copy of one wake-word recording (the first copy unchanged but placed)."""
    bounds = speech_bounds(audio, SAMPLE_RATE)
    if bounds is None:
        raise AudioFileError("no speech found (silent or only noise)")
    start, end = max(0, bounds[0] - MARGIN_SAMPLES), min(audio.size, bounds[1] + MARGIN_SAMPLES)
    phrase = audio[start:end].astype(np.float32)
    if phrase.size > MAX_POSITIVE_SECONDS * SAMPLE_RATE:
        raise AudioFileError(f"{phrase.size / SAMPLE_RATE:.1f} s of speech: a wake-word recording holds the wake word "
                             f"alone (at most {MAX_POSITIVE_SECONDS:g} s); put longer talk into negative/")
    out = []
    for k in range(copies):
        said = phrase
        if k > 0 and rng.random() < cfg.speed_p:
            said = va.change_speed(said, rng)
        if k > 0 and rng.random() < cfg.voice_change_p:
            said = va.change_voice(said, rng)
        before = np.zeros(int(rng.uniform(0.2, 1.2) * SAMPLE_RATE), np.float32)
        lead = np.zeros(max(0, int(2.3 * SAMPLE_RATE) - before.size - said.size), np.float32)
        after = np.zeros(int(rng.uniform(1.3, 1.8) * SAMPLE_RATE), np.float32)
        clip = np.concatenate([lead, before, said, after]).astype(np.float32)
        wake_end = lead.size + before.size + said.size
        if k == 0:  # as recorded: only a faint noise floor where the silence was added
            clip = clip + rng.normal(0, 10 ** (-75 / 20), clip.size).astype(np.float32)
        else:
            clip = va.room(clip, rng, speech_rms=va.rms(said))
        out.append((clip.astype(np.float32), wake_end))
    return out


def negative_clips(audio: np.ndarray, seconds: float, copies: int, max_pieces: int, rng: np.random.Generator,
                   ) -> list[np.ndarray]:
    """Pieces of ``seconds`` of one negative recording (the last one if long enough), each as is and in rooms."""
    size = int(seconds * SAMPLE_RATE)
    pieces = [audio[i : i + size] for i in range(0, audio.size, size)][:max_pieces]
    pieces = [p.astype(np.float32) for p in pieces if p.size >= MIN_PIECE_SECONDS * SAMPLE_RATE]
    if not pieces:
        raise AudioFileError(f"shorter than {MIN_PIECE_SECONDS:g} s")
    out = []
    for piece in pieces:
        out.append(piece)
        out.extend(va.room(piece, rng) for _ in range(copies - 1))
    return out


def _recipe(kind: str, label: int, cfg: UserRecordingsConfig, speech_seconds: float) -> str:
    recipe = {"kind": kind, "label": label, "version": VERSION, "speech_seconds": speech_seconds,
              "copies": cfg.copies if label >= 0 else cfg.negative_copies, "max_pieces": cfg.max_pieces_per_file,
              "voice_change_p": cfg.voice_change_p, "speed_p": cfg.speed_p}
    return hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:10]


def file_clips(path: Path, sha: str, kind: str, label: int, none_index: int, cfg: UserRecordingsConfig,
               speech_seconds: float, cache_dir: Path, embed: Callable[[np.ndarray], np.ndarray],
               ) -> tuple[ClipSet, float]:
    """The embedded clips of one recording (``label`` >= 0 for a wake class, -1 for negatives) and the recording's
    length in seconds, cached."""
    cache = cache_dir / f"{sha[:20]}_{_recipe(kind, label, cfg, speech_seconds)}.npz"
    if cache.is_file():
        part, extra = read_clips(cache)
        if part.command_start is None:  # cached before it was recorded: a recording never has a command added
            part.command_start = np.full(part.clips, -1, np.int64)
        return part, float(extra["seconds"])
    audio = read_audio(path)
    seconds = audio.size / SAMPLE_RATE
    rng = np.random.default_rng([int(sha[:12], 16), VERSION])
    if label >= 0:
        made = positive_clips(audio, cfg.copies, rng, cfg)
        clips, wake_ends, labels = [c for c, _ in made], [w for _, w in made], [label] * len(made)
    else:
        clips = negative_clips(audio, speech_seconds, cfg.negative_copies, cfg.max_pieces_per_file, rng)
        wake_ends, labels = [-1] * len(clips), [none_index] * len(clips)
    embeddings = [embed(c) for c in clips]
    lengths = np.array([e.shape[0] for e in embeddings], np.int64)
    voice = f"user:{path.parent.name}"
    part = ClipSet(np.concatenate(embeddings), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                   np.array(labels, np.int64), np.array(wake_ends, np.int64), [voice] * len(clips),
                   np.full(len(clips), -1, np.int64))  # a recording is put between silences: nothing follows it
    write_clips(cache, part, seconds=np.array(seconds))
    return part, seconds


def load_user_recordings(cfg: UserRecordingsConfig, classes: Sequence[str], cache_dir: Path, speech_seconds: float,
                         embed: Callable[[np.ndarray], np.ndarray] | None = None) -> UserCorpus:
    """Every usable recording under ``cfg.raw_dir`` as embedded clips per split and kind (empty without a folder)."""
    corpus = UserCorpus()
    raw = cfg.raw_dir
    if raw is None:
        return corpus
    if not raw.is_dir():
        logger.info("no user recordings: %s does not exist (the corpus is synthetic only)", raw)
        return corpus
    classes = [str(c) for c in classes]
    for folder in sorted(p for p in raw.iterdir() if p.is_dir() and not p.name.startswith(".")):
        kind = folder_kind(folder.name, classes)
        if kind is None:
            logger.warning("user recordings: %s is not a folder this recipe reads (custom/, %s, negative/, "
                           "background/); skipped", folder, ", ".join(f"{c}/" for c in classes[:-1]))
            continue
        label = classes.index(kind) if kind in classes[:-1] else -1
        report = corpus.folders.setdefault(folder.name, FolderReport(kind))
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
        hashed = []
        for path in files:
            try:
                hashed.append((path, _sha(path)))
            except OSError as exc:
                report.skipped[str(path.relative_to(raw))] = f"unreadable ({exc})"
        calibrate = len(hashed) >= cfg.min_calibration_files and cfg.calibration_fraction > 0
        for path, sha in hashed:
            if embed is None:
                embed = _default_embedder()
            try:
                part, seconds = file_clips(path, sha, kind, label, len(classes) - 1, cfg, speech_seconds, cache_dir / "user", embed)
            except AudioFileError as exc:
                reason = str(exc).removeprefix(f"{path}: ")
                report.skipped[str(path.relative_to(raw))] = reason
                logger.warning("user recording %s skipped: %s", path, reason)
                continue
            split = "calibration" if calibrate and _in_calibration(sha, cfg.calibration_fraction) else "train"
            corpus.splits[split].setdefault(kind, []).append(part)  # type: ignore[arg-type]
            report.seconds += seconds
            if split == "train":
                report.train_files += 1
            else:
                report.calibration_files += 1
    for split, kinds in corpus.splits.items():
        for kind, parts in list(kinds.items()):
            kinds[kind] = join_clips(parts)  # type: ignore[arg-type]
            logger.info("user recordings: %d %s %s clips", kinds[kind].clips, split, kind)
    return corpus


def _default_embedder() -> Callable[[np.ndarray], np.ndarray]:
    from trixy_trainer.wakeword.embedding_corpus import Embedder

    return Embedder(threads=None)


def repeats(user_windows: int, corpus_windows: int, share: float, cap: int = 50) -> int:
    """How often to repeat the user's clips so their windows are at least ``share`` of a class's windows."""
    if user_windows <= 0 or share <= 0:
        return 1
    wanted = share / (1.0 - share) * corpus_windows / user_windows
    return int(min(cap, max(1, np.ceil(wanted))))
