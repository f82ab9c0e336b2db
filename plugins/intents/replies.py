"""Short spoken answers that close a conversation (used when nothing was understood or a plugin failed)."""

from __future__ import annotations

import logging

from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import ConversationError
from trixy_core.events import names
from trixy_core.events.data import SayRequested

logger = logging.getLogger(__name__)


async def reply_and_close(
    application: TrixyApplication, text: str, *, conversation_id: str | None, satellite_id: str, reason: str, source: str
) -> None:
    """Say `text` (in the conversation when it is open, else straight to the satellite) and end the conversation."""
    conversations = application.get("conversations")
    conversation = conversations.get(conversation_id) if conversations is not None else None
    try:
        if conversation is not None and conversation.is_open:
            await conversation.say(text, source=source)
            await conversation.end(reason)
            return
        await application.event_handler.trigger(
            names.SAY, SayRequested(text=text, conversation_id=conversation_id, satellite_id=satellite_id, source=source)
        )
    except ConversationError as exc:  # ended meanwhile (timeout, satellite gone): nothing left to close
        logger.info("conversation %s: could not reply %r: %s", conversation_id, text, exc)
