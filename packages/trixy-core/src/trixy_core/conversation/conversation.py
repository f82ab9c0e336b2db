"""`Conversation`: one exchange opened by a wake word; plugins `say()` and `ask()` inside it."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from trixy_core.conversation.turn import Answer, Turn
from trixy_core.errors import ConversationError, ConversationTimeout
from trixy_core.events import names
from trixy_core.events.data import SayRequested

if TYPE_CHECKING:
    from trixy_core.events.handler import EventHandler


class ConversationHost(Protocol):
    """What a conversation needs of the manager that owns it (`ConversationManager` fits): the manager imports this
    module, so this module names the manager's part it uses instead of importing it back."""

    event_handler: EventHandler
    answer_timeout_s: float

    def pause_idle_timer(self, conversation: Conversation) -> None:
        """Stop the idle timer while a question waits for its answer."""
        ...

    def touch(self, conversation: Conversation) -> None:
        """Restart the idle timer (something happened in the conversation)."""
        ...

    async def end(self, conversation_id: str, reason: str = "finished") -> bool:
        """End the conversation (raises `conversation ended`)."""
        ...


@dataclass(slots=True)
class PendingQuestion:
    """A question waiting for the next utterance of its conversation."""

    question: str
    future: asyncio.Future[Answer]
    parse_intent: bool
    owner: str


class Conversation:
    """State of one conversation: who, where, the turns so far and at most one open question."""

    def __init__(
        self,
        manager: ConversationHost,
        conversation_id: str,
        *,
        satellite_id: str = "",
        speaker_id: int = -1,
        speaker_name: str = "",
        wake_word_id: int = 0,
        is_system_command: bool = False,
        max_turns: int = 200,
    ) -> None:
        self._manager = manager
        self.id = conversation_id
        self.satellite_id = satellite_id
        self.speaker_id = speaker_id
        self.speaker_name = speaker_name
        self.wake_word_id = wake_word_id
        self.is_system_command = is_system_command
        self.started_at = time.time()
        self.last_activity = time.monotonic()
        self.ended_at: float | None = None
        self.end_reason = ""
        self.turns: deque[Turn] = deque(maxlen=max_turns)
        self.data: dict[str, Any] = {}
        """Free space for plugins to keep state across turns (e.g. the pizza order being built)."""
        self._question: PendingQuestion | None = None

    # -- state -------------------------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True until the conversation ends."""
        return self.ended_at is None

    @property
    def waiting_for_answer(self) -> bool:
        """True while a question is open."""
        return self._question is not None

    @property
    def question(self) -> PendingQuestion | None:
        """The open question, if any."""
        return self._question

    @property
    def duration_s(self) -> float:
        """Seconds from start to end (or to now while open)."""
        return (self.ended_at or time.time()) - self.started_at

    def user_texts(self) -> list[str]:
        """The user's utterances so far, oldest first."""
        return [t.text for t in self.turns if t.role == "user"]

    # -- speaking ----------------------------------------------------------------------------------------------

    async def say(self, text: str, *, expect_answer: bool = False, source: str = "") -> None:
        """Raise a `say` event for this conversation (a TTS plugin speaks it) and wait until it was handled."""
        if not self.is_open:
            raise ConversationError(f"conversation {self.id} has ended ({self.end_reason}); cannot say {text!r}")
        data = SayRequested(
            text=text,
            conversation_id=self.id,
            satellite_id=self.satellite_id,
            expect_answer=expect_answer,
            source=source,
        )
        await self._manager.event_handler.trigger(names.SAY, data)

    async def ask(
        self,
        question: str,
        timeout: float | None = None,  # noqa: ASYNC109 - the documented plugin API takes a timeout
        *,
        parse_intent: bool = False,
        owner: str = "",
    ) -> Answer:
        """Say `question` and wait for the user's next utterance in this conversation.

        The answer goes only to the caller (other handlers do not see that utterance). With `parse_intent=True`
        the NLU plugin still sees the text and the answer carries its intent. Raises `ConversationTimeout` after
        `timeout` seconds (default: the config's answer timeout); the conversation stays open.
        """
        if not self.is_open:
            raise ConversationError(f"conversation {self.id} has ended ({self.end_reason}); cannot ask {question!r}")
        if self._question is not None:
            raise ConversationError(
                f"conversation {self.id} already waits for an answer to {self._question.question!r}"
            )
        wait_s = self._manager.answer_timeout_s if timeout is None else timeout
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._question = PendingQuestion(question, future, parse_intent, owner)
        self._manager.pause_idle_timer(self)
        try:
            await self.say(question, expect_answer=True, source=owner)
            try:
                return await asyncio.wait_for(future, wait_s)
            except TimeoutError:
                raise ConversationTimeout(
                    f"conversation {self.id}: no answer to {question!r} within {wait_s:g} s"
                ) from None
        finally:
            self._question = None
            if not future.done():
                future.cancel()
            if self.is_open:
                self._manager.touch(self)

    def _resolve(self, answer: Answer) -> bool:
        question = self._question
        if question is None or question.future.done():
            return False
        question.future.set_result(answer)
        return True

    def _cancel_question(self, reason: str) -> None:
        question = self._question
        if question is not None and not question.future.done():
            question.future.set_exception(ConversationError(f"conversation {self.id} ended ({reason})"))

    async def end(self, reason: str = "finished") -> None:
        """Close the conversation (raises `conversation ended`); a waiting `ask()` gets a `ConversationError`."""
        await self._manager.end(self.id, reason)

    def __repr__(self) -> str:
        state = "open" if self.is_open else f"ended: {self.end_reason}"
        return f"<Conversation {self.id} satellite={self.satellite_id!r} turns={len(self.turns)} {state}>"
