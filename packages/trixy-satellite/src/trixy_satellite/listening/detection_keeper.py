"""`DetectionKeeper`: keep the audio around each wake-word detection as a WAV, for training on your own voices.

Off unless `audio.keep_detections` names a folder. Each detection becomes
`<folder>/<class>/<UTC time>_<score>.wav` (16 kHz mono 16-bit): `seconds_before` of audio up to the detection and
`seconds_after` after it. With `audio.keep_near_misses` (a score floor, 0.6 by default) the moments the model
scored the wake word that high without firing are kept too, as `<UTC time>_<score>_near.wav`: the misses a person
the model hears badly leaves behind. Listen to them, then move the real wake words into the trainer's
`trainer/data/wakeword/raw/custom/` (or `system_command/`) and the rest into `raw/negative/`: the
speech-embedding recipe learns your voices and your room from both (docs/wakeword.md, "Your own recordings").
At most `max_files` detections and as many near misses are kept; the oldest go first. The audio never leaves the
satellite.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from trixy_satellite.listening.speaker_window import SpeakerWindow

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SAMPLE_BYTES = 2
#: a near miss's file name ends with this (before .wav)
NEAR_MISS_SUFFIX = "_near"


@dataclass(slots=True)
class _Pending:
    path: Path
    audio: bytearray
    missing: int  # bytes still to collect after the detection


class DetectionKeeper:
    """Ring buffer of the microphone plus the detections waiting for their last `seconds_after`."""

    def __init__(self, folder: str | Path, *, seconds_before: float = 3.0, seconds_after: float = 0.5,
                 max_files: int = 500, near_miss_floor: float = 0.0) -> None:
        if seconds_before <= 0 or seconds_after < 0 or max_files < 1:
            raise ValueError("keep_detections: seconds_before > 0, seconds_after >= 0 and max_files >= 1")
        if not 0.0 <= near_miss_floor < 1.0:
            raise ValueError(f"keep_near_misses: a score floor in [0, 1) (0: off), got {near_miss_floor}")
        self.folder = Path(folder)
        #: the detector's near misses from this score on are kept too (0: off); the listener sets up the detector
        self.near_miss_floor = float(near_miss_floor)
        self.before_bytes = int(seconds_before * SAMPLE_RATE) * SAMPLE_BYTES
        self.after_bytes = int(seconds_after * SAMPLE_RATE) * SAMPLE_BYTES
        self.max_files = max_files
        self.saved: list[Path] = []
        self._recent = SpeakerWindow(seconds=seconds_before, sample_rate=SAMPLE_RATE)  # the same ring, no model
        self._pending: list[_Pending] = []

    def feed(self, chunk: bytes) -> None:
        """Every microphone chunk (16 kHz mono s16le), in every state: a detection's tail is collected after it."""
        for pending in list(self._pending):
            take = chunk[: pending.missing]
            pending.audio += take
            pending.missing -= len(take)
            if pending.missing <= 0:
                self._pending.remove(pending)
                self._write(pending)
        self._recent.feed(chunk)

    def detected(self, name: str, score: float, *, near_miss: bool = False) -> None:
        """A detection (or, with ``near_miss``, a near miss) just happened: call after feeding the chunk it was
        found in."""
        audio = bytearray(self._recent.audio().tobytes()[-self.before_bytes:])
        now = time.time()  # one reading for the seconds and the milliseconds (two could straddle a second)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + f"-{int(now * 1000) % 1000:03d}"
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "wakeword"
        suffix = NEAR_MISS_SUFFIX if near_miss else ""
        pending = _Pending(self.folder / safe / f"{stamp}_{score:.3f}{suffix}.wav", audio, self.after_bytes)
        if pending.missing <= 0:
            self._write(pending)
        else:
            self._pending.append(pending)

    def _write(self, pending: _Pending) -> None:
        try:
            pending.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = pending.path.with_suffix(".tmp")
            with wave.open(str(tmp), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(SAMPLE_BYTES)
                out.setframerate(SAMPLE_RATE)
                out.writeframes(bytes(pending.audio[: len(pending.audio) // SAMPLE_BYTES * SAMPLE_BYTES]))
            tmp.replace(pending.path)
        except OSError as exc:  # a full or read-only disk must not stop the satellite
            logger.warning("cannot keep the detection audio %s: %s", pending.path, exc)
            return
        self.saved.append(pending.path)
        logger.info("kept the detection audio in %s", pending.path)
        self._prune()

    def _prune(self) -> None:
        """At most ``max_files`` detections and as many near misses (near misses never push detections out)."""
        files = sorted(self.folder.glob("*/*.wav"), key=lambda p: (p.stat().st_mtime, p.name))
        for near in (False, True):
            kind = [p for p in files if p.stem.endswith(NEAR_MISS_SUFFIX) == near]
            for old in kind[: max(0, len(kind) - self.max_files)]:
                try:
                    old.unlink()
                except OSError as exc:
                    logger.warning("cannot remove the old detection audio %s: %s", old, exc)


#: the trainer's folders for your own recordings, under the Trixy root (docs/wakeword.md, "Your own recordings")
TRAINER_RAW_DIR = Path("trainer") / "data" / "wakeword" / "raw"
_STAMP = r"\d{8}-\d{6}-\d{3}"
_NAME = re.compile(rf"^(?P<stamp>{_STAMP})_(?P<score>\d+(?:\.\d+)?)(?P<near>{NEAR_MISS_SUFFIX})?$")


@dataclass(frozen=True, slots=True)
class KeptDetection:
    """One kept detection file: ``<folder>/<class>/<UTC time>_<score>.wav`` (``..._near.wav``: a near miss)."""

    path: Path
    wake_class: str
    stamp: str  # UTC, "YYYYmmdd-HHMMSS-mmm" (the file name's), or the name itself when it is not one of ours
    score: float | None
    near_miss: bool = False  # the score reached the near-miss floor, not the threshold: the model did not fire

    @property
    def when(self) -> str:
        """The UTC time as "YYYY-mm-dd HH:MM:SS"."""
        s = self.stamp
        return f"{s[0:4]}-{s[4:6]}-{s[6:8]} {s[9:11]}:{s[11:13]}:{s[13:15]}" if re.fullmatch(_STAMP, s) else s


def kept_detections(folder: str | Path) -> list[KeptDetection]:
    """The kept detections in ``folder``, newest first (by the time in their names)."""
    found = []
    for path in Path(folder).glob("*/*.wav"):
        match = _NAME.match(path.stem)
        found.append(KeptDetection(path, path.parent.name, match["stamp"] if match else path.stem,
                                   float(match["score"]) if match else None, bool(match and match["near"])))
    return sorted(found, key=lambda d: (d.stamp, d.path.name), reverse=True)


def sort_detection(detection: KeptDetection | str | Path, verdict: str, raw_dir: str | Path,
                   first_class: str | None = None) -> Path:
    """Move a kept detection into the trainer's raw folders and return its new path.

    ``verdict`` "wake word": to ``custom/`` for the first wake class (``first_class``; when not given, every class
    but ``system_command``), else to ``<class>/``; "false accept" (for a near miss: "not the wake word"): to
    ``negative/``. The file keeps its name (the
    class is added in front in ``negative/``); an existing file is never overwritten. Raises ``ValueError`` for an
    unknown verdict and ``OSError`` when the move fails (the file then stays where it was)."""
    path = detection.path if isinstance(detection, KeptDetection) else Path(detection)
    wake_class = path.parent.name
    if verdict == "wake word":
        is_first = wake_class == first_class if first_class is not None else wake_class != "system_command"
        target_dir, name = Path(raw_dir) / ("custom" if is_first else wake_class), path.name
    elif verdict == "false accept":
        target_dir, name = Path(raw_dir) / "negative", f"{wake_class}_{path.name}"
    else:
        raise ValueError(f"verdict must be 'wake word' or 'false accept', got {verdict!r}")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    counter = 1
    while target.exists():
        target = target_dir / f"{Path(name).stem}-{counter}{Path(name).suffix}"
        counter += 1
    shutil.move(path, target)  # a rename on one disk, copy then remove across disks
    logger.info("kept detection %s sorted as %s: %s", path.name, verdict, target)
    return target
