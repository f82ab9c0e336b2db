"""The satellite registry: one `<satellites_folder>/<mac>.json` per registered satellite (room, alias, id, secret).

The default folder is `state/satellites/` (git-ignored runtime state, files 0600: they hold the satellite's key).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from trixy_core.jsonfile import write_json_atomic
from trixy_server.errors import AlreadyRegisteredError, InvalidMacError, RegistryError, UnknownSatelliteError
from trixy_server.mac import mac_file_stem, normalize_mac

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
"""Length of a satellite's secret; it doubles as the AES-256 key material, so 32 bytes."""


@dataclass(slots=True)
class SatelliteRecord:
    """What the server stores about a registered satellite (the content of its registration file)."""

    mac: str
    """Normalised MAC address `aa:bb:cc:dd:ee:ff`, the satellite's identity."""
    id: str
    """Short stable id given at registration; audio stream handshakes name it."""
    room: str
    alias: str
    created: str
    """ISO-8601 UTC time of registration."""
    secret: str
    """Hex of the per-satellite secret (never sent again after registration; used for HMAC and keys)."""

    @property
    def secret_bytes(self) -> bytes:
        """The secret as bytes, for HMAC and key derivation."""
        return bytes.fromhex(self.secret)

    def to_json(self) -> dict[str, str]:
        """The registration file's content."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, *, source: str = "registration") -> SatelliteRecord:
        """Validate a registration file's content; raises RegistryError naming the bad field."""
        if not isinstance(data, dict):
            raise RegistryError(f"{source}: expected a JSON object, got {type(data).__name__}")
        values: dict[str, str] = {}
        for name in ("mac", "id", "room", "alias", "created", "secret"):
            value = data.get(name)
            if not isinstance(value, str):
                raise RegistryError(f"{source}: field {name!r} must be a string, got {value!r}")
            values[name] = value
        try:
            values["mac"] = normalize_mac(values["mac"])
        except InvalidMacError as exc:
            raise RegistryError(f"{source}: {exc}") from exc
        try:
            if len(bytes.fromhex(values["secret"])) < 16:
                raise ValueError
        except ValueError:
            raise RegistryError(f"{source}: field 'secret' must be at least 16 bytes of hex") from None
        if not values["id"]:
            raise RegistryError(f"{source}: field 'id' must not be empty")
        return cls(**values)


def new_satellite_id() -> str:
    """A short random id (`sat-1a2b3c4d`), unique enough for a household and easy to read in logs."""
    return f"sat-{secrets.token_hex(4)}"


LEGACY_FOLDER = Path("config") / "satellites"
"""Where registrations were written before the state folder existed (inside the tracked config folder)."""


def migrate_registrations(legacy: Path, folder: Path) -> list[Path]:
    """Move `legacy/*.json` registrations into `folder` (mode kept; a file already there wins and the old one stays).

    Returns the new paths. Registrations hold secrets and are runtime state, so they leave the tracked config/.
    """
    legacy, folder = Path(legacy), Path(folder)
    if not legacy.is_dir() or legacy.resolve() == folder.resolve():
        return []
    moved: list[Path] = []
    for old in sorted(legacy.glob("*.json")):
        if old.name.startswith("."):
            continue
        new = folder / old.name
        if new.exists():
            logger.warning("registration %s not moved: %s exists (remove the old file when done)", old, new)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(old, new)
        except OSError:  # another file system: copy with its mode, then remove
            shutil.copy2(old, new)
            old.unlink()
        moved.append(new)
    if moved:
        logger.info("moved %d satellite registration(s) from %s to %s", len(moved), legacy, folder)
        with contextlib.suppress(OSError):
            legacy.rmdir()  # only when empty
    return moved


class SatelliteRegistry:
    """Reads and writes the registration files in one folder; thread-safe, every write atomic."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._records: dict[str, SatelliteRecord] = {}
        self._lock = threading.RLock()
        self.load()

    def path_for(self, mac: str) -> Path:
        """The registration file of `mac`."""
        return self.folder / f"{mac_file_stem(mac)}.json"

    def load(self) -> list[SatelliteRecord]:
        """(Re)read every `*.json` in the folder; a broken file is logged and skipped, never deleted."""
        records: dict[str, SatelliteRecord] = {}
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("*.json")):
                if path.name.startswith("."):
                    continue
                try:
                    record = SatelliteRecord.from_json(json.loads(path.read_text(encoding="utf-8")), source=str(path))
                except (OSError, ValueError, RegistryError) as exc:
                    logger.error("skipping satellite registration %s: %s", path, exc)
                    continue
                if path.stem != mac_file_stem(record.mac):
                    logger.warning("registration %s holds MAC %s; expected file %s", path, record.mac,
                                   self.path_for(record.mac).name)
                records[record.mac] = record
        with self._lock:
            self._records = records
        return list(records.values())

    def all(self) -> list[SatelliteRecord]:
        """Every registration, in the order they were created."""
        with self._lock:
            return sorted(self._records.values(), key=lambda r: (r.created, r.mac))

    def get(self, mac: str) -> SatelliteRecord | None:
        """The registration of `mac`, or None (an invalid MAC is simply not registered)."""
        try:
            key = normalize_mac(mac)
        except InvalidMacError:
            return None
        with self._lock:
            return self._records.get(key)

    def by_id(self, satellite_id: str) -> SatelliteRecord | None:
        """The registration with this satellite id, or None."""
        with self._lock:
            for record in self._records.values():
                if record.id == satellite_id:
                    return record
        return None

    def register(self, mac: str, room: str, alias: str, *, now: datetime | None = None) -> SatelliteRecord:
        """Create and write a new registration with a fresh id and secret; raises if the MAC is registered."""
        key = normalize_mac(mac)
        room, alias = room.strip(), alias.strip()
        if not room:
            raise RegistryError("a satellite needs a room name to be registered")
        with self._lock:
            if key in self._records:
                raise AlreadyRegisteredError(f"satellite {key} is already registered; delete its registration first")
            ids = {r.id for r in self._records.values()}
            satellite_id = new_satellite_id()
            while satellite_id in ids:
                satellite_id = new_satellite_id()
            created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
            record = SatelliteRecord(mac=key, id=satellite_id, room=room, alias=alias or room, created=created,
                                     secret=secrets.token_hex(SECRET_BYTES))
            self._write(record)
            self._records[key] = record
        logger.info("registered satellite %s (%s, room %s, alias %s)", record.id, key, record.room, record.alias)
        return record

    def update(self, mac: str, *, room: str | None = None, alias: str | None = None) -> SatelliteRecord:
        """Change room and/or alias of a registration and write it."""
        with self._lock:
            record = self.get(mac)
            if record is None:
                raise UnknownSatelliteError(f"no registered satellite with MAC {mac!r}")
            if room is not None:
                if not room.strip():
                    raise RegistryError("room must not be empty")
                record.room = room.strip()
            if alias is not None:
                record.alias = alias.strip()
            self._write(record)
            return record

    def delete(self, mac: str) -> SatelliteRecord:
        """Remove a registration (its file too); the satellite must register again to connect."""
        with self._lock:
            record = self.get(mac)
            if record is None:
                raise UnknownSatelliteError(f"no registered satellite with MAC {mac!r}")
            try:
                self.path_for(record.mac).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise RegistryError(f"cannot delete {self.path_for(record.mac)}: {exc}") from exc
            del self._records[record.mac]
        logger.info("deleted registration of satellite %s (%s)", record.id, record.mac)
        return record

    def _write(self, record: SatelliteRecord) -> None:
        path = self.path_for(record.mac)
        try:
            write_json_atomic(path, record.to_json(), private=True, sort_keys=True)
        except OSError as exc:
            raise RegistryError(f"cannot write {path}: {exc}") from exc
