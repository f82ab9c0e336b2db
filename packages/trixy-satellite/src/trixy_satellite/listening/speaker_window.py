"""`SpeakerWindow`: the last seconds of microphone audio, and who spoke them (speaker identification)."""

from __future__ import annotations

import collections
import logging
from pathlib import Path
from typing import Any

import numpy as np

from trixy_core.shipped import resolve_data_path

logger = logging.getLogger(__name__)


def load_speaker_identifier(spec: str | Path, root: Path) -> Any:
    """The `SpeakerIdentifier` for `models.voice_recognition` (an .onnx file or a folder holding one), or None."""
    path = resolve_data_path(root, spec)  # <root>/models/..., else the copy trixy-models ships
    if path.is_dir():
        candidates = sorted(path.glob("*.onnx"))
        path = candidates[0] if candidates else path / "model.onnx"
    if not path.is_file():
        logger.info("no speaker model at %s: speakers are reported as unknown", path)
        return None
    try:
        from trixy_satellite.speaker import SpeakerIdentifier, SpeakerModelError
    except ImportError as exc:
        logger.warning("speaker identification unavailable: %s", exc)
        return None
    try:
        identifier = SpeakerIdentifier(path)
    except (SpeakerModelError, OSError) as exc:
        logger.error("cannot load the speaker model %s: %s", path, exc)
        return None
    logger.info("speaker model %s loaded (%d speakers)", path, len(identifier.speakers))
    return identifier


class SpeakerWindow:
    """Keeps `seconds` of 16 kHz mono s16le audio; `identify()` names the speaker of that window."""

    def __init__(self, identifier: Any = None, seconds: float = 1.5, sample_rate: int = 16000) -> None:
        self.identifier = identifier
        self.max_bytes = int(seconds * sample_rate) * 2
        self.sample_rate = sample_rate
        self._chunks: collections.deque[bytes] = collections.deque()
        self._bytes = 0

    def feed(self, chunk: bytes) -> None:
        """Remember a microphone chunk (oldest audio falls out)."""
        self._chunks.append(chunk)
        self._bytes += len(chunk)
        while self._bytes - len(self._chunks[0]) >= self.max_bytes:
            self._bytes -= len(self._chunks.popleft())

    def audio(self) -> np.ndarray:
        """The window as int16 samples."""
        return np.frombuffer(b"".join(self._chunks), dtype="<i2")

    def identify(self) -> tuple[int | None, str, float]:
        """(speaker id or None, name, score) of the window; (None, "", 0.0) without a model or on failure."""
        if self.identifier is None or not self._chunks:
            return None, "", 0.0
        try:
            match = self.identifier.identify(self.audio(), sample_rate=self.sample_rate)
        except Exception:
            logger.exception("speaker identification failed")
            return None, "", 0.0
        return (int(match.id) if match.known else -1), str(match.name), float(match.score)

    def clear(self) -> None:
        """Forget the audio (after a conversation)."""
        self._chunks.clear()
        self._bytes = 0
