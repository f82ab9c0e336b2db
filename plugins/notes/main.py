"""Notes plugin: short notes kept on this Trixy and synced with the server (standalone <-> server).

Data lives in `data_file` (relative to Trixy's root) as `SyncedRecords`; the `sync(remote)` hook merges with the
same plugin on the other side by the documented rule: last writer wins per note, deletions are tombstones, and when
both sides changed one note while apart the older version is kept as a conflict copy (nothing is lost).

Use from other plugins: `notes = application.plugin_manager.get("notes")`, `notes.add("buy milk")`,
`notes.edit(id, "buy oat milk")`, `notes.delete(id)`, `notes.notes()`.
Voice: the intents `add_note` (slot `text`) and `read_notes`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trixy_core.events import TrixyEvent, names
from trixy_core.plugins import TrixyPlugin
from trixy_server.sync import SyncedRecords

logger = logging.getLogger(__name__)


class NotesPlugin(TrixyPlugin):
    """Keeps notes and syncs them."""

    version = "1.0.0"
    description = "Short notes, synced between a standalone and its server."

    def on_load(self) -> None:
        self.store = SyncedRecords(self._data_path(), node=str(getattr(self.application, "mode", "") or "local"))

    def _data_path(self) -> Path:
        path = Path(self.config.get("data_file", "data/notes.json"))
        root = Path(getattr(self.application, "root", "."))
        return path if path.is_absolute() else root / path

    # -- API --------------------------------------------------------------------------------------------------
    def add(self, text: str, title: str = "") -> str:
        """Store a new note; returns its id."""
        return self.store.put({"text": str(text), "title": str(title)})

    def edit(self, note_id: str, text: str, title: str | None = None) -> None:
        """Replace a note's text (and title); KeyError when there is no such note."""
        current = self.store.get(note_id)
        if current is None:
            raise KeyError(f"no note with id {note_id!r}")
        self.store.put({"text": str(text), "title": current.get("title", "") if title is None else str(title)},
                       note_id)

    def delete(self, note_id: str) -> bool:
        """Delete a note (a tombstone travels to the other side); False when there is none."""
        return self.store.delete(note_id)

    def notes(self) -> dict[str, dict[str, Any]]:
        """id -> {"text", "title"} of every note (conflict copies included, marked by `conflict_of`)."""
        result = {}
        for note_id, data in self.store.items().items():
            record = self.store.record(note_id)
            result[note_id] = {**data, "conflict_of": record.conflict_of if record else ""}
        return result

    # -- sync hook --------------------------------------------------------------------------------------------
    async def sync(self, remote: Any) -> dict[str, Any]:
        """TrixyPlugin sync hook: exchange notes with the same plugin on the other side."""
        return await self.store.sync(remote)

    # -- voice ------------------------------------------------------------------------------------------------
    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, data: Any) -> None:
        intent = getattr(data, "intent", "")
        if intent not in (self.config.get("add_intent"), self.config.get("read_intent")):
            return
        conversation = self.application.conversations.get(data.conversation_id)
        if intent == self.config.get("add_intent"):
            text = (data.slots or {}).get("text") or data.text
            self.add(text)
            reply = "Noted."
        else:
            everything = list(self.store.items().values())
            recent = everything[-int(self.config.get("read_last", 3)):]
            count = f"{len(everything)} note" + ("s" if len(everything) != 1 else "")
            reply = ("You have no notes." if not recent else
                     f"You have {count}. " + ". ".join(n["text"] for n in recent))
        if conversation is not None:
            await conversation.say(reply)
            await conversation.end("answered")
