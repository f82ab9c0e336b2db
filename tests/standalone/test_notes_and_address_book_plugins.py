"""The shipped notes and address-book plugins: their API, bad input, and their voice intents (real plugin manager,
real conversations)."""

from __future__ import annotations

import pytest
from standalone_helpers import build_server, copy_plugins, wait_for

from trixy_core.events.data import IntentReceived


async def test_notes_and_contacts_are_stored_edited_deleted_and_persisted(tmp_path):
    copy_plugins(tmp_path, "notes", "address_book")
    app = build_server(tmp_path)
    async with app:
        notes = app.plugin_manager.get("notes")
        note = notes.add("buy milk", title="shopping")
        notes.edit(note, "buy oat milk")
        gone = notes.add("temporary")
        assert notes.delete(gone) and not notes.delete(gone)
        with pytest.raises(KeyError, match="no note"):
            notes.edit("nope", "x")
        book = app.plugin_manager.get("address_book")
        peter = book.add("Peter Pan", phone="0123")
        book.update(peter, email="peter@example.org")
        with pytest.raises(ValueError, match="unknown contact field"):
            book.add("Wendy", shoe_size="38")
        with pytest.raises(ValueError, match="needs a name"):
            book.add("  ")
        assert [c["id"] for c in book.find("pan")] == [peter]
    assert (tmp_path / "data" / "notes.json").is_file() and (tmp_path / "data" / "address_book.json").is_file()
    again = build_server(tmp_path)
    async with again:
        assert again.plugin_manager.get("notes").notes() == {
            note: {"text": "buy oat milk", "title": "shopping", "conflict_of": ""}}
        assert again.plugin_manager.get("address_book").contacts()[peter] == {
            "name": "Peter Pan", "phone": "0123", "email": "peter@example.org"}


async def test_voice_intents_add_a_note_and_look_up_a_contact(tmp_path):
    copy_plugins(tmp_path, "notes", "address_book")
    app = build_server(tmp_path)
    said: list[str] = []
    async with app:
        app.event_handler.subscribe("say", lambda name, data: said.append(data.text), threaded=False)
        app.plugin_manager.get("address_book").add("Anna", phone="555 1234")
        for intent, slots in (("add_note", {"text": "water the plants"}), ("lookup_contact", {"name": "anna"}),
                              ("read_notes", {})):
            conversation = await app.conversations.open("kitchen")
            await app.event_handler.trigger("intent received", IntentReceived(
                intent=intent, slots=slots, conversation_id=conversation.id, satellite_id="kitchen"))
        await wait_for(lambda: len(said) == 3, 5, "three answers")
    assert said == ["Noted.", "Anna: 555 1234", "You have 1 note. water the plants"]
