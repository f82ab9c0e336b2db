"""Short spoken answers that close a conversation (refused command, nothing recorded, no reply in time)."""

from __future__ import annotations

import logging

from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import ConversationError
from trixy_core.events import names
from trixy_core.events.data import SayRequested

logger = logging.getLogger(__name__)

SOURCE = "pipeline"


async def answer_and_close(application: TrixyApplication, text: str, *, conversation_id: str | None, satellite_id: str,
                           reason: str) -> None:
    """Say `text` in the conversation (or straight to the satellite when it is closed) and end it with `reason`."""
    conversations = application.get("conversations")
    conversation = conversations.get(conversation_id) if conversations is not None else None
    try:
        if conversation is not None and conversation.is_open:
            await conversation.say(text, source=SOURCE)
            await conversation.end(reason)
            return
        await application.event_handler.trigger(
            names.SAY, SayRequested(text=text, conversation_id=conversation_id, satellite_id=satellite_id,
                                    source=SOURCE))
    except ConversationError as exc:
        logger.info("conversation %s: could not answer %r: %s", conversation_id, text, exc)
