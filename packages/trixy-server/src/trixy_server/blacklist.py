"""The blacklist: MAC addresses that are refused at once, connected or not; persisted through a callback."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from trixy_core.jsonfile import write_json_atomic
from trixy_server.errors import NetworkConfigError
from trixy_server.mac import normalize_mac

logger = logging.getLogger(__name__)

Persist = Callable[[list[str]], None]
Listener = Callable[[str, bool], None]


class Blacklist:
    """A set of blocked MACs. `add` persists and then notifies listeners (the server drops the satellite)."""

    def __init__(self, macs: Iterable[str] = (), *, persist: Persist | None = None) -> None:
        self._macs: set[str] = {normalize_mac(m) for m in macs}
        self._persist = persist
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    @classmethod
    def from_file(cls, path: Path | str) -> Blacklist:
        """A blacklist kept in its own JSON file (`{"blacklist": [...]}`), created on first change."""
        path = Path(path)
        macs: list[str] = []
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                macs = list(data["blacklist"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise NetworkConfigError(f"cannot read blacklist {path}: {exc}; fix or delete the file") from exc
        return cls(macs, persist=lambda items: write_json_atomic(path, {"blacklist": items}, sort_keys=True))

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(mac, blocked)` after every change."""
        self._listeners.append(listener)

    def __contains__(self, mac: object) -> bool:
        try:
            key = normalize_mac(mac)
        except ValueError:
            return False
        with self._lock:
            return key in self._macs

    def __iter__(self):
        with self._lock:
            return iter(sorted(self._macs))

    def __len__(self) -> int:
        return len(self._macs)

    def add(self, mac: str) -> bool:
        """Block `mac`; returns False when it already was."""
        return self._change(normalize_mac(mac), True)

    def remove(self, mac: str) -> bool:
        """Unblock `mac`; returns False when it was not blocked."""
        return self._change(normalize_mac(mac), False)

    def _change(self, key: str, blocked: bool) -> bool:
        with self._lock:
            if (key in self._macs) == blocked:
                return False
            (self._macs.add if blocked else self._macs.discard)(key)
            items = sorted(self._macs)
        if self._persist is not None:
            self._persist(items)
        logger.info("%s %s", "blacklisted" if blocked else "removed from blacklist", key)
        for listener in list(self._listeners):
            try:
                listener(key, blocked)
            except Exception:
                logger.exception("blacklist listener failed for %s", key)
        return True
