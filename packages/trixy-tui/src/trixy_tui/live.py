"""Live values without polling: the application's events are forwarded into the Textual app as messages.

`EventBridge` subscribes to the events that change what the views show (`training progress`, `satellite *`, ...)
and posts each as a `TrixyEventReceived` message to the app, which hands it to the view on screen
(`TrixyView.live_event`). The handler runs on the event loop (`threaded=False`) and only posts a message, so it never
blocks a dispatch; `post_message` is also safe from other threads.
"""

from __future__ import annotations

import logging
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from trixy_core.events.handler import EventHandler
from trixy_core.events.subscription import Subscription

logger = logging.getLogger(__name__)

OWNER = "trixy-tui"
"""The owner of the TUI's subscriptions (shown in the event history and in handler errors)."""

LIVE_PATTERNS: tuple[str, ...] = (
    "training progress",
    "satellite *",
    "plugin *",
    "schedule *",
    "wakeword received",
    "conversation *",
    "application *",
)
"""Every event pattern some view reacts to (a view picks its own with `TrixyView.LIVE_EVENTS`)."""


class TrixyEventReceived(Message):
    """An application event, forwarded into the Textual app."""

    def __init__(self, event_name: str, data: Any) -> None:
        super().__init__()
        self.event_name = event_name
        """The normalised event name."""
        self.data = data
        """The event data, as the raiser passed it."""


class EventBridge:
    """Subscribes `target` (the app) to the live events of one event handler; `detach()` undoes it."""

    def __init__(self, target: MessagePump, patterns: tuple[str, ...] = LIVE_PATTERNS) -> None:
        self.target = target
        self.patterns = patterns
        self._subscriptions: list[Subscription] = []

    def attach(self, handler: EventHandler) -> None:
        """Start forwarding (once; a second call does nothing)."""
        if self._subscriptions:
            return
        for pattern in self.patterns:
            self._subscriptions.append(handler.subscribe(pattern, self._forward, owner=OWNER, threaded=False))

    def detach(self) -> None:
        """Stop forwarding."""
        for sub in self._subscriptions:
            sub.cancel()
        self._subscriptions.clear()

    @property
    def attached(self) -> bool:
        """Whether events are being forwarded."""
        return bool(self._subscriptions)

    def _forward(self, event_name: str, data: Any) -> None:
        if not self.target.post_message(TrixyEventReceived(event_name, data)):
            logger.debug("TUI closed: %s not forwarded", event_name)
