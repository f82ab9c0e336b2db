"""`UpdatePusher`: sends an update file to one satellite over its authenticated, encrypted command connection.

    offer  = UpdateOffer(update_id, kind, filename, size, sha256, chunk_size, profile)
    satellite answers UpdateResponse(accepted)          (declined: UpdatePushError with the satellite's reason)
    for each chunk: UpdateChunk -> UpdateResponse        (one chunk in flight: flow control, bounded memory)
    last chunk -> UpdateResult(success, message)         (failure: UpdatePushError; the satellite keeps the old one)

Each chunk is a TRXI message that the codec splits into 256 KiB multipart frames. One update per satellite at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_protocol import Reboot, UpdateChunk, UpdateKind, UpdateOffer, UpdateResponse, UpdateResult
from trixy_server.errors import UpdatePushError
from trixy_server.updates.packing import archive_suffix, build_archive

logger = logging.getLogger(__name__)

MODEL_SUFFIXES = (".onnx", ".pth", ".pt")
MODEL_FOLDERS = {UpdateKind.WAKEWORD_MODEL: "wakeword", UpdateKind.VOICE_MODEL: "voice_recognition"}


@dataclass(slots=True)
class PushSettings:
    """Typed `update_push` section plus the folders the artefacts come from."""

    root: Path
    models: Path
    assets: Path
    plugins: Path
    scripts_source: Path
    chunk_bytes: int = 1024 * 1024
    reply_timeout_s: float = 30.0
    install_timeout_s: float = 120.0
    archive_format: str = "zip"

    @classmethod
    def from_application(cls, app: TrixyApplication) -> PushSettings:
        """Read `update_push` and the `paths` section of a server/standalone application."""
        section = app.config.section("update_push")
        return cls(root=Path(app.root), models=Path(app.path("models")), assets=Path(app.path("assets")),
                   plugins=Path(app.path("plugins")), scripts_source=scripts_source(app.root, section["scripts_source"]),
                   chunk_bytes=section["chunk_bytes"], reply_timeout_s=section["reply_timeout_s"],
                   install_timeout_s=section["install_timeout_s"], archive_format=section["archive_format"])

    @classmethod
    def for_root(cls, root: Path) -> PushSettings:
        """Defaults for a Trixy root folder (used when no application registered a pusher)."""
        root = Path(root)
        return cls(root=root, models=root / "models", assets=root / "assets", plugins=root / "plugins",
                   scripts_source=scripts_source(root, ""))


def scripts_source(root: Path, spec: str) -> Path:
    """What "Update scripts" sends: `spec` under the root, or (empty) the importable `trixy_satellite` package.

    Never a checkout path: a pip-installed server has none. Without trixy-satellite installed beside the server
    the path names a missing folder, and the push says what to install."""
    if spec:
        return _under(root, spec)
    found = importlib.util.find_spec("trixy_satellite")
    if found is None or found.origin is None:
        return Path(root) / MISSING_SATELLITE_PACKAGE
    return Path(found.origin).parent


MISSING_SATELLITE_PACKAGE = "trixy_satellite (pip install trixy-satellite beside the server, or set update_push.scripts_source)"


def _under(root: Path, spec: str) -> Path:
    path = Path(spec)
    return path if path.is_absolute() else Path(root) / path


class UpdatePusher:
    """Builds update files from the server's folders and pushes them; registered as the `update_pusher` component."""

    def __init__(self, settings: PushSettings) -> None:
        self.settings = settings
        self._locks: dict[str, asyncio.Lock] = {}
        self.history: list[dict[str, Any]] = []
        """Recent pushes (satellite, kind, file, ok, message) for the TUI and logs."""

    @classmethod
    def from_application(cls, app: TrixyApplication) -> UpdatePusher:
        """Create from the app's config, register it as `update_pusher` and hand it to the satellite manager."""
        pusher = cls(PushSettings.from_application(app))
        app.register("update_pusher", pusher)
        manager = app.get("satellite_manager") if hasattr(app, "get") else None
        if manager is not None:
            manager.update_pusher = pusher
        from trixy_server.updates.functions import register_update_functions

        register_update_functions(app, pusher)  # `update_satellites` for schedules and plugins
        return pusher

    # -- the transfer -------------------------------------------------------------------------------------------
    async def push_bytes(self, satellite: Any, kind: UpdateKind, filename: str, data: bytes, *, version: str = "",
                         profile: str = "") -> UpdateResult:
        """Offer `data` as `filename`, send it in chunks and return the satellite's successful `UpdateResult`."""
        link = satellite._require_link()
        lock = self._locks.setdefault(satellite.mac, asyncio.Lock())
        async with lock:
            try:
                result = await self._transfer(link, satellite, kind, filename, data, version, profile)
            except UpdatePushError as exc:
                self._remember(satellite, kind, filename, False, str(exc))
                raise
            self._remember(satellite, kind, filename, True, result.message)
            return result

    async def _transfer(self, link: Any, satellite: Any, kind: UpdateKind, filename: str, data: bytes,
                        version: str, profile: str) -> UpdateResult:
        s = self.settings
        update_id = uuid.uuid4().hex[:16]
        chunk = s.chunk_bytes
        offer = UpdateOffer(update_id=update_id, kind=kind, filename=filename, size=len(data),
                            sha256=hashlib.sha256(data).digest(), version=version, chunk_size=chunk, profile=profile)
        logger.info("offering %s %s (%d bytes) to satellite %s", kind.value, filename, len(data), satellite.id)
        answer = await self._ask(link, offer, (UpdateResponse, UpdateResult), s.reply_timeout_s, satellite, update_id)
        if isinstance(answer, UpdateResult) or not answer.accepted:
            reason = answer.message if isinstance(answer, UpdateResult) else answer.reason
            raise UpdatePushError(f"satellite {satellite.id} declined {filename}: {reason}")
        count = max(1, -(-len(data) // chunk))
        for index in range(count):
            piece = data[index * chunk:(index + 1) * chunk]
            last = index == count - 1
            message = UpdateChunk(update_id=update_id, index=index, offset=index * chunk, data=piece, last=last)
            if last:
                answer = await self._ask(link, message, UpdateResult, s.install_timeout_s, satellite, update_id)
            else:
                answer = await self._ask(link, message, (UpdateResponse, UpdateResult), s.reply_timeout_s, satellite,
                                         update_id)
            if isinstance(answer, UpdateResult):
                if answer.success and last:
                    logger.info("satellite %s installed %s: %s", satellite.id, filename, answer.message)
                    return answer
                raise UpdatePushError(f"satellite {satellite.id} refused {filename}: {answer.message}")
            if not answer.accepted:
                raise UpdatePushError(f"satellite {satellite.id} stopped receiving {filename}: {answer.reason}")
        raise UpdatePushError(f"satellite {satellite.id}: no result for {filename}")  # pragma: no cover

    async def _ask(self, link: Any, message: Any, reply: Any, wait_s: float, satellite: Any, update_id: str) -> Any:
        try:
            answer = await link.request(message, reply, wait_s)
        except TimeoutError:
            raise UpdatePushError(f"satellite {satellite.id} did not answer within {wait_s:g} s") from None
        if getattr(answer, "update_id", update_id) != update_id:
            raise UpdatePushError(f"satellite {satellite.id} answered about another update ({answer.update_id})")
        return answer

    def _remember(self, satellite: Any, kind: UpdateKind, filename: str, ok: bool, message: str) -> None:
        self.history.append({"satellite": satellite.id, "kind": kind.value, "file": filename, "ok": ok,
                             "message": message})
        del self.history[:-50]

    # -- what gets pushed ---------------------------------------------------------------------------------------
    def model_payload(self, kind: UpdateKind, path: str | Path | None = None) -> tuple[str, bytes, str]:
        """(filename, bytes, version) of a model: a model file as it is, a model folder as an archive.

        No path: the newest model folder under models/wakeword/ (or voice_recognition/)."""
        if path is None:
            path = self.newest_model_folder(kind)
        path = _under(self.settings.root, str(path))
        if path.is_file():
            if path.suffix.lower() not in MODEL_SUFFIXES:
                raise UpdatePushError(f"{path}: not a model file (.onnx, .pth, .pt)")
            return path.name, path.read_bytes(), path.parent.name
        if path.is_dir():
            fmt = self.settings.archive_format
            models = [p.name for p in path.iterdir() if p.is_file() and p.suffix.lower() in MODEL_SUFFIXES]
            if not models:
                raise UpdatePushError(f"{path}: holds no model file (.onnx, .pth, .pt)")
            return path.name + archive_suffix(fmt), build_archive(path, fmt), path.name
        raise UpdatePushError(f"{path}: no such model file or folder")

    def newest_model_folder(self, kind: UpdateKind) -> Path:
        """The model folder whose newest model file was written last."""
        base = self.settings.models / MODEL_FOLDERS[kind]
        best: tuple[float, Path] | None = None
        for file in base.glob("*/*") if base.is_dir() else ():
            if file.is_file() and file.suffix.lower() in MODEL_SUFFIXES:
                stamp = file.stat().st_mtime
                if best is None or stamp > best[0]:
                    best = (stamp, file.parent)
        if best is None:
            raise UpdatePushError(f"no model under {base}; train or copy one there first")
        return best[1]

    def folder_payload(self, folder: Path, name: str, include: list[str] | None = None) -> tuple[str, bytes]:
        """(filename, archive bytes) of a folder."""
        if not folder.is_dir():
            raise UpdatePushError(f"{folder}: no such folder to push")
        fmt = self.settings.archive_format
        return name + archive_suffix(fmt), build_archive(folder, fmt, include)

    # -- the actions behind the TUI's buttons -------------------------------------------------------------------
    async def push_model(self, satellite: Any, path: str | Path | None = None,
                         kind: UpdateKind = UpdateKind.WAKEWORD_MODEL) -> UpdateResult:
        """Push a wake-word (default) or voice model file/folder; the satellite reloads it live."""
        filename, data, version = self.model_payload(kind, path)
        return await self.push_bytes(satellite, kind, filename, data, version=version)

    async def push_assets(self, satellite: Any, profile: str | None = None) -> list[UpdateResult]:
        """Push assets/default and the satellite's profile (asked from the satellite when not given)."""
        if profile is None:
            profile = await self._satellite_profile(satellite)
        results = []
        for name in dict.fromkeys(["default", profile or "default"]):
            folder = self.settings.assets / name
            if not folder.is_dir():
                if name == "default":
                    raise UpdatePushError(f"{folder}: no default assets to push")
                continue
            filename, data = self.folder_payload(folder, f"assets-{name}")
            results.append(await self.push_bytes(satellite, UpdateKind.ASSETS, filename, data, profile=name))
        return results

    async def push_plugins(self, satellite: Any, names: list[str] | None = None) -> UpdateResult:
        """Push the plugins folder (or only `names`) as one archive."""
        filename, data = self.folder_payload(self.settings.plugins, "plugins", names)
        return await self.push_bytes(satellite, UpdateKind.PLUGINS, filename, data)

    async def push_scripts(self, satellite: Any, path: str | Path | None = None) -> UpdateResult:
        """Push the satellite's scripts: a folder (archived) or a ready .zip/.tar.gz file."""
        source = _under(self.settings.root, str(path)) if path is not None else self.settings.scripts_source
        if source.is_file():
            if not source.name.lower().endswith((".zip", ".tar.gz", ".tgz")):
                raise UpdatePushError(f"{source}: scripts are pushed as a folder or a .zip/.tar.gz archive")
            return await self.push_bytes(satellite, UpdateKind.SCRIPTS, source.name, source.read_bytes())
        filename, data = self.folder_payload(source, "scripts")
        return await self.push_bytes(satellite, UpdateKind.SCRIPTS, filename, data)

    async def reboot(self, satellite: Any, delay_s: float = 0.0, reason: str = "") -> UpdateResult:
        """Ask the satellite to run its reboot command; returns its answer (failure: UpdatePushError)."""
        link = satellite._require_link()
        try:
            async with self._locks.setdefault(satellite.mac, asyncio.Lock()):  # never inside a running push
                answer = await link.request(Reboot(delay_s=delay_s, reason=reason or "requested by the server"),
                                            UpdateResult, self.settings.reply_timeout_s)
        except TimeoutError:
            raise UpdatePushError(f"satellite {satellite.id} did not answer the reboot request") from None
        if not answer.success:
            raise UpdatePushError(f"satellite {satellite.id} refused to reboot: {answer.message}")
        return answer

    async def _satellite_profile(self, satellite: Any) -> str:
        try:
            report = await satellite.fetch_config()
        except Exception as exc:  # an old satellite without config reports still gets the default assets
            logger.info("satellite %s: cannot read its asset profile (%s); pushing default assets", satellite.id, exc)
            return "default"
        general = report.values.get("general") if isinstance(report.values, dict) else None
        profile = general.get("profile") if isinstance(general, dict) else None
        return profile if isinstance(profile, str) and profile else "default"
