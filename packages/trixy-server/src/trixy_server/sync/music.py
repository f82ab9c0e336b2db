"""The music area of sync: the server's music library (or chosen folders of it) mirrored to a standalone by content.

Files are compared by SHA-256, not by time, so a library copied or touched on either side sends nothing. Hashing a
large library on every round would cost seconds per gigabyte, so each side keeps a hash cache
(`.trixy-sync-hashes.json` in the music folder, hidden from the library and from sync): a file whose size and
modification time are unchanged keeps its hash. That is what lets a 200 MB library re-sync in a fraction of a second
(benchmarks/bench_music_sync.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path, PurePosixPath
from typing import Any

from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic
from trixy_server.errors import SyncError
from trixy_server.sync.inventory import file_sha256

logger = logging.getLogger(__name__)

HASH_CACHE = ".trixy-sync-hashes.json"
_cache_locks: dict[Path, threading.Lock] = {}


def check_folders(folders: Any) -> list[str]:
    """The chosen part of a library: relative folder names ("jazz", "rock/70s"); [] means everything."""
    if folders in (None, "", []):
        return []
    if not isinstance(folders, list | tuple) or not all(isinstance(f, str) for f in folders):
        raise SyncError("music folders must be a list of relative folder names")
    clean = []
    for folder in folders:
        pure = PurePosixPath(folder.strip("/"))
        if not folder.strip("/") or pure.is_absolute() or ".." in pure.parts or "\\" in folder or any(
                p.startswith(".") for p in pure.parts):
            raise SyncError(f"music folder {folder!r} must be a relative folder inside the library")
        clean.append(pure.as_posix())
    return clean


def in_folders(rel: str, folders: list[str]) -> bool:
    """True when `rel` lies in one of `folders` (or `folders` is empty: the whole library)."""
    return not folders or any(rel == f or rel.startswith(f + "/") for f in folders)


def _read_cache(cache_path: Path) -> dict[str, Any]:
    try:
        cache = read_json(cache_path) if cache_path.is_file() else {}
    except (JsonFileError, OSError) as exc:
        logger.warning("music hash cache %s unreadable (%s); hashing again", cache_path, exc)
        return {}
    return cache if isinstance(cache, dict) else {}


def remember_hashes(folder: Path, hashes: dict[str, str]) -> None:
    """Add files whose content hash is known (just downloaded and checked) to the folder's hash cache, so the next
    inventory does not read them again."""
    folder = Path(folder)
    if not hashes or not folder.is_dir():
        return
    with _cache_locks.setdefault(folder.resolve(), threading.Lock()):
        cache_path = folder / HASH_CACHE
        cache = _read_cache(cache_path)
        for rel, digest in hashes.items():
            try:
                stat = (folder / rel).stat()
            except OSError:
                continue
            cache[rel] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        try:
            write_json_atomic(cache_path, cache, indent=0)
        except OSError as exc:
            logger.info("music hash cache %s not written: %s", cache_path, exc)


def music_inventory(folder: Path, folders: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """`<relative path>` -> {sha256, size, mtime} of every non-hidden file under `folder` (in `folders`)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    lock = _cache_locks.setdefault(folder.resolve(), threading.Lock())
    with lock:
        cache_path = folder / HASH_CACHE
        cache = _read_cache(cache_path)
        found: dict[str, dict[str, Any]] = {}
        fresh: dict[str, Any] = {}
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(p.startswith(".") for p in rel.parts) or path.is_symlink() or not path.is_file():
                continue
            key = rel.as_posix()
            stat = path.stat()
            known = cache.get(key)
            if isinstance(known, dict) and known.get("size") == stat.st_size and \
                    known.get("mtime_ns") == stat.st_mtime_ns and isinstance(known.get("sha256"), str):
                digest = known["sha256"]
            elif in_folders(key, folders or []):
                digest = file_sha256(path)
            else:
                continue  # outside the chosen part: not worth hashing now
            fresh[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
            if in_folders(key, folders or []):
                found[key] = {"sha256": digest, "size": stat.st_size, "mtime": stat.st_mtime}
        if fresh != cache:
            try:
                write_json_atomic(cache_path, fresh, indent=0)
            except OSError as exc:  # a read-only library still syncs, it just hashes every time
                logger.info("music hash cache %s not written: %s", cache_path, exc)
        return found
