"""Conversations: state across turns, `say`/`ask` for plugins, and routing of answers to the asker."""

from trixy_core.conversation.conversation import Conversation, PendingQuestion
from trixy_core.conversation.manager import ConversationManager, new_conversation_id
from trixy_core.conversation.turn import TRIXY, USER, Answer, Turn

__all__ = [
    "TRIXY",
    "USER",
    "Answer",
    "Conversation",
    "ConversationManager",
    "PendingQuestion",
    "Turn",
    "new_conversation_id",
]
