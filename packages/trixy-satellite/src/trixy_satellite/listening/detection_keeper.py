"""`DetectionKeeper`: keep the audio around each wake-word detection as a WAV, for training on your own voices.

Off unless `audio.keep_detections` names a folder. Each detection becomes
`<folder>/<class>/<UTC time>_<score>.wav` (16 kHz mono 16-bit): `seconds_before` of audio up to the detection and
`seconds_after` after it. Listen to them, then move the real wake words into the trainer's
`trainer/data/wakeword/raw/custom/` (or `system_command/`) and the false accepts into `raw/negative/`: the
speech-embedding recipe learns your voices and your room from both (docs/wakeword.md, "Your own recordings").
At most `max_files` are kept; the oldest go first. The audio never leaves the satellite.
"""

from __future__ import annotations

import logging
import re
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from trixy_satellite.listening.speaker_window import SpeakerWindow

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SAMPLE_BYTES = 2


@dataclass(slots=True)
class _Pending:
    path: Path
    audio: bytearray
    missing: int  # bytes still to collect after the detection


class DetectionKeeper:
    """Ring buffer of the microphone plus the detections waiting for their last `seconds_after`."""

    def __init__(self, folder: str | Path, *, seconds_before: float = 3.0, seconds_after: float = 0.5,
                 max_files: int = 500) -> None:
        if seconds_before <= 0 or seconds_after < 0 or max_files < 1:
            raise ValueError("keep_detections: seconds_before > 0, seconds_after >= 0 and max_files >= 1")
        self.folder = Path(folder)
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

    def detected(self, name: str, score: float) -> None:
        """A detection just happened (call after feeding the chunk it was found in)."""
        audio = bytearray(self._recent.audio().tobytes()[-self.before_bytes:])
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{int(time.time() * 1000) % 1000:03d}"
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "wakeword"
        pending = _Pending(self.folder / safe / f"{stamp}_{score:.3f}.wav", audio, self.after_bytes)
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
        files = sorted(self.folder.glob("*/*.wav"), key=lambda p: (p.stat().st_mtime, p.name))
        for old in files[: max(0, len(files) - self.max_files)]:
            try:
                old.unlink()
            except OSError as exc:
                logger.warning("cannot remove the old detection audio %s: %s", old, exc)
