"""Speaker data preparation: raw/<speaker>/*.wav -> fixed-length slices in chunked/<split>/<speaker>/.

Each recording is trimmed to its speech (energy VAD), cut into slices of the wake-word chunk length (long files give
many slices, short ones are padded), and every slice of one recording lands in the same split (train/val/test),
so no recording is both trained on and tested with. Raw files are only read. Unreadable, empty or silent files
are listed in the report, never fatal. ``manifest.json`` records the speaker list (ids stable across runs: new
speakers are appended) and every slice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trixy_trainer.data.audio_io import SAMPLE_RATE, read_audio, write_wav
from trixy_trainer.data.vad import speech_bounds
from trixy_trainer.errors import AudioFileError
from trixy_trainer.speaker.errors import SpeakerDatasetError
from trixy_trainer.speaker.speakers import extend_speakers

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
REPORT_NAME = "report.json"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")


@dataclass(slots=True)
class PrepareConfig:
    """Where the data is and how to cut it."""

    raw_dir: Path
    out_dir: Path
    chunk_samples: int
    sample_rate: int = SAMPLE_RATE
    hop_fraction: float = 0.5
    min_speech_fraction: float = 0.2
    val_fraction: float = 0.1
    test_fraction: float = 0.15
    speakers: Sequence[str] = ()


@dataclass(slots=True)
class PrepareReport:
    """What preparation did: slices per split, bad files (path -> reason), speaker list."""

    speakers: list[str] = field(default_factory=list)
    slices: dict[str, int] = field(default_factory=dict)
    recordings: int = 0
    skipped_unchanged: int = 0
    bad_files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for report.json."""
        return asdict(self)


def resolve_chunk_samples(chunk_samples: int | None, wakeword_model: str | Path | None) -> int:
    """The slice length: the explicit value, else ``chunk_samples`` from the wake-word model's metadata."""
    if chunk_samples:
        if int(chunk_samples) < 1600:
            raise SpeakerDatasetError(f"chunk_samples={chunk_samples} is shorter than 0.1 s; use the wake-word length")
        return int(chunk_samples)
    if wakeword_model:
        from trixy_core.modelfiles import ModelFileError, read_metadata

        path = Path(wakeword_model)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".onnx", ".pt", ".pth"))
            if not found:
                raise SpeakerDatasetError(f"{path}: no wake-word model (.onnx/.pt/.pth) to read chunk_samples from")
            path = found[0]
        try:
            meta = read_metadata(path, required=("chunk_samples",))
        except ModelFileError as exc:
            raise SpeakerDatasetError(f"cannot read chunk_samples from the wake-word model: {exc}") from exc
        return int(meta["chunk_samples"])
    raise SpeakerDatasetError(
        "no slice length: pass data.chunk_samples=<samples> or data.wakeword_model=<wake-word model file or folder>"
    )


def split_of(recording: str, val_fraction: float, test_fraction: float) -> str:
    """Stable split of a recording from the hash of its relative path (adding files never moves old ones)."""
    value = int.from_bytes(hashlib.sha1(recording.encode("utf-8")).digest()[:8], "big") / 2**64
    if value < test_fraction:
        return "test"
    if value < test_fraction + val_fraction:
        return "val"
    return "train"


def slice_speech(audio: np.ndarray, chunk: int, hop_fraction: float, min_fraction: float, sample_rate: int) -> list[np.ndarray]:
    """Trim to speech and cut into ``chunk``-sample slices; a short recording is zero-padded to one slice.

    Slices whose energy is far below the recording's loudest slice (pauses inside long recordings) are dropped.
    """
    bounds = speech_bounds(audio, sample_rate)
    if bounds is None:
        return []
    speech = audio[bounds[0] : bounds[1]]
    if speech.size < min_fraction * chunk:
        return []
    if speech.size <= chunk:
        pad = chunk - speech.size
        return [np.pad(speech, (pad // 2, pad - pad // 2)).astype(np.float32)]
    hop = max(1, int(chunk * hop_fraction))
    starts = list(range(0, speech.size - chunk + 1, hop))
    if starts[-1] + chunk < speech.size:
        starts.append(speech.size - chunk)
    pieces = [speech[s : s + chunk] for s in starts]
    energy = np.array([float(np.mean(p.astype(np.float64) ** 2)) + 1e-12 for p in pieces])
    keep = 10 * np.log10(energy) >= 10 * np.log10(energy.max()) - 20.0
    return [p.astype(np.float32) for p, k in zip(pieces, keep, strict=True) if k]


def _list_raw(raw_dir: Path) -> dict[str, list[Path]]:
    speakers: dict[str, list[Path]] = {}
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
        if files:
            speakers[folder.name] = files
    return speakers


def prepare_speakers(cfg: PrepareConfig, progress: Callable[[int, int], None] | None = None) -> PrepareReport:
    """Cut the raw corpus into slices (incremental: recordings whose size/mtime are unchanged are skipped)."""
    raw_dir, out_dir = Path(cfg.raw_dir), Path(cfg.out_dir)
    if not raw_dir.is_dir():
        raise SpeakerDatasetError(f"{raw_dir}: raw speaker folder not found; run `trixy-train speaker synth` or add recordings")
    by_speaker = _list_raw(raw_dir)
    if not by_speaker:
        raise SpeakerDatasetError(f"{raw_dir}: no <speaker name>/*.wav recordings found")
    manifest_path = out_dir / MANIFEST_NAME
    old = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    if old and (old.get("chunk_samples") != cfg.chunk_samples or old.get("sample_rate") != cfg.sample_rate):
        logger.info("chunk length changed (%s -> %s): re-slicing everything", old.get("chunk_samples"), cfg.chunk_samples)
        old = {}
    old_sources: dict[str, dict] = old.get("sources", {})
    speakers = extend_speakers(list(cfg.speakers) or old.get("speakers", []), by_speaker)
    report = PrepareReport(speakers=speakers)
    sources: dict[str, dict] = {}
    total = sum(len(v) for v in by_speaker.values())
    done = 0
    for speaker, files in by_speaker.items():
        for path in files:
            done += 1
            rel = path.relative_to(raw_dir).as_posix()
            stat = path.stat()
            stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            previous = old_sources.get(rel)
            if previous and previous.get("stamp") == stamp and all((out_dir / s).is_file() for s in previous["slices"]):
                sources[rel] = previous
                report.skipped_unchanged += 1
            else:
                entry = _prepare_one(path, rel, speaker, stamp, cfg, out_dir, report)
                if entry is None:
                    continue
                sources[rel] = entry
            report.recordings += 1
            if progress and done % 50 == 0:
                progress(done, total)
    items = [
        {"path": s, "speaker": e["speaker"], "split": e["split"], "source": rel}
        for rel, e in sorted(sources.items())
        for s in e["slices"]
    ]
    for item in items:
        report.slices[item["split"]] = report.slices.get(item["split"], 0) + 1
    manifest = {
        "sample_rate": cfg.sample_rate,
        "chunk_samples": cfg.chunk_samples,
        "speakers": speakers,
        "sources": sources,
        "items": items,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1))
    (out_dir / REPORT_NAME).write_text(json.dumps(report.to_dict(), indent=2))
    for path, reason in report.bad_files.items():
        logger.warning("skipped %s: %s", path, reason)
    return report


def _prepare_one(
    path: Path, rel: str, speaker: str, stamp: dict, cfg: PrepareConfig, out_dir: Path, report: PrepareReport
) -> dict | None:
    try:
        audio = read_audio(path, cfg.sample_rate)
    except AudioFileError as exc:
        report.bad_files[rel] = str(exc)
        return None
    pieces = slice_speech(audio, cfg.chunk_samples, cfg.hop_fraction, cfg.min_speech_fraction, cfg.sample_rate)
    if not pieces:
        bounds = speech_bounds(audio, cfg.sample_rate)
        if bounds is None:
            report.bad_files[rel] = "no speech found (silent recording)"
        else:
            seconds = (bounds[1] - bounds[0]) / cfg.sample_rate
            minimum = cfg.min_speech_fraction * cfg.chunk_samples / cfg.sample_rate
            report.bad_files[rel] = f"only {seconds:.2f} s of speech (minimum {minimum:.2f} s)"
        return None
    split = split_of(rel, cfg.val_fraction, cfg.test_fraction)
    stem = Path(rel).with_suffix("").as_posix().replace("/", "__")
    slices = []
    for k, piece in enumerate(pieces):
        out_rel = f"{split}/{stem}__{k:03d}.wav"
        write_wav(out_dir / out_rel, piece, cfg.sample_rate)
        slices.append(out_rel)
    return {"speaker": speaker, "split": split, "stamp": stamp, "slices": slices}


def load_manifest(chunked_dir: str | Path) -> dict[str, Any]:
    """Read ``manifest.json`` written by :func:`prepare_speakers`."""
    path = Path(chunked_dir) / MANIFEST_NAME
    if not path.is_file():
        raise SpeakerDatasetError(f"{path} not found: run `trixy-train speaker prepare` first")
    return json.loads(path.read_text())
