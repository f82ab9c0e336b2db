"""`SatelliteManager`: every registered satellite (connected or not), finders, selectors, registration, blacklist.

    manager[0]                                   -> Satellite
    manager["status = connected, room = kitchen"] -> SatelliteGroup
    manager["room = kitchen"].say("Dinner")      -> said on every kitchen satellite
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from trixy_core.events import names
from trixy_core.events.data import (
    SatelliteConnected,
    SatelliteDisconnected,
    SatelliteRegistered,
    SayRequested,
)
from trixy_server.blacklist import Blacklist
from trixy_server.errors import SatelliteNotConnectedError, UnknownSatelliteError
from trixy_server.group import GroupResult, SatelliteGroup
from trixy_server.mac import normalize_mac
from trixy_server.registration import RegistrationWindow
from trixy_server.registry import SatelliteRecord, SatelliteRegistry
from trixy_server.satellite import Satellite
from trixy_server.selector import parse_selector

logger = logging.getLogger(__name__)

SpeechSynthesizer = Callable[[str], Any]
"""text -> 16 kHz mono s16le PCM bytes (or an awaitable of them)."""


class SatelliteManager:
    """Holds one `Satellite` per registration and is the plugins' way to reach satellites."""

    def __init__(
        self,
        registry: SatelliteRegistry,
        blacklist: Blacklist | None = None,
        window: RegistrationWindow | None = None,
        *,
        event_handler: Any = None,
    ) -> None:
        self.registry = registry
        self.blacklist = blacklist if blacklist is not None else Blacklist()
        self.registration = window if window is not None else RegistrationWindow()
        self.event_handler = event_handler
        self.speech_synthesizer: SpeechSynthesizer | None = None
        """Set this to speak without a TTS plugin; otherwise `say` raises the `say` event."""
        self._lock = threading.RLock()
        self._satellites: dict[str, Satellite] = {}
        for record in registry.all():
            self._satellites[record.mac] = Satellite(record, self)
        self.blacklist.subscribe(self._on_blacklist_change)

    # -- access ---------------------------------------------------------------------------------------------------
    @property
    def satellites(self) -> list[Satellite]:
        """All satellites in registration order."""
        with self._lock:
            return sorted(self._satellites.values(), key=lambda s: (s.created, s.mac))

    def __len__(self) -> int:
        return len(self._satellites)

    def __iter__(self) -> Iterator[Satellite]:
        return iter(self.satellites)

    def __getitem__(self, key: int | slice | str) -> Any:
        """`manager[0]` -> Satellite; `manager[1:3]` -> group; `manager["room = kitchen"]` -> group."""
        if isinstance(key, bool):
            raise TypeError("satellite index must be an int, a slice or a selector string")
        if isinstance(key, int):
            items = self.satellites
            try:
                return items[key]
            except IndexError:
                raise UnknownSatelliteError(f"no satellite at index {key}: {len(items)} registered") from None
        if isinstance(key, slice):
            return SatelliteGroup(self.satellites[key], selector=str(key))
        if isinstance(key, str):
            return self.select(key)
        raise TypeError(f"satellite index must be an int, a slice or a selector string, not {type(key).__name__}")

    def select(self, selector: str) -> SatelliteGroup:
        """Every satellite matching a selector like `"status = connected, room = kitchen"` (case-insensitive)."""
        parsed = parse_selector(selector)
        return SatelliteGroup([s for s in self.satellites if parsed.matches(s)], selector=selector)

    def get(self, key: str) -> Satellite:
        """The satellite with this MAC or id; raises UnknownSatelliteError."""
        found = self.find(key)
        if found is None:
            raise UnknownSatelliteError(f"no registered satellite with MAC or id {key!r}")
        return found

    def find(self, key: str) -> Satellite | None:
        """The satellite with this MAC or id, or None."""
        with self._lock:
            try:
                sat = self._satellites.get(normalize_mac(key))
                if sat is not None:
                    return sat
            except ValueError:
                pass
            for sat in self._satellites.values():
                if sat.id == key:
                    return sat
        return None

    def by_mac(self, mac: str) -> Satellite | None:
        """The satellite with this MAC, or None."""
        try:
            return self._satellites.get(normalize_mac(mac))
        except ValueError:
            return None

    def by_id(self, satellite_id: str) -> Satellite | None:
        """The satellite with this id, or None."""
        return next((s for s in self.satellites if s.id == satellite_id), None)

    def by_room(self, room: str) -> SatelliteGroup:
        """Satellites in `room` (case-insensitive)."""
        return self._where("room", room)

    def by_alias(self, alias: str) -> SatelliteGroup:
        """Satellites called `alias` (case-insensitive)."""
        return self._where("alias", alias)

    def by_state(self, state: str) -> SatelliteGroup:
        """Satellites in connection state `state` (`connected`, `disconnected`, `connecting`)."""
        return self._where("status", state)

    @property
    def connected(self) -> SatelliteGroup:
        """Every connected satellite."""
        return SatelliteGroup([s for s in self.satellites if s.connected], selector="status = connected")

    def _where(self, field: str, value: str) -> SatelliteGroup:
        quoted = '"' + value.replace('"', "") + '"'
        return self.select(f"{field} = {quoted}")

    # -- bulk actions ---------------------------------------------------------------------------------------------
    def disconnect(self, target: str | Satellite, reason: str = "disconnected by the server") -> GroupResult:
        """Disconnect one satellite (object, MAC, id) or every match of a selector."""
        return self._resolve(target).disconnect(reason)

    def disconnect_all(self, reason: str = "disconnected by the server") -> GroupResult:
        """Disconnect every connected satellite."""
        return self.connected.disconnect(reason)

    def reconnect(self, target: str | Satellite) -> GroupResult:
        """Ask one satellite (or every match of a selector) to reconnect."""
        return self._resolve(target).reconnect()

    def reconnect_all(self) -> GroupResult:
        """Ask every connected satellite to reconnect."""
        return self.connected.reconnect()

    def _resolve(self, target: str | Satellite) -> SatelliteGroup:
        if isinstance(target, Satellite):
            return SatelliteGroup([target])
        if any(op in target for op in ("=", "~")):
            return self.select(target)
        return SatelliteGroup([self.get(target)], selector=target)

    # -- registration and blacklist -----------------------------------------------------------------------------
    def enter_registration_mode(self, duration: float | None = None) -> None:
        """Registration mode on (default 60 s): the first unknown satellite that connects gets registered."""
        self.registration.open(duration)

    def leave_registration_mode(self) -> None:
        """Registration mode off now."""
        self.registration.close()

    @property
    def registration_mode(self) -> bool:
        """True while registration mode is on."""
        return self.registration.is_open

    def register(self, mac: str, room: str, alias: str) -> Satellite:
        """Write a registration (used by the network handshake; also usable from the TUI for pre-registration)."""
        record = self.registry.register(mac, room, alias)
        satellite = self._add(record)
        self._emit(names.SATELLITE_REGISTERED,
                   SatelliteRegistered(satellite_id=record.id, mac=record.mac, room=record.room, alias=record.alias))
        return satellite

    def delete_registration(self, target: str | Satellite) -> SatelliteRecord:
        """Delete a satellite's registration file; a connected satellite is dropped first."""
        satellite = target if isinstance(target, Satellite) else self.get(target)
        satellite.disconnect("registration deleted")
        record = self.registry.delete(satellite.mac)
        with self._lock:
            self._satellites.pop(record.mac, None)
        return record

    def blacklist_add(self, mac: str) -> bool:
        """Blacklist a MAC; a connected satellite with it is dropped at once."""
        return self.blacklist.add(mac)

    def blacklist_remove(self, mac: str) -> bool:
        """Take a MAC off the blacklist."""
        return self.blacklist.remove(mac)

    def is_blacklisted(self, mac: str) -> bool:
        """True when `mac` is blacklisted."""
        return mac in self.blacklist

    def _on_blacklist_change(self, mac: str, blocked: bool) -> None:
        if not blocked:
            return
        satellite = self.by_mac(mac)
        if satellite is not None and satellite.connected:
            satellite.disconnect("blacklisted")

    def _add(self, record: SatelliteRecord) -> Satellite:
        with self._lock:
            satellite = self._satellites.get(record.mac)
            if satellite is None:
                satellite = Satellite(record, self)
                self._satellites[record.mac] = satellite
            return satellite

    # -- called by the network layer ------------------------------------------------------------------------------
    def satellite_for(self, record: SatelliteRecord) -> Satellite:
        """The Satellite object of a registration (created when missing, e.g. after a registry reload)."""
        return self._add(record)

    def mark_connected(self, satellite: Satellite) -> None:
        """Raise `satellite connected` for an accepted satellite."""
        self._emit(names.SATELLITE_CONNECTED, SatelliteConnected(
            satellite_id=satellite.id, mac=satellite.mac, room=satellite.room, alias=satellite.alias,
            address=f"{satellite.ip}:{satellite.port}", version=satellite.version or ""))

    def mark_disconnected(self, satellite: Satellite, reason: str) -> None:
        """Raise `satellite disconnected`."""
        self._emit(names.SATELLITE_DISCONNECTED, SatelliteDisconnected(satellite_id=satellite.id, reason=reason))

    async def speak(self, satellite: Satellite, text: str) -> None:
        """Say `text` on `satellite`: through `speech_synthesizer` when set, else via the `say` event (TTS plugin)."""
        synthesizer = self.speech_synthesizer
        if synthesizer is None:
            if self.event_handler is None:
                raise SatelliteNotConnectedError("no speech synthesizer and no event handler: cannot say anything")
            result = self.event_handler.trigger(names.SAY, SayRequested(text=text, satellite_id=satellite.id,
                                                                      source="satellite manager"))
            if inspect.isawaitable(result):
                await result
            return
        pcm = synthesizer(text)
        if inspect.isawaitable(pcm):
            pcm = await pcm
        else:
            pcm = await asyncio.to_thread(lambda: pcm)
        link = satellite._require_link()
        await link.play_pcm(bytes(pcm), stream="tts_out")

    def _emit(self, name: str, data: Any) -> None:
        if self.event_handler is None:
            return
        try:
            self.event_handler.trigger(name, data)
        except Exception:
            logger.exception("cannot raise event %r", name)
