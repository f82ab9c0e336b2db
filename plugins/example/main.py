"""Example plugin: a documented template. Copy this folder to `plugins/<your name>/` and edit.

What it shows:
- a class extending `TrixyPlugin` (exactly one per main.py),
- handlers subscribed with `@TrixyEvent([...])`, taking `(self, event_name, event_data)`,
- `raises_events`: the events the plugin raises itself (the declared-events contract; a subscription to a name
  nobody declares is logged as a warning with the closest declared name),
- a relative import of a sibling module (`from .replies import ...`): the folder is imported as a package,
- reading `self.config` (from config.json) and reaching other components through `self.application`,
- asking a question inside a conversation and awaiting the answer.
"""

from __future__ import annotations

import logging

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, SatelliteConnected
from trixy_core.plugins import TrixyPlugin

from .replies import greeting_for

logger = logging.getLogger(__name__)


class ExamplePlugin(TrixyPlugin):
    """Greets satellites that connect and answers the "hello" intent (with a follow-up question)."""

    version = "1.0.0"
    description = "Template plugin: greets satellites and answers the hello intent."
    raises_events = ()
    """Nothing raised directly: `conversation.say()` raises the core's `say` event."""

    def on_load(self) -> None:
        """Runs when the plugin starts taking part (loaded while enabled, or enabled later)."""
        self.greeted = 0
        logger.info("example plugin ready, greeting %r", self.config.get("greeting"))

    def on_unload(self) -> None:
        """Runs when the plugin stops taking part: release what on_load took."""
        logger.info("example plugin stopped after %d greetings", self.greeted)

    @TrixyEvent([names.SATELLITE_CONNECTED])
    def on_satellite_connected(self, event_name: str, event_data: SatelliteConnected) -> None:
        """A plain (sync) handler: it runs in a worker thread, so it may block briefly."""
        self.greeted += 1
        logger.info("%s", greeting_for(self.config.get("greeting", "Hello"), event_data.room or event_data.satellite_id))

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """An async handler: it runs on the event loop and may await a conversation's answer."""
        if event_data.intent != self.config.get("intent", "hello"):
            return
        conversation = self.application.conversations.get(event_data.conversation_id)
        if conversation is None:
            return
        if not self.config.get("ask_name", True):
            await conversation.say(self.config.get("greeting", "Hello"))
            await conversation.end("answered")
            return
        answer = await conversation.ask("Hello! What is your name?", timeout=float(self.config.get("timeout_s", 10.0)))
        await conversation.say(greeting_for(self.config.get("greeting", "Hello"), answer.text))
        await conversation.end("answered")
