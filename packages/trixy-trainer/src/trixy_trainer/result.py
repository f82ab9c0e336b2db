"""`TrainResult`: what a training run produced, the same for every trainer (wake word, speaker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class TrainResult:
    """What a training run produced: exported files by kind, the model metadata, the last checkpoint, the figures."""

    files: dict[str, Path]
    metadata: dict[str, Any]
    checkpoint: Path | None
    stopped: bool = False
    evaluation: dict[str, Any] = field(default_factory=dict)
