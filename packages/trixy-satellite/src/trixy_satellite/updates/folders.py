"""Atomic folder replacement with one kept backup: `<name>` is swapped for a prepared folder by two renames.

    new = staging folder filled and checked
    swap_in(target, new)      # target -> .<name>.previous, new -> target
    roll_back(target)         # .<name>.previous -> target (the replaced version comes back)

A crash between the two renames leaves `.<name>.previous` and no `<name>`; `repair(target)` (called before every
install) moves it back, so the satellite never starts without its folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from trixy_satellite.updates.archive import remove_tree


def previous_of(target: Path) -> Path:
    """Where the replaced version of `target` is kept for rollback."""
    return target.parent / f".{target.name}.previous"


def staging_of(target: Path, update_id: str) -> Path:
    """A fresh sibling folder to prepare a new version of `target` in (same file system, so renames are atomic)."""
    path = target.parent / f".{target.name}.incoming-{update_id}"
    remove_tree(path)
    path.mkdir(parents=True)
    return path


def repair(target: Path) -> bool:
    """Restore `target` from its backup when a crash interrupted a swap; True when it did."""
    previous = previous_of(target)
    if not target.exists() and previous.exists():
        os.replace(previous, target)
        return True
    return False


def swap_in(target: Path, new: Path) -> None:
    """Make `new` the content of `target`; the old content is kept as the backup (the older backup is dropped)."""
    repair(target)
    previous = previous_of(target)
    remove_tree(previous)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(new, target)


def roll_back(target: Path) -> bool:
    """Put the backup back in place; False when there is none."""
    previous = previous_of(target)
    if not previous.exists():
        return False
    failed = target.parent / f".{target.name}.failed"
    remove_tree(failed)
    if target.exists():
        os.replace(target, failed)
    os.replace(previous, target)
    remove_tree(failed)
    return True
