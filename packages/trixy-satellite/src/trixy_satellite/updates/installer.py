"""`UpdateInstaller`: the satellite's side of server-pushed updates (models, assets, plugins, scripts) and reboot.

    UpdateOffer  -> check (enabled, authenticated encrypted channel, size, name) -> UpdateResponse(accepted)
    UpdateChunk  -> appended in order to a staging file -> UpdateResponse per chunk (the server's flow control)
    last chunk   -> size + SHA-256 checked -> unpacked into a staging folder -> validated (e.g. the model loads)
                 -> swapped in atomically (old version kept for rollback) -> activated (model reloaded live)
                 -> UpdateResult(success, message)
    Reboot       -> UpdateResult(update_id="reboot") then the configured command runs

Anything that fails leaves the running version untouched; an activation that fails rolls the files back.
Only the server this satellite authenticated with can push: commands are accepted only on the accepted connection,
which the server proved with this satellite's secret, and (unless `updates.allow_unencrypted`) only when frames are
encrypted with the session key.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trixy_protocol import Reboot, UpdateChunk, UpdateKind, UpdateOffer, UpdateResponse, UpdateResult
from trixy_satellite.updates.archive import archive_format, extract_archive, remove_tree
from trixy_satellite.updates.config import UpdateSettings
from trixy_satellite.updates.errors import ChecksumMismatchError, UpdateError
from trixy_satellite.updates.folders import repair, roll_back, staging_of, swap_in
from trixy_satellite.updates.scripts import scripts_target

logger = logging.getLogger(__name__)

MODEL_KINDS = (UpdateKind.WAKEWORD_MODEL, UpdateKind.VOICE_MODEL)
MODEL_SUFFIXES = (".onnx", ".pth", ".pt")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
REBOOT_ID = "reboot"

Hook = Callable[[Path], Any]
"""Called with a folder; raising refuses (validator) or rolls back (activator)."""


@dataclass(slots=True)
class UpdateRecord:
    """One finished update, for the status report and tests."""

    update_id: str
    kind: str
    filename: str
    success: bool
    message: str
    finished: float


class _Incoming:
    """An update being received: the offer, the staging file and the running hash."""

    def __init__(self, offer: UpdateOffer, path: Path) -> None:
        self.offer = offer
        self.path = path
        self.file = open(path, "wb")
        self.sha = hashlib.sha256()
        self.received = 0
        self.next_index = 0

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


class UpdateInstaller:
    """Receives, verifies and installs updates; `attach()` registers its handlers on a `SatelliteClient`."""

    def __init__(self, client: Any, root: Path, settings: UpdateSettings | None = None, *,
                 profile: str = "default") -> None:
        self.client = client
        self.root = Path(root)
        self.settings = settings or UpdateSettings()
        self.profile = profile
        self.validators: dict[UpdateKind, Hook] = {}
        """Per kind: check the prepared folder before the swap (e.g. load the model); raise to refuse."""
        self.activators: dict[UpdateKind, Hook] = {}
        """Per kind: use the installed folder (e.g. swap the live detector); raising rolls the files back."""
        self.history: list[UpdateRecord] = []
        self.reboots: int = 0
        self.repaired: list[UpdateKind] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        """The client's event loop (known once the first command arrived); see `call_on_loop`."""
        self._incoming: _Incoming | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- wiring -----------------------------------------------------------------------------------------------
    def attach(self) -> UpdateInstaller:
        """Handle UpdateOffer, UpdateChunk and Reboot from the server."""
        self.client.on(UpdateOffer, self.on_offer)
        self.client.on(UpdateChunk, self.on_chunk)
        self.client.on(Reboot, self.on_reboot)
        callbacks = getattr(self.client, "disconnected_callbacks", None)
        if callbacks is not None:
            callbacks.append(lambda _client, reason: self._drop_incoming(f"connection lost: {reason}"))
        self.repaired = self.repair_all()
        return self

    def repair_all(self) -> list[UpdateKind]:
        """Put back folders a crash left half-swapped (at start); returns the kinds repaired (to activate them)."""
        repaired = []
        for kind in (UpdateKind.WAKEWORD_MODEL, UpdateKind.VOICE_MODEL, UpdateKind.PLUGINS, UpdateKind.SCRIPTS):
            try:
                if repair(self.target_for(kind)):
                    logger.warning("restored the %s folder that an interrupted update left behind", kind.value)
                    repaired.append(kind)
            except (UpdateError, OSError) as exc:
                logger.warning("cannot check the %s folder after a crash: %s", kind.value, exc)
        return repaired

    def call_on_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` on the client's loop (activators run in a worker thread; the listener lives on the loop)."""
        loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def _drop_incoming(self, why: str) -> None:
        incoming = self._incoming
        if incoming is not None:
            logger.warning("update %s abandoned (%s)", incoming.offer.update_id, why)
            incoming.close()
            incoming.path.unlink(missing_ok=True)
            self._incoming = None

    def target_for(self, kind: UpdateKind, profile: str = "") -> Path:
        """The folder an update of `kind` replaces."""
        s = self.settings
        if kind is UpdateKind.WAKEWORD_MODEL:
            return self._model_folder(s.wakeword_folder)
        if kind is UpdateKind.VOICE_MODEL:
            return self._model_folder(s.voice_folder)
        if kind is UpdateKind.ASSETS:
            name = profile or "default"
            if not _SAFE_NAME.match(name):
                raise UpdateError(f"asset profile {name!r} is not a plain folder name")
            return self._path(s.assets_folder) / name
        if kind is UpdateKind.PLUGINS:
            return self._path(s.plugins_folder)
        if kind is UpdateKind.SCRIPTS:
            return scripts_target(self.root, s.scripts_folder)  # "" = the running trixy_satellite package
        raise UpdateError(f"updates of kind {kind.value!r} are not installed by the satellite (use ConfigUpdate)")

    def _path(self, spec: str) -> Path:
        path = Path(spec)
        return path if path.is_absolute() else self.root / path

    def _model_folder(self, spec: str) -> Path:
        path = self._path(spec)
        return path.parent if path.suffix.lower() in MODEL_SUFFIXES else path

    def _refusal(self) -> str | None:
        """Why updates cannot be accepted right now (None when they can)."""
        if not self.settings.enabled:
            return "updates are disabled on this satellite (updates.enabled = false)"
        if not getattr(self.client, "connected", False):
            return "not connected to the server this satellite is registered with"
        conn = getattr(self.client, "_conn", None)
        if not self.settings.allow_unencrypted and not getattr(conn, "encrypt", False):
            return "the connection is not encrypted; turn on network.encryption on the server"
        return None

    def _reply(self, message: Any) -> None:
        try:
            self.client.send(message)
        except Exception as exc:  # the link may be gone; the server times out
            logger.warning("cannot answer the server (%s): %s", type(message).__name__, exc)

    # -- receiving ----------------------------------------------------------------------------------------------
    def on_offer(self, offer: UpdateOffer) -> None:
        """Accept or decline an offer; an accepted one gets a staging file."""
        self.loop = asyncio.get_running_loop()
        reason = self._refusal() or self._check_offer(offer)
        if reason is None and self._incoming is not None:
            # the server pushes one update per satellite at a time: a new offer means it gave up the old one
            self._drop_incoming(f"replaced by update {offer.update_id}")
        if reason is not None:
            logger.warning("declining update %s (%s %s): %s", offer.update_id, offer.kind, offer.filename, reason)
            self._reply(UpdateResponse(update_id=offer.update_id, accepted=False, reason=reason))
            return
        folder = self.root / ".trixy-updates"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{offer.update_id}.part"
        self._incoming = _Incoming(offer, path)
        logger.info("receiving update %s: %s %s (%d bytes)", offer.update_id, offer.kind.value, offer.filename,
                    offer.size)
        self._reply(UpdateResponse(update_id=offer.update_id, accepted=True))

    def _check_offer(self, offer: UpdateOffer) -> str | None:
        if not _SAFE_NAME.match(offer.update_id):
            return f"update id {offer.update_id!r} must be a plain name"
        if not _SAFE_NAME.match(offer.filename) or ".." in offer.filename:
            return f"file name {offer.filename!r} must be a plain name without folders"
        if offer.size < 0 or offer.size > self.settings.max_bytes:
            return f"{offer.size} bytes is more than updates.max_bytes ({self.settings.max_bytes})"
        if len(bytes(offer.sha256)) != 32:
            return "the offer's SHA-256 must be 32 bytes"
        try:
            self.target_for(offer.kind, offer.profile)
        except UpdateError as exc:
            return str(exc)
        if offer.kind not in MODEL_KINDS and archive_format(offer.filename) is None:
            return f"{offer.kind.value} updates must be .zip or .tar.gz archives, got {offer.filename!r}"
        return None

    def on_chunk(self, chunk: UpdateChunk) -> None:
        """Append a chunk (in order) and answer; the last chunk starts verification and installation."""
        incoming = self._incoming
        if incoming is None or incoming.offer.update_id != chunk.update_id:
            self._reply(UpdateResult(update_id=chunk.update_id, success=False,
                                     message="no accepted offer for this update id"))
            return
        problem = self._refusal()
        if problem is None and (chunk.index != incoming.next_index or chunk.offset != incoming.received):
            problem = (f"chunk {chunk.index} at offset {chunk.offset} out of order "
                       f"(expected {incoming.next_index} at {incoming.received})")
        data = bytes(chunk.data)
        if problem is None and incoming.received + len(data) > incoming.offer.size:
            problem = f"more data than the offered {incoming.offer.size} bytes"
        if problem is None:
            try:
                incoming.file.write(data)
            except OSError as exc:
                problem = f"cannot store the update: {exc}"
        if problem is not None:
            self._abandon(incoming, problem)
            return
        incoming.sha.update(data)
        incoming.received += len(data)
        incoming.next_index += 1
        if not chunk.last:
            self._reply(UpdateResponse(update_id=chunk.update_id, accepted=True,
                                       reason=f"{incoming.received}/{incoming.offer.size}"))
            return
        incoming.close()
        self._incoming = None
        task = asyncio.get_running_loop().create_task(self._finish(incoming))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _abandon(self, incoming: _Incoming, message: str) -> None:
        incoming.close()
        incoming.path.unlink(missing_ok=True)
        self._incoming = None
        self._record(incoming.offer, False, message)
        self._reply(UpdateResult(update_id=incoming.offer.update_id, success=False, message=message))

    async def _finish(self, incoming: _Incoming) -> None:
        offer = incoming.offer
        try:
            if incoming.received != offer.size:
                raise ChecksumMismatchError(f"received {incoming.received} bytes, the offer said {offer.size}")
            if incoming.sha.digest() != bytes(offer.sha256):
                raise ChecksumMismatchError("SHA-256 mismatch: the update was corrupted on the way; nothing installed")
            message = await asyncio.to_thread(self.install_file, offer.kind, incoming.path, offer.filename,
                                              offer.update_id, offer.profile)
        except UpdateError as exc:
            logger.error("update %s (%s) refused: %s; the old version stays in use", offer.update_id,
                         offer.kind.value, exc)
            self._record(offer, False, str(exc))
            self._reply(UpdateResult(update_id=offer.update_id, success=False, message=str(exc)))
        except Exception as exc:  # never let an update crash the satellite
            logger.exception("update %s failed", offer.update_id)
            self._record(offer, False, f"{type(exc).__name__}: {exc}")
            self._reply(UpdateResult(update_id=offer.update_id, success=False, message=f"internal error: {exc}"))
        else:
            self._record(offer, True, message)
            self._reply(UpdateResult(update_id=offer.update_id, success=True, message=message,
                                     restart_required=offer.kind is UpdateKind.SCRIPTS))
        finally:
            incoming.path.unlink(missing_ok=True)

    def _record(self, offer: UpdateOffer, success: bool, message: str) -> None:
        self.history.append(UpdateRecord(offer.update_id, offer.kind.value, offer.filename, success, message,
                                         time.time()))
        del self.history[:-50]

    # -- installing ---------------------------------------------------------------------------------------------
    def install_file(self, kind: UpdateKind, file: Path, filename: str, update_id: str, profile: str = "") -> str:
        """Unpack/copy a verified file into a staging folder, validate, swap it in, activate; blocking."""
        target = self.target_for(kind, profile)
        staging = staging_of(target, update_id)
        try:
            fmt = archive_format(filename)
            if fmt:
                extract_archive(file, staging, max_bytes=self.settings.max_bytes, fmt=fmt, name=filename)
            elif kind in MODEL_KINDS and Path(filename).suffix.lower() in MODEL_SUFFIXES:
                shutil.copyfile(file, staging / filename)
            else:
                raise UpdateError(f"{filename}: expected a model file or a .zip/.tar.gz archive")
            if kind in MODEL_KINDS:
                if not any(p.suffix.lower() in MODEL_SUFFIXES for p in staging.rglob("*")):
                    raise UpdateError(f"{filename}: contains no model file (.onnx, .pth, .pt)")
                _keep_companions(target, staging)
            validator = self.validators.get(kind)
            if validator is not None:
                try:
                    validator(staging)
                except UpdateError:
                    raise
                except Exception as exc:
                    raise UpdateError(f"{filename} does not work: {exc}") from exc
        except BaseException:
            remove_tree(staging)
            raise
        swap_in(target, staging)
        activator = self.activators.get(kind)
        if activator is not None:
            try:
                activator(target)
            except Exception as exc:
                roll_back(target)
                raise UpdateError(f"{filename} installed but could not be activated ({exc}); rolled back") from exc
        logger.info("update %s installed into %s", update_id, target)
        return f"installed {filename} into {target.relative_to(self.root) if target.is_relative_to(self.root) else target}"

    def rollback(self, kind: UpdateKind, profile: str = "") -> bool:
        """Go back to the version replaced by the last update of `kind` (and activate it); False without a backup."""
        target = self.target_for(kind, profile)
        if not roll_back(target):
            return False
        activator = self.activators.get(kind)
        if activator is not None:
            activator(target)
        return True

    # -- reboot -------------------------------------------------------------------------------------------------
    async def on_reboot(self, command: Reboot) -> None:
        """Run `updates.reboot_command` after `delay_s` (answering first: a real reboot ends the connection)."""
        problem = self._refusal()
        argv = [str(a) for a in self.settings.reboot_command]
        if problem is None and not argv:
            problem = "updates.reboot_command is empty: reboot is disabled on this satellite"
        if problem is not None:
            logger.warning("reboot refused: %s", problem)
            self._reply(UpdateResult(update_id=REBOOT_ID, success=False, message=problem))
            return
        logger.warning("the server asks for a reboot (%s): running %s in %.1f s", command.reason or "no reason",
                       " ".join(argv), command.delay_s)
        self._reply(UpdateResult(update_id=REBOOT_ID, success=True, message=f"running {' '.join(argv)}",
                                 restart_required=True))
        task = asyncio.get_running_loop().create_task(self._run_reboot(argv, max(0.0, float(command.delay_s))))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_reboot(self, argv: list[str], delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self.reboots += 1
        try:
            process = await asyncio.create_subprocess_exec(*argv, cwd=str(self.root))
            code = await process.wait()
        except OSError as exc:
            logger.error("reboot command %s failed to start: %s", argv, exc)
            return
        if code:
            logger.error("reboot command %s exited with status %d", argv, code)

    async def close(self) -> None:
        """Cancel pending work (installation in a thread finishes on its own)."""
        self._drop_incoming("satellite stopping")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _keep_companions(old: Path, staging: Path) -> None:
    """Carry non-model files (README, notes) of the old model folder over into the new version."""
    if not old.is_dir():
        return
    for item in old.iterdir():
        if item.is_file() and item.suffix.lower() not in MODEL_SUFFIXES and not (staging / item.name).exists():
            shutil.copy2(item, staging / item.name)
