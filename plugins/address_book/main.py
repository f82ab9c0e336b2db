"""Address-book plugin: contacts (name, phone, email, address) synced between a standalone and its server.

Same data model and conflict rule as the notes plugin (`SyncedRecords`: last writer wins per contact, tombstones for
deletions, conflict copies when both sides changed a contact while apart).

Use: `book = application.plugin_manager.get("address_book")`, `book.add("Peter", phone="0123")`,
`book.update(id, phone="0456")`, `book.delete(id)`, `book.find("pet")`. Voice: intent `lookup_contact` (slot `name`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trixy_core.events import TrixyEvent, names
from trixy_core.plugins import TrixyPlugin
from trixy_server.sync import SyncedRecords

logger = logging.getLogger(__name__)

FIELDS = ("name", "phone", "email", "address", "notes")


class AddressBookPlugin(TrixyPlugin):
    """Keeps contacts and syncs them."""

    version = "1.0.0"
    description = "Contacts, synced between a standalone and its server."

    def on_load(self) -> None:
        path = Path(self.config.get("data_file", "data/address_book.json"))
        root = Path(getattr(self.application, "root", "."))
        self.store = SyncedRecords(path if path.is_absolute() else root / path,
                                   node=str(getattr(self.application, "mode", "") or "local"))

    @staticmethod
    def _clean(values: dict[str, Any]) -> dict[str, str]:
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown contact field(s) {sorted(unknown)}; use {', '.join(FIELDS)}")
        return {k: str(v) for k, v in values.items()}

    def add(self, name: str, **fields: Any) -> str:
        """Store a new contact; returns its id."""
        if not str(name).strip():
            raise ValueError("a contact needs a name")
        return self.store.put(self._clean({"name": name, **fields}))

    def update(self, contact_id: str, **fields: Any) -> None:
        """Change some fields of a contact; KeyError when there is none."""
        current = self.store.get(contact_id)
        if current is None:
            raise KeyError(f"no contact with id {contact_id!r}")
        self.store.put({**current, **self._clean(fields)}, contact_id)

    def delete(self, contact_id: str) -> bool:
        """Delete a contact (a tombstone travels to the other side)."""
        return self.store.delete(contact_id)

    def contacts(self) -> dict[str, dict[str, Any]]:
        """id -> fields of every contact."""
        return self.store.items()

    def find(self, text: str) -> list[dict[str, Any]]:
        """Contacts whose name contains `text` (case-insensitive)."""
        needle = text.lower()
        return [{"id": i, **c} for i, c in self.store.items().items() if needle in c.get("name", "").lower()]

    async def sync(self, remote: Any) -> dict[str, Any]:
        """TrixyPlugin sync hook: exchange contacts with the same plugin on the other side."""
        return await self.store.sync(remote)

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, data: Any) -> None:
        if getattr(data, "intent", "") != self.config.get("lookup_intent"):
            return
        name = (data.slots or {}).get("name") or ""
        found = self.find(name) if name else []
        reply = (f"{found[0]['name']}: {found[0].get('phone') or 'no phone number'}" if found
                 else f"I have no contact called {name or 'that'}.")
        conversation = self.application.conversations.get(data.conversation_id)
        if conversation is not None:
            await conversation.say(reply)
            await conversation.end("answered")
