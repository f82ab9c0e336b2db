"""Train/val/test assignment that keeps every source recording (and every known voice) in exactly one split.

Groups are hashed, so the assignment is stable when files are added and needs no global state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from trixy_trainer.data.synth import voice_of

SPLITS = ("train", "val", "test")


def group_key(relative_path: str | Path) -> str:
    """The split group of a raw file: its voice tag when known, else the source file itself."""
    voice = voice_of(relative_path)
    return f"voice:{voice}" if voice else f"file:{Path(relative_path).as_posix()}"


def assign_split(
    group: str, val_fraction: float = 0.1, test_fraction: float = 0.15, test_voices: Sequence[str] = ()
) -> str:
    """Return "train", "val" or "test" for ``group``; voices whose base is in ``test_voices`` always go to test."""
    if group.startswith("voice:"):
        base = group[6:].split("+")[0]
        if base in test_voices:
            return "test"
        if test_voices:  # synthetic voices: held-out accents are the test set, the rest split train/val
            test_fraction = 0.0
    digest = hashlib.sha1(group.encode("utf-8")).digest()
    value = int.from_bytes(digest[:8], "big") / 2**64
    if value < test_fraction:
        return "test"
    if value < test_fraction + val_fraction:
        return "val"
    return "train"
