"""PizzaOrder: the spec's dialogue. "Please order a pizza" -> "Ok, what kind of pizza do you want?" ->
"A spicy one" -> "Ok, i will send an order to your local pizza service", all in one conversation.

The question is asked with `conversation.ask(..., parse_intent=True)`: the intents plugin parses the answer with
this plugin's answer-only sentences (`requires_context: asked_by: pizza_order`) and the conversation manager hands
the resulting intent back here. The order goes to `endpoint` (a JSON-lines file, or an http(s) URL).
"""

from __future__ import annotations

import asyncio
import logging
import time

from trixy_core.errors import ConversationTimeout
from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived
from trixy_core.plugins import TrixyPlugin

from .orders import PizzaOrder, send_order

logger = logging.getLogger(__name__)

INTENT = "OrderPizza"
KIND_SLOT = "pizza_kind"


class PizzaOrderPlugin(TrixyPlugin):
    """Orders a pizza, asking for the kind when the first sentence did not name one."""

    version = "1.0.0"
    description = "Orders a pizza (asks for the kind when missing) and sends the order to a configured endpoint."

    def on_load(self) -> None:
        """Nothing to prepare: orders are written when they happen."""
        self.orders_sent = 0

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """Handle `OrderPizza`; ignore every other intent."""
        if event_data.intent != INTENT:
            return
        conversation = self.application.conversations.get(event_data.conversation_id)
        if conversation is None:
            logger.warning("OrderPizza without an open conversation (%s): ignored", event_data.conversation_id)
            return
        kind = event_data.slots.get(KIND_SLOT)
        if not kind:
            question = str(self.config.get("question", "Ok, what kind of pizza do you want?"))
            try:
                answer = await conversation.ask(
                    question, timeout=float(self.config.get("answer_timeout_s", 15.0)), parse_intent=True,
                    owner=self.name,
                )
            except ConversationTimeout:
                await conversation.say(str(self.config.get("no_answer_reply")), source=self.name)
                await conversation.end("no answer")
                return
            reply = answer.intent
            kind = reply.slots.get(KIND_SLOT) if reply is not None and reply.intent == INTENT else None
            if not kind:
                logger.info("conversation %s: %r names no pizza kind", conversation.id, answer.text)
                await conversation.say(str(self.config.get("unknown_kind_reply")), source=self.name)
                await conversation.end("unknown pizza")
                return
        order = PizzaOrder(
            kind=str(kind),
            conversation_id=conversation.id,
            satellite_id=conversation.satellite_id,
            speaker_name=conversation.speaker_name,
            ordered_at=time.time(),
            utterances=conversation.user_texts(),
        )
        await conversation.say(
            str(self.config.get("confirmation", "Ok, i will send an order to your local pizza service")),
            source=self.name,
        )
        where = await asyncio.to_thread(
            send_order, order, str(self.config.get("endpoint", "data/pizza_orders.jsonl")), self.application.root,
            float(self.config.get("endpoint_timeout_s", 5.0)),
        )
        self.orders_sent += 1
        logger.info("conversation %s: %s pizza ordered via %s", conversation.id, order.kind, where)
        await conversation.end("pizza ordered")
