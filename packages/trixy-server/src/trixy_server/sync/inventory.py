"""What each side has: model files (with their training date) and asset files, and what to copy which way.

A model is newer when its metadata's `training_date` is later (unreadable metadata: the file time decides); an
asset when its file time is later. Nothing is ever deleted by sync.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path, PurePosixPath
from typing import Any

from trixy_server.errors import SyncError

logger = logging.getLogger(__name__)

MODEL_KINDS = ("wakeword", "voice_recognition")
MODEL_SUFFIXES = (".onnx", ".pth", ".pt")
DIRECTIONS = ("both", "pull", "push", "off")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def safe_relative(base: Path, rel: str) -> Path:
    """`base/rel` when `rel` is a plain relative path that stays inside `base`; `SyncError` otherwise."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        raise SyncError(f"bad path {rel!r}")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or any(p.startswith(".") for p in pure.parts):
        raise SyncError(f"path {rel!r} must stay inside its folder")
    path = (base / Path(*pure.parts)).resolve()
    root = base.resolve()
    if root not in path.parents:
        raise SyncError(f"path {rel!r} leaves its folder")
    return path


def _training_date(path: Path) -> str:
    try:
        from trixy_core.modelfiles import read_metadata

        return str(read_metadata(path).get("training_date") or "")
    except Exception as exc:  # a model without readable metadata is compared by file time
        logger.debug("%s: no readable metadata (%s)", path, exc)
        return ""


def model_inventory(models: Path) -> dict[str, dict[str, Any]]:
    """`wakeword/<name>/<file>` -> {sha256, size, mtime, trained} for every model file."""
    found: dict[str, dict[str, Any]] = {}
    for kind in MODEL_KINDS:
        base = Path(models) / kind
        for path in sorted(base.glob("*/*")) if base.is_dir() else ():
            if path.is_file() and not path.is_symlink() and path.suffix.lower() in MODEL_SUFFIXES \
                    and not path.name.startswith("."):
                stat = path.stat()
                found[f"{kind}/{path.parent.name}/{path.name}"] = {
                    "sha256": file_sha256(path), "size": stat.st_size, "mtime": stat.st_mtime,
                    "trained": _training_date(path)}
    return found


def asset_inventory(assets: Path, profiles: list[str]) -> dict[str, dict[str, Any]]:
    """`<profile>/<path>` -> {sha256, size, mtime} for the files of the given profiles."""
    found: dict[str, dict[str, Any]] = {}
    for profile in dict.fromkeys(profiles):
        base = Path(assets) / profile
        if "/" in profile or profile.startswith(".") or not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(assets)
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                stat = path.stat()
                found[rel.as_posix()] = {"sha256": file_sha256(path), "size": stat.st_size, "mtime": stat.st_mtime}
    return found


def _newer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when entry `a` is newer than `b`."""
    ta, tb = a.get("trained") or "", b.get("trained") or ""
    if ta and tb and ta != tb:
        return ta > tb
    return float(a.get("mtime") or 0) > float(b.get("mtime") or 0)


def plan(local: dict[str, dict[str, Any]], remote: dict[str, dict[str, Any]], direction: str,
         ) -> tuple[list[str], list[str]]:
    """(paths to pull from the remote, paths to push to it) for a direction: both, pull, push or off."""
    if direction not in DIRECTIONS:
        raise SyncError(f"sync direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    pull: list[str] = []
    push: list[str] = []
    for path in sorted(set(local) | set(remote)):
        mine, theirs = local.get(path), remote.get(path)
        if mine is not None and theirs is not None and mine.get("sha256") == theirs.get("sha256"):
            continue
        if theirs is not None and (mine is None or _newer(theirs, mine)):
            if direction in ("both", "pull"):
                pull.append(path)
        elif mine is not None and (theirs is None or _newer(mine, theirs)) and direction in ("both", "push"):
            push.append(path)
    return pull, push
