"""`CalendarFile`: one calendar (the household's, or a person's) kept as an .ics file, and merged with the other side.

Merging uses the same pure rule as notes (`trixy_server.sync.merge_pair`: revision histories tell who has seen
what; when both sides edited one event while apart the later edit wins), except that a calendar keeps no conflict
copies: two copies of one appointment would ring twice. Deletions are tombstones, so they travel; merging is
idempotent, so repeated syncs never duplicate an event.

A file that does not parse (edited by hand, or another program wrote garbage) is refused with file and line; the
calendar in memory stays as it was, and the next change here keeps the refused file as `<name>.ics.broken` before
writing the calendar.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trixy_server.sync import Record, merge_pair

from .ics import IcsError, data_hash, read_events, to_text

logger = logging.getLogger(__name__)


class CalendarFile:
    """Events of one .ics file, by UID, with their sync state."""

    def __init__(self, path: Path, name: str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.name = name
        self.clock = clock
        self.events: dict[str, dict[str, Any]] = {}
        self.problem = ""
        """why the file on disk was refused ("" when it was read)"""
        self._lock = threading.RLock()
        self._stamp: tuple[int, int] | None = None
        self.reload()

    # -- file ---------------------------------------------------------------------------------------------------
    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def reload(self) -> bool:
        """Read the file when it changed on disk; True when events were (re)read. A broken file raises nothing:
        it is refused with a log line naming file and line, `problem` says why, and the old events stay."""
        with self._lock:
            stamp = self._file_stamp()
            if stamp == self._stamp:
                return False
            try:
                events = read_events(self.path)
            except IcsError as exc:
                if self.problem != str(exc):
                    logger.error("calendar %s refused, keeping the calendar as it was: %s", self.name, exc)
                self.problem = str(exc)
                return False
            self._stamp, self.problem = stamp, ""
            changed_elsewhere = False
            for entry in events.values():  # edited with another program: a new revision of ours
                if not entry["rev"] or entry["hash"] != data_hash(entry["data"]):
                    entry["history"] = [*entry["history"], entry["rev"]][-64:] if entry["rev"] else entry["history"]
                    entry["rev"] = uuid.uuid4().hex[:16]
                    entry["modified"] = entry["modified"] or self.clock()
                    changed_elsewhere = True
            self.events = events
            if changed_elsewhere:
                self.save()
            return True

    def import_text(self, text: str, source: str) -> int:
        """Replace the calendar by an .ics text (an export of another program); refused whole when it does not
        parse (`IcsError` with file and line), the old calendar kept. Returns the number of events."""
        with self._lock:
            tmp = self.path.with_name(f".{self.path.name}.import")
            tmp.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            try:
                incoming = read_events(tmp)
            except IcsError as exc:
                raise IcsError(str(exc).replace(str(tmp), source)) from exc
            finally:
                tmp.unlink(missing_ok=True)
            for uid, entry in incoming.items():
                old = self.events.get(uid)
                self._write(uid, entry["data"], deleted=entry["deleted"], history_from=old)
            if incoming:
                self.save()
            return len(incoming)

    def save(self) -> None:
        """Write the .ics atomically. Over a file that was refused, the refused file is first kept beside it as
        `<name>.ics.broken` (so a hand edit with one typo is never lost to the next change made by voice)."""
        with self._lock:
            text = to_text(self.events, self.name)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.problem and self.path.exists():
                backup = self.path.with_name(self.path.name + ".broken")
                shutil.copy2(self.path, backup)
                logger.warning("calendar %s: the refused file is kept as %s", self.name, backup)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
            self._stamp, self.problem = self._file_stamp(), ""

    # -- local edits --------------------------------------------------------------------------------------------
    def live(self) -> dict[str, dict[str, Any]]:
        """uid -> data of the events that are not cancelled."""
        return {uid: dict(e["data"]) for uid, e in self.events.items() if not e["deleted"]}

    def put(self, data: dict[str, Any], uid: str | None = None) -> str:
        """Add or replace an event; returns its UID."""
        uid = uid or f"{uuid.uuid4().hex}@trixy"
        with self._lock:
            self._write(uid, dict(data), deleted=False, history_from=self.events.get(uid))
            self.save()
        return uid

    def delete(self, uid: str) -> bool:
        """Cancel an event (a tombstone that syncs); False when there is no live event with that UID."""
        with self._lock:
            entry = self.events.get(uid)
            if entry is None or entry["deleted"]:
                return False
            self._write(uid, dict(entry["data"]), deleted=True, history_from=entry)
            self.save()
        return True

    def _write(self, uid: str, data: dict[str, Any], *, deleted: bool, history_from: dict[str, Any] | None) -> None:
        history = [*history_from["history"], history_from["rev"]][-64:] if history_from else []
        self.events[uid] = {"data": data, "modified": self.clock(), "rev": uuid.uuid4().hex[:16],
                            "history": history, "deleted": deleted, "hash": data_hash(data)}

    # -- sync ---------------------------------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every event (tombstones included) in the wire form of `trixy_server.sync.Record`."""
        with self._lock:
            return [Record(uid, e["data"], e["modified"], e["rev"], list(e["history"]), e["deleted"]).to_wire()
                    for uid, e in self.events.items()]

    def merge(self, records: list[Any]) -> list[str]:
        """Merge the other side's events (checked first, all or nothing); returns the UIDs that changed here."""
        incoming = [Record.from_wire(item) for item in records]
        changed: list[str] = []
        with self._lock:
            for remote in incoming:
                entry = self.events.get(remote.id)
                if entry is None:
                    keep = remote
                else:
                    local = Record(remote.id, entry["data"], entry["modified"], entry["rev"], list(entry["history"]),
                                   entry["deleted"])
                    keep, _copy = merge_pair(local, remote)  # no conflict copies in a calendar
                if keep is None:
                    continue
                data = dict(keep.data) or dict((entry or {}).get("data") or {})  # tombstones keep their data
                self.events[remote.id] = {"data": data, "modified": keep.modified, "rev": keep.rev,
                                          "history": list(keep.history), "deleted": keep.deleted,
                                          "hash": data_hash(data)}
                changed.append(remote.id)
            if changed:
                self.save()
        return changed
