"""`ConversationManager`: opens conversations, records their turns and routes answers to the asking plugin.

It listens (at a high priority) to `text received`, `intent received` and `say`. An utterance in a conversation with
an open question is handed to the `ask()` that waits for it and stopped there, so no other plugin acts on it. A
conversation without activity for `idle_timeout_s` (and no open question) is ended with reason "idle".
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from trixy_core.conversation.conversation import Conversation
from trixy_core.conversation.turn import TRIXY, USER, Answer, Turn
from trixy_core.events import STOP_PROPAGATION, names
from trixy_core.events.data import ConversationEnded, ConversationStarted, WakewordReceived
from trixy_core.events.handler import EventHandler
from trixy_core.events.subscription import Subscription

logger = logging.getLogger(__name__)

OWNER = "conversation"
ROUTING_PRIORITY = 1000


def new_conversation_id() -> str:
    """A fresh, unique conversation id."""
    return uuid.uuid4().hex[:16]


class ConversationManager:
    """All open conversations by id, plus the most recently ended ones for the TUI."""

    def __init__(
        self,
        event_handler: EventHandler,
        *,
        answer_timeout_s: float = 15.0,
        idle_timeout_s: float = 30.0,
        max_turns: int = 200,
        history_size: int = 50,
        id_factory: Callable[[], str] = new_conversation_id,
    ) -> None:
        self.event_handler = event_handler
        self.answer_timeout_s = answer_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.max_turns = max_turns
        self._id_factory = id_factory
        self._open: dict[str, Conversation] = {}
        self.ended: deque[Conversation] = deque(maxlen=history_size)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._subscriptions: list[Subscription] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe the routing handlers (idempotent)."""
        if self._subscriptions:
            return
        eh = self.event_handler
        self._subscriptions = [
            eh.subscribe(names.TEXT_RECEIVED, self._on_text, priority=ROUTING_PRIORITY, owner=OWNER),
            eh.subscribe(names.INTENT_RECEIVED, self._on_intent, priority=ROUTING_PRIORITY, owner=OWNER),
            eh.subscribe(names.SAY, self._on_say, priority=ROUTING_PRIORITY, owner=OWNER),
        ]

    async def close(self) -> None:
        """End every open conversation ("shutdown"), stop timers and unsubscribe."""
        for conversation_id in list(self._open):
            await self.end(conversation_id, "shutdown")
        for sub in self._subscriptions:
            sub.cancel()
        self._subscriptions = []
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    # -- opening and finding -----------------------------------------------------------------------------------

    async def open(
        self,
        satellite_id: str = "",
        *,
        speaker_id: int = -1,
        speaker_name: str = "",
        wake_word_id: int = 0,
        is_system_command: bool = False,
        conversation_id: str | None = None,
    ) -> Conversation:
        """Open a conversation and raise `conversation started` (not awaited); the id travels with every later event."""
        self.start()
        conversation_id = conversation_id or self._id_factory()
        if conversation_id in self._open:
            return self._open[conversation_id]
        conversation = Conversation(
            self,
            conversation_id,
            satellite_id=satellite_id,
            speaker_id=speaker_id,
            speaker_name=speaker_name,
            wake_word_id=wake_word_id,
            is_system_command=is_system_command,
            max_turns=self.max_turns,
        )
        self._open[conversation_id] = conversation
        self.touch(conversation)
        # not awaited: a slow `conversation started` handler must not delay the caller (the server's wake-word path)
        self.event_handler.emit(
            names.CONVERSATION_STARTED,
            ConversationStarted(
                conversation_id, satellite_id, speaker_id, speaker_name, wake_word_id, is_system_command
            ),
        )
        return conversation

    async def open_for_wakeword(self, data: WakewordReceived) -> Conversation:
        """Open a conversation for a wake word (its id is written back into `data.conversation_id`)."""
        conversation = await self.open(
            data.satellite_id,
            speaker_id=data.speaker_id,
            speaker_name=data.speaker_name,
            wake_word_id=data.wake_word_id,
            is_system_command=data.is_system_command,
            conversation_id=data.conversation_id,
        )
        data.conversation_id = conversation.id
        return conversation

    def get(self, conversation_id: str | None) -> Conversation | None:
        """The open conversation with this id, or None (also for None)."""
        if conversation_id is None:
            return None
        return self._open.get(conversation_id)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._open

    def active(self) -> list[Conversation]:
        """Open conversations, oldest first."""
        return list(self._open.values())

    def for_satellite(self, satellite_id: str) -> Conversation | None:
        """The newest open conversation on a satellite."""
        for conversation in reversed(list(self._open.values())):
            if conversation.satellite_id == satellite_id:
                return conversation
        return None

    async def end(self, conversation_id: str, reason: str = "finished") -> bool:
        """End a conversation; False when it was not open."""
        conversation = self._open.pop(conversation_id, None)
        if conversation is None:
            return False
        timer = self._timers.pop(conversation_id, None)
        if timer is not None:
            timer.cancel()
        conversation.ended_at = time.time()
        conversation.end_reason = reason
        conversation._cancel_question(reason)
        self.ended.append(conversation)
        data = ConversationEnded(
            conversation_id, conversation.satellite_id, reason, conversation.duration_s, len(conversation.turns)
        )
        if not self.event_handler.closed:
            await self.event_handler.trigger(names.CONVERSATION_ENDED, data)
        return True

    # -- idle timer --------------------------------------------------------------------------------------------

    def touch(self, conversation: Conversation) -> None:
        """Note activity: restart the idle timer (not while a question is open; `ask` has its own timeout)."""
        conversation.last_activity = time.monotonic()
        old = self._timers.pop(conversation.id, None)
        if old is not None:
            old.cancel()
        if conversation.waiting_for_answer or not conversation.is_open:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timers[conversation.id] = loop.call_later(self.idle_timeout_s, self._idle_expired, conversation.id)

    def pause_idle_timer(self, conversation: Conversation) -> None:
        """Stop the idle timer while a question waits."""
        old = self._timers.pop(conversation.id, None)
        if old is not None:
            old.cancel()

    def _idle_expired(self, conversation_id: str) -> None:
        self._timers.pop(conversation_id, None)
        conversation = self._open.get(conversation_id)
        if conversation is None or conversation.waiting_for_answer:
            return
        task = asyncio.get_running_loop().create_task(self.end(conversation_id, "idle"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- routing handlers --------------------------------------------------------------------------------------

    async def _on_text(self, event_name: str, data: Any) -> Any:
        conversation = self.get(getattr(data, "conversation_id", None))
        if conversation is None:
            return None
        text = str(getattr(data, "text", ""))
        conversation.turns.append(Turn(USER, text, source=str(getattr(data, "source", ""))))
        self.touch(conversation)
        question = conversation.question
        if question is not None and not question.parse_intent:
            conversation._resolve(Answer(text=text, intent=None, data=data))
            return STOP_PROPAGATION
        return None

    async def _on_intent(self, event_name: str, data: Any) -> Any:
        conversation = self.get(getattr(data, "conversation_id", None))
        if conversation is None:
            return None
        if conversation.is_system_command and hasattr(data, "is_system_command"):
            data.is_system_command = True
        intent_name = getattr(data, "intent", None)
        for turn in reversed(conversation.turns):
            if turn.role == USER:
                if turn.intent is None and turn.text == getattr(data, "text", turn.text):
                    turn.intent = intent_name
                    turn.slots = dict(getattr(data, "slots", {}) or {})
                break
        self.touch(conversation)
        question = conversation.question
        if question is not None and question.parse_intent:
            conversation._resolve(Answer(text=str(getattr(data, "text", "")), intent=data, data=data))
            return STOP_PROPAGATION
        return None

    async def _on_say(self, event_name: str, data: Any) -> None:
        conversation = self.get(getattr(data, "conversation_id", None))
        if conversation is None:
            return
        conversation.turns.append(Turn(TRIXY, str(getattr(data, "text", "")), source=str(getattr(data, "source", ""))))
        if not conversation.waiting_for_answer:
            self.touch(conversation)
