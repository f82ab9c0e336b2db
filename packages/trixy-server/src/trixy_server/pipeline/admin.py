"""`AdminGate`: administrative intents run only after the system-command wake word (the spec's authorisation).

The system-command wake word alone authorises them (spec: "only with the system command wake word you are allowed to
make administration commands"). `pipeline.admin_speakers` is an optional narrowing: empty (the default) adds no
condition; a list admits only the identified speakers it names; `"*"` admits any identified speaker.

Subscribed to `intent received` below the conversation manager's answer routing and above every plugin: a refused
intent is answered ("Sorry, you are not allowed to do that"), the conversation is closed, and the event stops here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_core.events import STOP_PROPAGATION
from trixy_server.pipeline.replies import answer_and_close

logger = logging.getLogger(__name__)

GATE_PRIORITY = 500
"""Below the conversation manager's routing (1000), above plugins (0)."""


class AdminGate:
    """Decides whether an intent may run; `check(...)` is pure, `on_intent` is the event handler."""

    def __init__(self, application: TrixyApplication, admin_intents: Iterable[str], admin_speakers: Iterable[str | int],
                 not_allowed_reply: str) -> None:
        self.application = application
        self.admin_intents = {str(name).casefold() for name in admin_intents}
        self.admin_speakers = {str(name).casefold() for name in admin_speakers}
        self.not_allowed_reply = not_allowed_reply
        self.refused = 0

    def is_administrative(self, intent: str) -> bool:
        """True for intents listed in `pipeline.admin_intents` (case-insensitive)."""
        return str(intent).casefold() in self.admin_intents

    def speaker_allowed(self, speaker_id: int, speaker_name: str) -> bool:
        """True when `pipeline.admin_speakers` is empty (no narrowing) or lists the speaker (by name or id; '*' =
        any identified speaker)."""
        return speaker_allowed(self.admin_speakers, speaker_id, speaker_name)

    def check(self, intent: str, *, system_command: bool, speaker_id: int, speaker_name: str) -> str | None:
        """None when allowed, else why not (for the log)."""
        if not self.is_administrative(intent):
            return None
        if not system_command:
            return "not opened by the system-command wake word"
        if not self.speaker_allowed(speaker_id, speaker_name):
            return f"speaker {speaker_name or 'unknown'!r} (id {speaker_id}) is not in pipeline.admin_speakers"
        return None

    async def on_intent(self, event_name: str, data: Any) -> Any:
        """Stop a refused administrative intent before any plugin sees it."""
        intent = str(getattr(data, "intent", ""))
        if not self.is_administrative(intent):
            return None
        conversations = self.application.get("conversations")
        conversation = conversations.get(getattr(data, "conversation_id", None)) if conversations else None
        system_command = bool(getattr(data, "is_system_command", False)) or bool(
            conversation is not None and conversation.is_system_command)
        speaker_id = conversation.speaker_id if conversation is not None else getattr(data, "speaker_id", -1)
        speaker_name = conversation.speaker_name if conversation is not None else getattr(data, "speaker_name", "")
        why = self.check(intent, system_command=system_command, speaker_id=speaker_id, speaker_name=speaker_name)
        if why is None:
            logger.info("conversation %s: administrative intent %s allowed for %s", data.conversation_id, intent,
                        speaker_name)
            return None
        self.refused += 1
        logger.warning("conversation %s: administrative intent %s refused: %s", data.conversation_id, intent, why)
        await answer_and_close(self.application, self.not_allowed_reply, conversation_id=data.conversation_id,
                               satellite_id=getattr(data, "satellite_id", ""), reason="not allowed")
        return STOP_PROPAGATION


def speaker_allowed(admin_speakers: Iterable[str], speaker_id: int | None, speaker_name: str) -> bool:
    """The allow-list rule alone: empty = everybody (the wake word already authorised), else the speaker must be
    identified and listed by casefolded name or id, or the list holds '*'."""
    allowed = {str(name).casefold() for name in admin_speakers}
    if not allowed:
        return True
    known = speaker_id is not None and int(speaker_id) >= 0 and speaker_name not in ("", "unknown")
    if "*" in allowed:
        return known
    return known and (str(speaker_name).casefold() in allowed or str(speaker_id) in allowed)
