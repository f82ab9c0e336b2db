"""What a conversation remembers: its turns, and the answer a plugin gets back from `ask()`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

USER = "user"
TRIXY = "trixy"


@dataclass(slots=True)
class Turn:
    """One utterance: the user's text (with the intent NLU found, when it did) or what Trixy said."""

    role: str
    """`"user"` or `"trixy"`."""
    text: str
    intent: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    timestamp: float = field(default_factory=time.time)


@dataclass(slots=True)
class Answer:
    """The user's reply to a question: its text, and the intent when the question asked for one."""

    text: str
    intent: Any = None
    """The `IntentReceived` of the answer when `ask(..., parse_intent=True)`, else None."""
    data: Any = None
    """The raw event data (`TextReceived` or `IntentReceived`)."""
