"""Wake-word data preparation: raw recordings -> constant-length chunks sorted into train/val/test.

Steps (the spec's "Wakeword Data Source"): measure the longest spoken wake word (energy VAD), cut every positive
to that constant length with random leading/trailing silence keeping the whole word, split negatives and background
into windows of the same length, and write them to ``chunked/<split>/<class folder>/``. Raw files are only read,
never modified, moved or deleted. A manifest makes re-runs incremental; bad files are listed in the report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE, read_audio, write_wav
from trixy_trainer.data.splits import assign_split, group_key
from trixy_trainer.data.vad import speech_bounds
from trixy_trainer.errors import AudioFileError, DatasetError

logger = logging.getLogger(__name__)

POSITIVE_FOLDERS = {"custom": "custom", "system_command": "system_command", "system command": "system_command"}
NEGATIVE_FOLDERS = ("negative", "background")
MANIFEST_NAME = "manifest.json"
REPORT_NAME = "prepare_report.json"
WIN_SAMPLES = 400
HOP_SAMPLES = 160


def chunk_grid(samples: int, win: int = WIN_SAMPLES, hop: int = HOP_SAMPLES) -> int:
    """Round ``samples`` up to ``win + hop * k`` so the chunk holds a whole number of feature frames."""
    frames = max(1, math.ceil((samples - win) / hop) + 1)
    return win + hop * (frames - 1)


@dataclass(slots=True)
class PrepareConfig:
    """Where the data lives and how chunks are cut and split."""

    raw_dir: Path
    chunked_dir: Path
    sample_rate: int = SAMPLE_RATE
    chunk_seconds: float | None = None
    margin_seconds: float = 0.15
    max_chunk_seconds: float = 2.5
    val_fraction: float = 0.1
    test_fraction: float = 0.15
    test_voices: Sequence[str] = ()
    max_windows_per_file: int = 60
    seed: int = 7


@dataclass(slots=True)
class PrepareReport:
    """What preparation did: chunk length, counts and every file it had to skip (with the reason)."""

    chunk_samples: int
    sample_rate: int
    processed: int = 0
    reused: int = 0
    chunks: dict[str, int] = field(default_factory=dict)
    bad_files: dict[str, str] = field(default_factory=dict)
    longest_word_file: str = ""


def _raw_files(raw_dir: Path) -> list[tuple[Path, str]]:
    files: list[tuple[Path, str]] = []
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir()) if raw_dir.is_dir() else []:
        if folder.name in POSITIVE_FOLDERS or folder.name in NEGATIVE_FOLDERS:
            target = POSITIVE_FOLDERS.get(folder.name, folder.name)
            files.extend((path, target) for path in sorted(folder.rglob("*")) if path.suffix.lower() in (".wav", ".flac"))
    return files


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _rng_for(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha1(f"{seed}:{name}".encode()).digest()[:8], "big"))


def _take(audio: np.ndarray, start: int, length: int) -> np.ndarray:
    out = np.zeros(length, np.float32)
    lo, hi = max(start, 0), min(start + length, audio.size)
    if hi > lo:
        out[lo - start : hi - start] = audio[lo:hi]
    return out


def prepare_wakeword_data(
    cfg: PrepareConfig, progress: Callable[[int, int], None] | None = None
) -> PrepareReport:
    """Run (or continue) preparation and return its report; also written to ``chunked/prepare_report.json``."""
    raw_dir, out_dir = Path(cfg.raw_dir), Path(cfg.chunked_dir)
    files = _raw_files(raw_dir)
    if not files:
        raise DatasetError(f"{raw_dir}: no WAV files in custom/, system_command/, negative/ or background/")
    manifest_path = out_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"sources": {}}
    sources: dict[str, dict] = manifest.get("sources", {})
    bad: dict[str, str] = {}
    audio_cache: dict[str, np.ndarray] = {}

    # 1. word lengths of the positives (cached per source fingerprint)
    word_lengths: dict[str, int] = {}
    for path, target in files:
        if target not in ("custom", "system_command"):
            continue
        rel = path.relative_to(raw_dir).as_posix()
        entry = sources.get(rel)
        if entry and entry.get("fingerprint") == _fingerprint(path) and "word" in entry:
            word_lengths[rel] = entry["word"][1] - entry["word"][0]
            continue
        try:
            audio = read_audio(path, cfg.sample_rate)
        except AudioFileError as exc:
            bad[rel] = str(exc)
            continue
        bounds = speech_bounds(audio, cfg.sample_rate)
        if bounds is None:
            bad[rel] = f"{path}: no speech found (silent file)"
            continue
        audio_cache[rel] = audio
        sources[rel] = {"fingerprint": _fingerprint(path), "word": list(bounds), "chunks": []}
        word_lengths[rel] = bounds[1] - bounds[0]
    if not word_lengths:
        raise DatasetError(f"{raw_dir}: no usable positive recordings in custom/ or system_command/")
    max_chunk = int(cfg.max_chunk_seconds * cfg.sample_rate)
    usable = {rel: n for rel, n in word_lengths.items() if n + 2 * int(cfg.margin_seconds * cfg.sample_rate) <= max_chunk}
    for rel in set(word_lengths) - set(usable):
        bad[rel] = f"spoken part is {word_lengths[rel] / cfg.sample_rate:.2f} s, longer than max_chunk_seconds"
    if not usable:
        raise DatasetError("every positive recording is longer than max_chunk_seconds; raise it in the data config")
    longest = max(usable, key=usable.get)
    if cfg.chunk_seconds:
        chunk = chunk_grid(int(cfg.chunk_seconds * cfg.sample_rate))
    else:
        chunk = chunk_grid(usable[longest] + 2 * int(cfg.margin_seconds * cfg.sample_rate))
    if manifest.get("chunk_samples") not in (None, chunk):
        logger.info("chunk length changed %s -> %s samples: re-cutting every file", manifest["chunk_samples"], chunk)
        for entry in sources.values():
            for name in entry.get("chunks", []):
                (out_dir / name).unlink(missing_ok=True)
            entry["chunks"] = []
            entry.pop("done", None)

    report = PrepareReport(chunk_samples=chunk, sample_rate=cfg.sample_rate, longest_word_file=longest)
    # 2. cut and write
    for index, (path, target) in enumerate(files):
        rel = path.relative_to(raw_dir).as_posix()
        if progress and index % 200 == 0:
            progress(index, len(files))
        if rel in bad:
            continue
        entry = sources.get(rel)
        if (
            entry
            and entry.get("done")
            and entry.get("fingerprint") == _fingerprint(path)
            and all((out_dir / name).is_file() for name in entry["chunks"])
        ):
            report.reused += 1
            _count(report, entry)
            continue
        try:
            audio = audio_cache.pop(rel, None)
            if audio is None:
                audio = read_audio(path, cfg.sample_rate)
        except AudioFileError as exc:
            bad[rel] = str(exc)
            continue
        split = assign_split(group_key(rel), cfg.val_fraction, cfg.test_fraction, cfg.test_voices)
        rng = _rng_for(rel, cfg.seed)
        if target in ("custom", "system_command"):
            start, end = entry["word"] if entry and "word" in entry else speech_bounds(audio, cfg.sample_rate)
            lead = int(rng.integers(0, chunk - (end - start) + 1))
            pieces = [_take(audio, start - lead, chunk)]
        else:
            pieces = _windows(audio, chunk, rng, cfg.max_windows_per_file)
        stem = path.stem
        names = []
        for k, piece in enumerate(pieces):
            name = f"{split}/{target}/{stem}_{k:03d}.wav"
            write_wav(out_dir / name, piece, cfg.sample_rate)
            names.append(name)
        entry = sources.setdefault(rel, {})
        entry.update(fingerprint=_fingerprint(path), chunks=names, split=split, target=target, done=True)
        report.processed += 1
        _count(report, entry)
    for rel in bad:
        sources.pop(rel, None)
    report.bad_files = bad
    manifest = {"chunk_samples": chunk, "sample_rate": cfg.sample_rate, "sources": sources}
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    (out_dir / REPORT_NAME).write_text(json.dumps(asdict(report), indent=2, sort_keys=True))
    for rel, reason in bad.items():
        logger.warning("skipped %s: %s", rel, reason)
    logger.info("prepared %s (%d new, %d reused, %d bad); chunk %d samples", out_dir, report.processed, report.reused, len(bad), chunk)
    return report


def _windows(audio: np.ndarray, chunk: int, rng: np.random.Generator, limit: int) -> list[np.ndarray]:
    if audio.size <= chunk:
        return [_take(audio, -int(rng.integers(0, chunk - audio.size + 1)), chunk)]
    count = min(limit, max(1, round(audio.size / chunk)))
    starts = np.linspace(0, audio.size - chunk, count).astype(int) if count > 1 else [0]
    return [_take(audio, int(s), chunk) for s in starts]


def _count(report: PrepareReport, entry: dict) -> None:
    key = f"{entry['split']}/{entry['target']}"
    report.chunks[key] = report.chunks.get(key, 0) + len(entry["chunks"])


def read_manifest(chunked_dir: str | Path) -> dict:
    """Load the preparation manifest (chunk length, sources, chunk files); DatasetError when not prepared."""
    path = Path(chunked_dir) / MANIFEST_NAME
    if not path.is_file():
        raise DatasetError(f"{chunked_dir}: not prepared yet; run `trixy-train prepare` first")
    return json.loads(path.read_text())
