"""`SyncedRecords`: a plugin's syncable data as records, merged between a standalone and its server.

Conflict rule (documented in docs/standalone.md):
* Every write gives the record a new revision id and appends the old one to its history, so either side can tell
  whether the other side's version already contains its own (then the newer one is taken as it is).
* Both sides changed the same record while apart (neither version contains the other):
  - edit vs edit with different data: the last writer (later `modified`, ties broken by revision id) wins the record;
    the other version is kept as a conflict copy (`<id>~<rev>`, `conflict_of` = id), so nothing is lost;
  - delete vs edit: the edit wins (a deletion never destroys a change the deleting side had not seen);
  - delete vs delete: stays deleted.
  The merged version gets a revision derived from both (the same on both sides), so the sides converge.
* Deletions are tombstones (record kept with `deleted = true` and no data), so they travel like edits.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic
from trixy_server.errors import SyncError

HISTORY_LIMIT = 64


@dataclass(slots=True)
class Record:
    """One record: its data, when and by whom it was last written, and its revision history."""

    id: str
    data: dict[str, Any]
    modified: float
    rev: str
    history: list[str] = field(default_factory=list)
    deleted: bool = False
    origin: str = ""
    conflict_of: str = ""
    seq: int = 0

    def to_wire(self) -> dict[str, Any]:
        """Plain values for the sync payload and the JSON file."""
        return {"id": self.id, "data": self.data, "modified": self.modified, "rev": self.rev,
                "history": list(self.history), "deleted": self.deleted, "origin": self.origin,
                "conflict_of": self.conflict_of}

    @classmethod
    def from_wire(cls, value: Any) -> Record:
        """Check and build a record from plain values; `SyncError` naming the problem."""
        if not isinstance(value, dict):
            raise SyncError(f"a record must be an object, got {type(value).__name__}")
        try:
            record = cls(id=str(value["id"]), data=dict(value.get("data") or {}), modified=float(value["modified"]),
                         rev=str(value["rev"]), history=[str(r) for r in value.get("history") or []],
                         deleted=bool(value.get("deleted", False)), origin=str(value.get("origin", "")),
                         conflict_of=str(value.get("conflict_of", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(f"malformed record {value.get('id', '?')!r}: {exc}") from exc
        if not record.id or not record.rev:
            raise SyncError("a record needs a non-empty id and rev")
        return record


@dataclass(slots=True)
class MergeReport:
    """What a merge changed: ids taken or merged, and the conflict copies created."""

    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _merged_rev(a: str, b: str) -> str:
    return "m" + hashlib.sha256("\0".join(sorted((a, b))).encode()).hexdigest()[:15]


def _history(*parts: list[str] | str) -> list[str]:
    out: list[str] = []
    for part in parts:
        for rev in [part] if isinstance(part, str) else part:
            if rev not in out:
                out.append(rev)
    return out[-HISTORY_LIMIT:]


def merge_pair(local: Record, remote: Record) -> tuple[Record | None, Record | None]:
    """(the record to keep, or None when `local` stays; a conflict copy, or None). Pure and symmetric."""
    if local.rev == remote.rev or remote.rev in local.history:
        return None, None
    if local.rev in remote.history:
        return remote, None
    rev = _merged_rev(local.rev, remote.rev)
    first, second = sorted((local, remote), key=lambda r: r.rev)  # same order on both sides: same result
    history = _history(first.history, second.history, first.rev, second.rev)
    modified = max(local.modified, remote.modified)
    if local.deleted and remote.deleted:
        return Record(local.id, {}, modified, rev, history, True, "merge"), None
    if local.deleted or remote.deleted:
        edit = remote if local.deleted else local
        return Record(local.id, dict(edit.data), modified, rev, history, False, "merge", edit.conflict_of), None
    if local.data == remote.data:
        return Record(local.id, dict(first.data), modified, rev, history, False, "merge", first.conflict_of), None
    winner, loser = sorted((local, remote), key=lambda r: (r.modified, r.rev), reverse=True)
    copy = Record(f"{local.id}~{loser.rev[:8]}", dict(loser.data), loser.modified,
                  "c" + hashlib.sha256(loser.rev.encode()).hexdigest()[:15], [], False, loser.origin, local.id)
    return Record(local.id, dict(winner.data), modified, rev, history, False, "merge", winner.conflict_of), copy


class SyncedRecords:
    """Records in one JSON file (atomic writes); `sync(peer)` exchanges changes with the other side."""

    def __init__(self, path: Path, node: str = "", clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.node = node or "local"
        self.clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, Record] = {}
        self.seq = 0
        self.peers: dict[str, dict[str, int]] = {}
        self.load()

    # -- file ---------------------------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the file (a missing file is an empty store; a broken one raises and is left untouched)."""
        if not self.path.exists():
            return
        try:
            raw = read_json(self.path)
        except (JsonFileError, OSError) as exc:
            raise SyncError(f"{self.path}: cannot read synced records ({exc}); fix or move the file") from exc
        with self._lock:
            self.seq = int(raw.get("seq", 0))
            self.peers = {str(k): dict(v) for k, v in (raw.get("peers") or {}).items()}
            self._records = {}
            for item in raw.get("records", []):
                record = Record.from_wire(item)
                record.seq = int(item.get("seq", 0))
                self._records[record.id] = record

    def save(self) -> None:
        """Write the file atomically."""
        with self._lock:
            data = {"seq": self.seq, "peers": self.peers,
                    "records": [{**r.to_wire(), "seq": r.seq} for r in self._records.values()]}
        write_json_atomic(self.path, data)

    # -- local use ----------------------------------------------------------------------------------------------
    def get(self, record_id: str) -> dict[str, Any] | None:
        """The data of a live record, or None (deleted or unknown)."""
        record = self._records.get(record_id)
        return None if record is None or record.deleted else dict(record.data)

    def items(self) -> dict[str, dict[str, Any]]:
        """id -> data of every live record."""
        with self._lock:
            return {r.id: dict(r.data) for r in self._records.values() if not r.deleted}

    def record(self, record_id: str) -> Record | None:
        """The full record (tombstones included)."""
        return self._records.get(record_id)

    def put(self, data: dict[str, Any], record_id: str | None = None) -> str:
        """Create or replace a record's data; returns its id."""
        return self._write(record_id or uuid.uuid4().hex[:12], dict(data), deleted=False)

    def delete(self, record_id: str) -> bool:
        """Delete (leaves a tombstone); False when there is no live record with that id."""
        if self.get(record_id) is None:
            return False
        self._write(record_id, {}, deleted=True)
        return True

    def _write(self, record_id: str, data: dict[str, Any], *, deleted: bool) -> str:
        with self._lock:
            old = self._records.get(record_id)
            history = _history(old.history, old.rev) if old else []
            self.seq += 1
            self._records[record_id] = Record(record_id, data, self.clock(), uuid.uuid4().hex[:16], history,
                                              deleted, self.node, old.conflict_of if old else "", self.seq)
        self.save()
        return record_id

    # -- sync ---------------------------------------------------------------------------------------------------
    def changes_since(self, seq: int) -> list[dict[str, Any]]:
        """Records written or merged after local sequence number `seq` (wire form)."""
        with self._lock:
            return [r.to_wire() for r in self._records.values() if r.seq > seq]

    def merge(self, records: list[Any]) -> MergeReport:
        """Merge the other side's records by the conflict rule; saves when anything changed."""
        incoming = [Record.from_wire(item) for item in records]  # all checked before anything changes
        report = MergeReport()
        with self._lock:
            for remote in incoming:
                local = self._records.get(remote.id)
                if local is None:
                    keep, copy = remote, None
                else:
                    keep, copy = merge_pair(local, remote)
                for new in (keep, copy):
                    if new is None or (new is copy and new.id in self._records):
                        continue
                    self.seq += 1
                    new.seq = self.seq
                    self._records[new.id] = new
                    (report.conflicts if new is copy else report.changed).append(new.id)
        if report.changed or report.conflicts:
            self.save()
        return report

    async def sync(self, peer: Any) -> dict[str, Any]:
        """Run one exchange with `peer` (see `trixy_server.sync.peers`): client side sends, server side answers."""
        if peer.role == "server":
            request = peer.request
            report = self.merge(list(request.get("records") or []))
            cursor = int(request.get("cursor") or 0)
            return {"records": self.changes_since(cursor), "cursor": self.seq, "merged": len(report.changed),
                    "conflicts": report.conflicts}
        state = self.peers.setdefault(peer.name, {"cursor": 0, "pushed": 0})
        sent_at = self.seq
        reply = await peer.exchange({"cursor": state["cursor"], "records": self.changes_since(state["pushed"])})
        report = self.merge(list(reply.get("records") or []))
        state["cursor"] = int(reply.get("cursor") or 0)
        state["pushed"] = sent_at
        self.save()
        return {"sent": "ok", "received": len(report.changed), "conflicts": report.conflicts + list(
            reply.get("conflicts") or [])}
