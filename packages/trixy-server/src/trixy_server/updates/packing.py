"""Packing a folder into an update archive (.zip or .tar.gz) in memory: regular files only, relative names."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

SKIPPED_NAMES = frozenset({"__pycache__", ".git", ".pytest_cache", ".ruff_cache", ".mypy_cache"})


def folder_files(folder: Path, include: Iterable[str] | None = None) -> list[tuple[Path, str]]:
    """(file, archive name) for every regular file under `folder` (symlinks and caches skipped).

    `include` limits the walk to these top-level entries (e.g. plugin names)."""
    folder = Path(folder)
    tops = [folder / name for name in include] if include is not None else sorted(folder.iterdir())
    files: list[tuple[Path, str]] = []
    for top in tops:
        candidates = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in candidates:
            rel = path.relative_to(folder)
            if path.is_symlink() or not path.is_file() or SKIPPED_NAMES.intersection(rel.parts):
                continue
            if path.name.startswith(".") or path.suffix in (".pyc", ".part"):
                continue
            files.append((path, rel.as_posix()))
    return files


def build_archive(folder: Path, fmt: str = "zip", include: Iterable[str] | None = None) -> bytes:
    """The bytes of a .zip (deflated) or .tar.gz of `folder`'s files."""
    files = folder_files(folder, include)
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, name in files:
                archive.write(path, name)
    elif fmt == "tar.gz":
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for path, name in files:
                archive.add(path, name, recursive=False)
    else:
        raise ValueError(f"unknown archive format {fmt!r}; use zip or tar.gz")
    return buffer.getvalue()


def archive_suffix(fmt: str) -> str:
    """File-name suffix of an archive format."""
    return ".zip" if fmt == "zip" else ".tar.gz"
