"""`StandaloneSync`: every `sync.interval_s` the standalone tries to reach its server; while connected it syncs.

It connects like a satellite (the server's registration gives it an id and secret, stored in `sync.id`/`sync.secret`;
the channel is authenticated and encrypted) and announces the capability "sync". One round:

1. inventory: both sides list their model files (with training dates) and assets (default + our profile);
2. models: newer ones are pulled and/or pushed as `sync.models` says (both, pull, push, off);
3. assets: the same with `sync.assets` (default: pull);
4. music: the server's library (or `sync.music_folders` of it) is mirrored by content hash, resumably, with
   deletions (music_sync.py); the `music synced` event tells the music plugin to re-index;
5. plugin data: every active plugin that overrides `TrixyPlugin.sync` exchanges its records with the same plugin on
   the server (`SyncedRecords`: last writer wins per record, tombstones, conflict copies: nothing is lost).

Every transfer is paced by `sync.max_kbytes_per_s` (0: no cap).

Local operation never waits for any of this: the round runs in its own task, failures are logged and retried next
interval, and a lost server only changes `status`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_satellite.client import SatelliteClient
from trixy_satellite.config import ClientSettings
from trixy_satellite.connection import LinkLost
from trixy_server.errors import SyncError
from trixy_server.sync import (
    SYNC_CAPABILITY,
    ClientPeer,
    SyncReply,
    SyncRequest,
    asset_inventory,
    declares_sync,
    model_inventory,
    plan,
    safe_relative,
)
from trixy_server.sync.files import install_staged, read_slice, write_slice
from trixy_server.sync.music import music_inventory, remember_hashes
from trixy_standalone.config import SyncSettings
from trixy_standalone.music_sync import MusicMirror
from trixy_standalone.ratelimit import ByteRateLimiter

logger = logging.getLogger(__name__)

SYNC_FINISHED = "sync finished"
MUSIC_SYNCED = "music synced"


@dataclass(slots=True)
class SyncFinished:
    """Data of the `sync finished` event (also kept as `StandaloneSync.last_round`)."""

    ok: bool
    pulled: list[str] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    plugins: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    resumed: dict[str, int] = field(default_factory=dict)
    """path -> offset an interrupted download went on from"""
    bytes_in: int = 0
    duration_s: float = 0.0
    timestamp: float = field(default_factory=time.time)


@dataclass(slots=True)
class SyncStatus:
    """What the TUI shows about sync."""

    state: str = "idle"
    """idle (server not reached), connected, syncing, disabled"""
    server: str = ""
    last_attempt: float | None = None
    last_success: float | None = None
    last_error: str = ""
    rounds: int = 0


class StandaloneSync:
    """The sync client component (`application.sync`)."""

    def __init__(self, application: TrixyApplication, settings: SyncSettings, *,
                 on_files_pulled: Callable[[str, list[Path]], Any] | None = None) -> None:
        self.application = application
        self.settings = settings
        self.on_files_pulled = on_files_pulled
        """Called with (area, local paths) after a round pulled files of that area (the standalone reloads its
        models once all files of a model, e.g. its .stream.onnx companion, are in place)."""
        try:
            secret = bytes.fromhex(settings.secret or "")
        except ValueError:
            logger.error("sync.secret is not hex: clear sync.id and sync.secret and register again")
            secret = b""
        client_settings = ClientSettings(
            host=settings.host, port=settings.port, room=settings.room, alias=settings.alias, mac=settings.mac,
            satellite_id=settings.id, secret=secret, retry_interval_s=settings.interval_s,
            retry_max_s=settings.interval_s,  # sync tries every interval (jittered), it does not back off further
            connect_timeout_s=settings.connect_timeout_s, keepalive_s=min(10.0, settings.interval_s),
        )
        self.client = SatelliteClient(client_settings, player=None, on_registered=self._registered,
                                      capabilities=(SYNC_CAPABILITY,))
        self.client.on(SyncReply, self._on_reply)
        self.client.connected_callbacks.append(self._connected)
        self.client.disconnected_callbacks.append(self._disconnected)
        self.status = SyncStatus(state="idle" if settings.enabled else "disabled",
                                 server=f"{settings.host}:{settings.port}")
        self.last_round: SyncFinished | None = None
        self.limiter = ByteRateLimiter(settings.max_kbytes_per_s * 1000)
        self._pending: dict[str, asyncio.Future] = {}
        self._round_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._round_task: asyncio.Task | None = None

    @classmethod
    def from_application(cls, app: TrixyApplication, **kwargs: Any) -> StandaloneSync:
        """Build from the app's `sync` section and register as the `sync` component."""
        sync = cls(app, SyncSettings.from_config(app.config), **kwargs)
        app.register("sync", sync)
        app.event_handler.declare_events("sync", [SYNC_FINISHED, MUSIC_SYNCED])  # the declared-events contract
        return sync

    # -- lifecycle ----------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start trying to reach the server (in the background: local operation never waits for it)."""
        if not self.settings.enabled:
            logger.info("sync is disabled (sync.enabled = false)")
            return
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.client.run(), name="trixy-sync-client"),
                       loop.create_task(self._periodic(), name="trixy-sync-timer")]

    async def close(self) -> None:
        """Stop syncing and close the connection."""
        await self.client.stop()
        tasks = [*self._tasks, *([self._round_task] if self._round_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []

    @property
    def connected(self) -> bool:
        """True while the server is reachable and has accepted us."""
        return self.client.connected

    def _registered(self, message: Any) -> None:
        config = self.application.config
        config.set("sync.id", message.satellite_id)
        config.set("sync.secret", bytes(message.secret).hex())
        config.save()
        with contextlib.suppress(OSError):
            config.path.chmod(0o600)
        logger.info("registered with the server as %s; id and secret stored in %s", message.satellite_id, config.path)

    def _connected(self, _client: Any) -> None:
        self.status.state = "connected"
        logger.info("sync: server %s reached", self.status.server)
        self._start_round()

    def _disconnected(self, _client: Any, reason: str) -> None:
        self.status.state = "idle"
        for future in self._pending.values():
            if not future.done():
                future.set_exception(LinkLost(reason))
        self._pending.clear()

    async def _periodic(self) -> None:
        while True:
            await asyncio.sleep(self.settings.interval_s)
            self.status.last_attempt = time.time()
            if self.connected:
                self._start_round()

    def _start_round(self) -> None:
        if self._round_task is None or self._round_task.done():
            self._round_task = asyncio.get_running_loop().create_task(self.sync_now(), name="trixy-sync-round")

    # -- requests -----------------------------------------------------------------------------------------------
    def _on_reply(self, reply: SyncReply) -> None:
        future = self._pending.pop(reply.request_id, None)
        if future is not None and not future.done():
            future.set_result(reply)

    async def request(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one SyncRequest and return the reply's payload (`SyncError` with the server's reason)."""
        request_id = uuid.uuid4().hex[:16]
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            self.client.send(SyncRequest(request_id=request_id, action=action, payload=payload))
            async with asyncio.timeout(self.settings.reply_timeout_s):
                reply: SyncReply = await future
        except TimeoutError:
            raise SyncError(f"the server did not answer {action} within {self.settings.reply_timeout_s:g} s") from None
        finally:
            self._pending.pop(request_id, None)
        if not reply.ok:
            raise SyncError(f"server refused {action}: {reply.error}")
        return dict(reply.payload)

    # -- one round ----------------------------------------------------------------------------------------------
    async def sync_now(self) -> SyncFinished:
        """Run one sync round now (while connected); returns what was done."""
        async with self._round_lock:
            started = time.monotonic()
            self.status.state = "syncing"
            result = SyncFinished(ok=True)
            try:
                await self._round(result)
            except (SyncError, LinkLost, OSError) as exc:
                result.errors.append(str(exc))
            result.ok = not result.errors
            result.duration_s = time.monotonic() - started
            self.status.rounds += 1
            self.status.state = "connected" if self.connected else "idle"
            if result.ok:
                self.status.last_success = time.time()
                self.status.last_error = ""
            else:
                self.status.last_error = "; ".join(result.errors)
                logger.warning("sync round with %s had problems: %s", self.status.server, self.status.last_error)
            self.last_round = result
            logger.info("sync round: pulled %d, pushed %d, deleted %d, plugins %s (%.2f s)", len(result.pulled),
                        len(result.pushed), len(result.deleted), ", ".join(result.plugins) or "none",
                        result.duration_s)
            handler = getattr(self.application, "event_handler", None)
            if handler is not None:
                handler.emit(SYNC_FINISHED, result)
            return result

    async def _round(self, result: SyncFinished) -> None:
        app = self.application
        profile = app.config.get("general.profile")
        profiles = list(dict.fromkeys(["default", profile]))
        want_music = self.settings.music == "pull"
        remote = await self.request("inventory", {"profiles": profiles, "music": want_music,
                                                  "music_folders": list(self.settings.music_folders)})
        models, assets = Path(app.path("models")), Path(app.path("assets"))
        local_models, local_assets = await asyncio.to_thread(
            lambda: (model_inventory(models), asset_inventory(assets, profiles)))
        accept = remote.get("accept") or {}
        for area, base, local, theirs, direction in (
            ("models", models, local_models, remote.get("models") or {}, self.settings.models),
            ("assets", assets, local_assets, remote.get("assets") or {}, self.settings.assets),
        ):
            pull, push = plan(local, theirs, direction)
            if not accept.get(area, False):
                push = []
            pulled: list[Path] = []
            for rel in pull:
                try:
                    pulled.append(await self._pull(area, base, rel, theirs[rel]))
                    result.pulled.append(f"{area}/{rel}")
                except SyncError as exc:
                    result.errors.append(f"pull {area}/{rel}: {exc}")
            if pulled and self.on_files_pulled is not None:
                try:
                    outcome = self.on_files_pulled(area, pulled)
                    if inspect.isawaitable(outcome):
                        await outcome
                except Exception as exc:  # e.g. a pulled model that does not load: keep syncing, report it
                    logger.exception("reacting to the pulled %s failed", area)
                    result.errors.append(f"using the pulled {area}: {exc}")
            for rel in push:
                try:
                    await self._push(area, base, rel, local[rel])
                    result.pushed.append(f"{area}/{rel}")
                except SyncError as exc:
                    result.errors.append(f"push {area}/{rel}: {exc}")
        if want_music and isinstance(remote.get("music"), dict):
            await self._sync_music(remote["music"], result)
        if self.settings.plugins:
            await self._sync_plugins(set(remote.get("plugins") or []), result)

    def music_folder(self) -> Path:
        """The local music plugin's folder, else `<root>/music`."""
        manager = getattr(self.application, "plugin_manager", None)
        plugin = manager.get("music") if manager is not None else None
        folder = getattr(plugin, "music_folder", None)
        return Path(folder()) if callable(folder) else Path(self.application.root) / "music"

    async def _sync_music(self, remote: dict[str, dict[str, Any]], result: SyncFinished) -> None:
        folder, folders = self.music_folder(), list(self.settings.music_folders)
        local = await asyncio.to_thread(music_inventory, folder, folders)
        mirror = MusicMirror(folder, self.request, self.limiter, self.settings.chunk_bytes, folders)
        report = await mirror.run(remote, local)
        await asyncio.to_thread(remember_hashes, folder, {rel: str(remote[rel]["sha256"]) for rel in report.pulled})
        result.pulled.extend(f"music/{rel}" for rel in report.pulled)
        result.deleted.extend(f"music/{rel}" for rel in report.deleted)
        result.resumed.update({f"music/{rel}": offset for rel, offset in report.resumed.items()})
        result.bytes_in += report.bytes_in
        result.errors.extend(report.errors)
        handler = getattr(self.application, "event_handler", None)
        if report.changed and handler is not None:
            handler.emit(MUSIC_SYNCED, {"pulled": report.pulled, "deleted": report.deleted})

    async def _pull(self, area: str, base: Path, rel: str, entry: dict[str, Any]) -> Path:
        path = safe_relative(base, rel)
        size, offset = int(entry.get("size") or 0), 0
        while True:
            reply = await self.request("read", {"area": area, "path": rel, "offset": offset,
                                                "length": self.limiter.chunk(self.settings.chunk_bytes)})
            data = bytes(reply.get("data") or b"")
            await self.limiter.take(len(data))
            await asyncio.to_thread(write_slice, path, offset, data)
            offset += len(data)
            if offset >= size or not data:
                break
        await asyncio.to_thread(install_staged, path, str(entry.get("sha256")), entry.get("mtime"))
        logger.info("sync: pulled %s/%s (%d bytes)", area, rel, offset)
        return path

    async def _push(self, area: str, base: Path, rel: str, entry: dict[str, Any]) -> None:
        path = safe_relative(base, rel)
        size, offset = path.stat().st_size, 0
        while True:
            chunk = self.limiter.chunk(self.settings.chunk_bytes)
            data = await asyncio.to_thread(read_slice, path, offset, chunk) if size else b""
            await self.limiter.take(len(data))
            last = offset + len(data) >= size
            await self.request("write", {"area": area, "path": rel, "offset": offset, "data": data, "last": last,
                                         "sha256": entry["sha256"], "mtime": entry.get("mtime")})
            offset += len(data)
            if last:
                break
        logger.info("sync: pushed %s/%s (%d bytes)", area, rel, size)

    async def _sync_plugins(self, remote_plugins: set[str], result: SyncFinished) -> None:
        manager = getattr(self.application, "plugin_manager", None)
        if manager is None:
            return
        for plugin in list(manager):
            name = plugin.name
            if not manager.is_active(name) or not declares_sync(plugin):
                continue
            if name not in remote_plugins:
                result.plugins[name] = "not on the server"
                continue

            async def send(payload: dict[str, Any], name: str = name) -> dict[str, Any]:
                reply = await self.request("plugin", {"plugin": name, "data": payload})
                return dict(reply.get("data") or {})

            try:
                outcome = plugin.sync(ClientPeer(name, send))
                if inspect.isawaitable(outcome):
                    outcome = await outcome
                result.plugins[name] = outcome
            except (SyncError, LinkLost) as exc:
                result.errors.append(f"plugin {name}: {exc}")
            except Exception as exc:  # a plugin bug must not stop the others
                logger.exception("plugin %s: sync failed", name)
                result.errors.append(f"plugin {name}: {type(exc).__name__}: {exc}")
