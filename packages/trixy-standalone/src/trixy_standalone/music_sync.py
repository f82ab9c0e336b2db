"""The standalone's side of music sync: mirror the server's library (or `sync.music_folders` of it) by content hash.

* A file is fetched when the server has content (SHA-256) that we lack at that path; equal content is never sent.
* Resumable: a download is written to `.<name>.<hash16>.partial` beside its target; a cut link leaves it there and
  the next round asks only for the rest (the hash in the name makes sure the rest belongs to the same content).
* Deletions propagate, safely: the files sync brought are listed in `.trixy-sync-music.json`; one that the server no
  longer has is deleted here if it is still what sync put there. Music the user added on the standalone is never
  touched, nor is a file edited here.
* The bandwidth cap (`sync.max_kbytes_per_s`) paces every slice through a `ByteRateLimiter`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic
from trixy_server.errors import SyncError
from trixy_server.sync import safe_relative
from trixy_server.sync.files import install_staged, partial_path, write_slice
from trixy_server.sync.music import in_folders
from trixy_standalone.ratelimit import ByteRateLimiter

logger = logging.getLogger(__name__)

MANIFEST = ".trixy-sync-music.json"
MANIFEST_SAVE_S = 2.0
"""the manifest is written at most this often during a long copy (and always at the end), not once per file"""

Request = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class MusicSyncReport:
    """What one music round did."""

    pulled: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    resumed: dict[str, int] = field(default_factory=dict)
    """path -> the offset a cut download went on from"""
    bytes_in: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when files were added, replaced or removed."""
        return bool(self.pulled or self.deleted)


class MusicMirror:
    """Brings `folder` in line with the server's music inventory."""

    def __init__(self, folder: Path, request: Request, limiter: ByteRateLimiter, chunk_bytes: int,
                 folders: list[str] | None = None) -> None:
        self.folder = Path(folder)
        self.request = request
        self.limiter = limiter
        self.chunk_bytes = chunk_bytes
        self.folders = list(folders or [])

    def _manifest(self) -> dict[str, str]:
        path = self.folder / MANIFEST
        try:
            raw = read_json(path) if path.is_file() else {}
        except (JsonFileError, OSError) as exc:
            logger.warning("music sync manifest %s unreadable (%s); nothing will be deleted this round", path, exc)
            return {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    async def run(self, remote: dict[str, dict[str, Any]], local: dict[str, dict[str, Any]]) -> MusicSyncReport:
        """Pull what differs, delete what the server dropped; `remote`/`local` are `music_inventory` results."""
        report = MusicSyncReport()
        manifest = self._manifest()
        saved = dict(manifest)
        last_save = time.monotonic()
        try:
            for rel in sorted(remote):
                entry = remote[rel]
                sha = str(entry.get("sha256"))
                if local.get(rel, {}).get("sha256") != sha:
                    try:
                        await self._pull(rel, entry, report)
                        report.pulled.append(rel)
                    except SyncError as exc:
                        report.errors.append(f"pull music/{rel}: {exc}")
                        continue
                manifest[rel] = sha  # (a file already equal to the server's counts as synced)
                if manifest != saved and time.monotonic() - last_save > MANIFEST_SAVE_S:
                    await asyncio.to_thread(self._save, manifest)
                    saved, last_save = dict(manifest), time.monotonic()
            gone = [rel for rel in sorted(set(manifest) - set(remote)) if in_folders(rel, self.folders)]
            if gone and not remote:
                logger.warning("sync: the server's music library is empty; %d synced files are kept here (delete "
                               "them by hand if that is what you want)", len(gone))
                gone = []
            for rel in gone:
                path = safe_relative(self.folder, rel)
                ours = local.get(rel)
                if ours is not None and ours.get("sha256") == manifest[rel]:
                    await asyncio.to_thread(path.unlink, missing_ok=True)
                    report.deleted.append(rel)
                    logger.info("sync: music/%s was removed on the server; removed here", rel)
                elif ours is not None:
                    logger.info("sync: music/%s changed here; kept although the server removed it", rel)
                del manifest[rel]
            if report.deleted:
                await asyncio.to_thread(self._prune_empty_folders)
        finally:  # also on a cut link or a cancelled round: what was pulled is recorded (a small, quick write)
            if manifest != saved:
                self._save(manifest)
        return report

    def _save(self, manifest: dict[str, str]) -> None:
        write_json_atomic(self.folder / MANIFEST, manifest, indent=0)

    async def _pull(self, rel: str, entry: dict[str, Any], report: MusicSyncReport) -> None:
        path = safe_relative(self.folder, rel)
        sha, size = str(entry.get("sha256") or ""), int(entry.get("size") or 0)
        if len(sha) != 64:
            raise SyncError("the server sent no content hash")
        staging = partial_path(path, sha)
        offset = staging.stat().st_size if staging.is_file() else 0
        if offset > size:
            offset = 0
        if offset:
            report.resumed[rel] = offset
            logger.info("sync: music/%s goes on from byte %d of %d", rel, offset, size)
        while offset < size or (size == 0 and offset == 0):
            length = self.limiter.chunk(self.chunk_bytes)
            reply = await self.request("read", {"area": "music", "path": rel, "offset": offset, "length": length})
            data = bytes(reply.get("data") or b"")
            await self.limiter.take(len(data))
            await asyncio.to_thread(write_slice, path, offset, data, staging)
            offset += len(data)
            report.bytes_in += len(data)
            if not data:
                break
        if offset != size:
            raise SyncError(f"the server sent {offset} of {size} bytes; will go on next round")
        await asyncio.to_thread(install_staged, path, sha, entry.get("mtime"), staging, False)
        logger.info("sync: pulled music/%s (%d bytes)", rel, size)

    def _prune_empty_folders(self) -> None:
        for folder in sorted((p for p in self.folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts),
                             reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
