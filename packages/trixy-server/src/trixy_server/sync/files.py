"""Chunked file transfer used by sync: read a slice, write an upload to a staging file and install it atomically.

An installed file replaces the old one with `os.replace` after its SHA-256 was checked; the replaced version is kept
as `.<name>.previous` beside it (one level of rollback), so a bad sync never leaves a half-written model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from trixy_server.errors import SyncError


def read_slice(path: Path, offset: int, length: int) -> bytes:
    """`length` bytes of `path` from `offset`."""
    if offset < 0 or length <= 0:
        raise SyncError(f"bad slice offset {offset} length {length}")
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def staging_path(path: Path) -> Path:
    """The hidden file an upload of `path` is written to first."""
    return path.with_name(f".{path.name}.sync-upload")


def partial_path(path: Path, sha256_hex: str) -> Path:
    """The hidden file a download of `path` with this content is written to: it survives a cut link, and a later
    round that wants the same content (same hash) goes on from its size instead of starting again."""
    return path.with_name(f".{path.name}.{sha256_hex[:16]}.partial")


def write_slice(path: Path, offset: int, data: bytes, staging: Path | None = None) -> int:
    """Write `data` at `offset` of the staging file of `path` (offset 0 starts it afresh); returns its size."""
    staging = staging or staging_path(path)
    staging.parent.mkdir(parents=True, exist_ok=True)
    if offset == 0:
        staging.write_bytes(b"")
    elif not staging.exists() or staging.stat().st_size != offset:
        raise SyncError(f"upload of {path.name}: expected offset {staging.stat().st_size if staging.exists() else 0},"
                        f" got {offset}; start again")
    with open(staging, "ab") as handle:
        handle.write(data)
    return offset + len(data)


def install_staged(path: Path, sha256_hex: str, mtime: float | None = None, staging: Path | None = None,
                   keep_previous: bool = True) -> None:
    """Check the staging file's SHA-256 and move it over `path` (keeping the old file as `.previous`)."""
    staging = staging or staging_path(path)
    digest = hashlib.sha256()
    with open(staging, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256_hex:
        staging.unlink(missing_ok=True)
        raise SyncError(f"{path.name}: checksum mismatch after transfer; the old file is kept")
    install_file(path, staging, mtime, keep_previous)


def install_file(path: Path, new: Path, mtime: float | None = None, keep_previous: bool = True) -> None:
    """Atomically replace `path` by `new` (same folder), keeping the previous version (unless told not to)."""
    if mtime is not None:
        os.utime(new, (mtime, mtime))
    if path.exists() and keep_previous:
        previous = path.with_name(f".{path.name}.previous")
        previous.unlink(missing_ok=True)
        try:
            os.link(path, previous)
        except OSError:
            shutil.copy2(path, previous)
    os.replace(new, path)
