"""`SyncService`: the server's sync endpoint for standalones (a command handler on the satellite connection).

A standalone registers like a satellite and connects with capability "sync"; its `SyncRequest`s arrive on that
authenticated, encrypted connection and each gets one `SyncReply`:

    inventory {profiles, music?, music_folders?} -> {models, assets, plugins, accept: {models, assets}, music?}
    read      {area, path, offset, length}     -> {data, size}     (area: models, assets or music)
    write     {area, path, offset, data, last, sha256, mtime} -> {size}   (installed atomically on the last slice)
    plugin    {plugin, data}                   -> {data}   (the server plugin's sync(remote) answer)
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_server.errors import SyncError
from trixy_server.sync.commands import SyncReply, SyncRequest
from trixy_server.sync.files import install_staged, read_slice, write_slice
from trixy_server.sync.inventory import (
    MODEL_KINDS,
    MODEL_SUFFIXES,
    asset_inventory,
    model_inventory,
    safe_relative,
)
from trixy_server.sync.music import check_folders, music_inventory
from trixy_server.sync.peers import ServerPeer, declares_sync

logger = logging.getLogger(__name__)

SYNC_CAPABILITY = "sync"


@dataclass(slots=True)
class SyncServerSettings:
    """Typed `sync_server` section."""

    enabled: bool = True
    accept_models: bool = True
    accept_assets: bool = False
    max_read_bytes: int = 1024 * 1024
    share_music: bool = True


class SyncService:
    """Answers standalones' sync requests from the server's models/, assets/ and plugins."""

    def __init__(self, models: Path, assets: Path, plugin_manager: Any = None,
                 settings: SyncServerSettings | None = None, music: Path | None = None) -> None:
        self.models = Path(models)
        self.assets = Path(assets)
        self.music = Path(music) if music is not None else self.models.parent / "music"
        """the music folder when no music plugin names one"""
        self.plugin_manager = plugin_manager
        self.settings = settings or SyncServerSettings()
        self.last_sync: dict[str, float] = {}
        """satellite id -> time of its last request (for the TUI)."""

    @classmethod
    def from_application(cls, app: TrixyApplication) -> SyncService:
        """Build from a server application, register as `sync_service` and hook into the network server."""
        section = app.config.section("sync_server") if app.mode == "server" else {}
        settings = SyncServerSettings(**{k: v for k, v in section.items()
                                         if k in SyncServerSettings.__dataclass_fields__})
        service = cls(app.path("models"), app.path("assets"), app.get("plugin_manager"), settings,
                      Path(app.root) / "music")
        app.register("sync_service", service)
        service.attach(app.network.server)
        return service

    def attach(self, network_server: Any) -> None:
        """Handle `SyncRequest` frames of accepted satellites."""
        network_server.add_command_handler(SyncRequest, self.handle)

    async def handle(self, satellite: Any, request: SyncRequest) -> None:
        """Serve one request and send its reply (errors become `ok=False` replies, never a dropped connection)."""
        try:
            payload = await self.serve(satellite, request.action, dict(request.payload or {}))
            reply = SyncReply(request_id=request.request_id, ok=True, payload=payload)
        except SyncError as exc:
            logger.info("sync %s from %s refused: %s", request.action, satellite.id, exc)
            reply = SyncReply(request_id=request.request_id, ok=False, error=str(exc))
        except Exception as exc:  # a bug here must not kill the satellite's connection
            logger.exception("sync %s from %s failed", request.action, satellite.id)
            reply = SyncReply(request_id=request.request_id, ok=False, error=f"internal error: {exc}")
        await satellite.send(reply)

    async def serve(self, satellite: Any, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload of a successful reply; `SyncError` when the request cannot be served."""
        if not self.settings.enabled:
            raise SyncError("sync is disabled on this server (sync_server.enabled = false)")
        if SYNC_CAPABILITY not in (getattr(satellite, "capabilities", None) or []):
            raise SyncError("this connection did not announce the 'sync' capability")
        self.last_sync[satellite.id] = time.time()
        if action == "inventory":
            profiles = [str(p) for p in payload.get("profiles") or ["default"]]
            models, assets = await asyncio.to_thread(
                lambda: (model_inventory(self.models), asset_inventory(self.assets, profiles)))
            reply = {"models": models, "assets": assets, "plugins": self.sync_plugins(),
                     "accept": {"models": self.settings.accept_models, "assets": self.settings.accept_assets}}
            if payload.get("music"):
                if not self.settings.share_music:
                    raise SyncError("this server does not share its music (sync_server.share_music = false)")
                folders = check_folders(payload.get("music_folders"))
                folder = self.music_folder()
                if folder.is_dir():  # a missing folder (unmounted disk) is no library, not an empty one
                    reply["music"] = await asyncio.to_thread(music_inventory, folder, folders)
            return reply
        if action == "read":
            path = self._path(payload, for_write=False)
            if not path.is_file():
                raise SyncError(f"{payload.get('path')}: no such file on the server")
            length = min(int(payload.get("length") or self.settings.max_read_bytes), self.settings.max_read_bytes)
            data = await asyncio.to_thread(read_slice, path, int(payload.get("offset") or 0), length)
            return {"data": data, "size": path.stat().st_size}
        if action == "write":
            path = self._path(payload, for_write=True)
            data = payload.get("data")
            if not isinstance(data, bytes | bytearray):
                raise SyncError("write needs 'data' as bytes")
            size = await asyncio.to_thread(write_slice, path, int(payload.get("offset") or 0), bytes(data))
            if payload.get("last"):
                await asyncio.to_thread(install_staged, path, str(payload.get("sha256") or ""),
                                        payload.get("mtime"))
                logger.info("sync: %s uploaded %s/%s", satellite.id, payload.get("area"), payload.get("path"))
            return {"size": size}
        if action == "plugin":
            return {"data": await self.plugin_sync(str(payload.get("plugin") or ""), payload.get("data") or {},
                                                   satellite.id)}
        raise SyncError(f"unknown sync action {action!r}")

    def _path(self, payload: dict[str, Any], *, for_write: bool) -> Path:
        area, rel = payload.get("area"), payload.get("path")
        if area == "models":
            parts = str(rel).split("/")
            if len(parts) != 3 or parts[0] not in MODEL_KINDS or Path(parts[2]).suffix.lower() not in MODEL_SUFFIXES:
                raise SyncError(f"model path {rel!r} must be <wakeword|voice_recognition>/<name>/<file.onnx|pth|pt>")
            if for_write and not self.settings.accept_models:
                raise SyncError("this server does not accept models from standalones (sync_server.accept_models)")
            return safe_relative(self.models, str(rel))
        if area == "assets":
            if for_write and not self.settings.accept_assets:
                raise SyncError("this server does not accept assets from standalones (sync_server.accept_assets)")
            return safe_relative(self.assets, str(rel))
        if area == "music":
            if for_write:
                raise SyncError("music only flows from the server to standalones")
            if not self.settings.share_music:
                raise SyncError("this server does not share its music (sync_server.share_music = false)")
            return safe_relative(self.music_folder(), str(rel))
        raise SyncError(f"unknown sync area {area!r}; use models, assets or music")

    def music_folder(self) -> Path:
        """The music plugin's library folder when that plugin is loaded here, else `<root>/music`."""
        plugin = self.plugin_manager.get("music") if self.plugin_manager is not None else None
        folder = getattr(plugin, "music_folder", None)
        return Path(folder()) if callable(folder) else self.music

    def sync_plugins(self) -> list[str]:
        """Names of the active plugins that declare syncable data."""
        manager = self.plugin_manager
        if manager is None:
            return []
        return [p.name for p in manager if manager.is_active(p.name) and declares_sync(p)]

    async def plugin_sync(self, name: str, data: Any, peer: str) -> dict[str, Any]:
        """Call the server plugin's `sync(remote)` with the standalone's data; its answer goes back."""
        if name not in self.sync_plugins():
            raise SyncError(f"plugin {name!r} is not active on the server or has no syncable data")
        if not isinstance(data, dict):
            raise SyncError("plugin sync data must be an object")
        result = self.plugin_manager.get(name).sync(ServerPeer(name, data, peer))
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, dict):
            raise SyncError(f"plugin {name!r} answered sync with {type(result).__name__}, expected an object")
        return result
