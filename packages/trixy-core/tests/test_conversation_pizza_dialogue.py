"""The spec's pizza dialogue at the event level: text in, text out, one wake word, one conversation id."""

from __future__ import annotations

import asyncio
import re

import pytest

from trixy_core.application import create_application
from trixy_core.errors import ConversationError, ConversationTimeout
from trixy_core.events import names
from trixy_core.events.data import IntentReceived, SayRequested, TextReceived, WakewordReceived

NLU_PLUGIN = """
import re
from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived
from trixy_core.plugins import TrixyPlugin

class TinyNlu(TrixyPlugin):
    @TrixyEvent([names.TEXT_RECEIVED])
    async def on_text(self, event_name, data):
        text = data.text.lower()
        if "pizza" in text:
            m = re.search(r"(spicy|spicey|cheese|veggie)", text)
            slots = {"kind": m.group(1)} if m else {}
            intent = IntentReceived("order_pizza", slots, data.text, data.conversation_id, data.satellite_id)
        else:
            intent = IntentReceived("unknown", {}, data.text, data.conversation_id, data.satellite_id)
        await self.trigger(names.INTENT_RECEIVED, intent)
"""

PIZZA_PLUGIN = """
from trixy_core.events import TrixyEvent, names
from trixy_core.plugins import TrixyPlugin

ORDERS = []

class PizzaOrder(TrixyPlugin):
    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name, data):
        if data.intent != "order_pizza":
            return
        conversation = self.application.conversations.get(data.conversation_id)
        kind = data.slots.get("kind")
        if kind is None:
            answer = await conversation.ask("Ok, what kind of pizza do you want?", timeout=self.config["timeout_s"], owner=self.name)
            kind = answer.text.lower().replace("a ", "").replace(" one", "").strip()
        ORDERS.append((data.conversation_id, kind, [t.text for t in conversation.turns]))
        await conversation.say("Ok, i will send an order to your local pizza service", source=self.name)
        await conversation.end("done")
"""

UNKNOWN_PLUGIN = """
from trixy_core.events import TrixyEvent, names
from trixy_core.plugins import TrixyPlugin

SEEN = []

class Fallback(TrixyPlugin):
    @TrixyEvent([names.INTENT_RECEIVED])
    def on_intent(self, event_name, data):
        if data.intent == "unknown":
            SEEN.append(data.text)
"""


@pytest.fixture
async def app(tmp_path, plugin_folders):
    plugin_folders.write("nlu", NLU_PLUGIN)
    plugin_folders.write("pizza", PIZZA_PLUGIN, {"enabled": True, "timeout_s": 2.0})
    plugin_folders.write("fallback", UNKNOWN_PLUGIN)
    application = create_application(
        "standalone",
        root=tmp_path,
        overrides=["paths.plugins=" + str(plugin_folders.root), "conversation.idle_timeout_s=5"],
        setup_logging=False,
    )
    await application.start()
    yield application
    await application.stop()


def spoken(app) -> list[SayRequested]:
    return [r for r in app.event_handler.history.recent() if r.name == names.SAY]


async def test_pizza_dialogue_keeps_one_conversation_and_routes_the_answer_to_the_asker(app):
    said: list[SayRequested] = []
    app.event_handler.subscribe(names.SAY, lambda n, d: said.append(d), threaded=False)
    wake = WakewordReceived(satellite_id="kitchen", speaker_name="Johannes")
    conversation = await app.conversations.open_for_wakeword(wake)
    cid = conversation.id
    assert wake.conversation_id == cid

    first = app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("Please order a pizza", cid, "kitchen"))
    # the plugin asks; the question is a `say` event in the same conversation that expects an answer
    for _ in range(200):
        if said:
            break
        await asyncio.sleep(0.005)
    assert said[0].text == "Ok, what kind of pizza do you want?"
    assert said[0].conversation_id == cid and said[0].expect_answer and said[0].satellite_id == "kitchen"

    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("A spicey one", cid, "kitchen"))
    await first
    await app.event_handler.drain(2)

    pizza = __import__("sys").modules["trixy_plugins.pizza.main"]
    fallback = __import__("sys").modules["trixy_plugins.fallback.main"]
    assert pizza.ORDERS == [(cid, "spicey", ["Please order a pizza", "Ok, what kind of pizza do you want?", "A spicey one"])]
    assert [s.text for s in said] == [
        "Ok, what kind of pizza do you want?",
        "Ok, i will send an order to your local pizza service",
    ]
    assert all(s.conversation_id == cid for s in said)
    # the answer went only to the asker: neither NLU nor the fallback saw "A spicey one"
    assert fallback.SEEN == []
    assert cid not in app.conversations and app.conversations.ended[-1].end_reason == "done"
    ended = [r for r in app.event_handler.history.recent() if r.name == names.CONVERSATION_ENDED]
    assert ended and ended[-1].conversation_id == cid


async def test_pizza_with_kind_in_first_sentence_needs_no_question(app):
    conversation = await app.conversations.open("livingroom")
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("order a cheese pizza", conversation.id))
    await app.event_handler.drain(2)
    pizza = __import__("sys").modules["trixy_plugins.pizza.main"]
    assert pizza.ORDERS[-1][1] == "cheese"
    assert [(t.role, t.text) for t in conversation.turns] == [
        ("user", "order a cheese pizza"),
        ("trixy", "Ok, i will send an order to your local pizza service"),
    ]
    assert len(spoken(app)) == 1


async def test_ask_times_out_cleanly_and_the_conversation_stays_usable(app):
    conversation = await app.conversations.open("office")
    with pytest.raises(ConversationTimeout, match="no answer"):
        await conversation.ask("Anyone there?", timeout=0.05)
    assert not conversation.waiting_for_answer and conversation.is_open
    # a later utterance is ordinary input again (reaches NLU and the fallback)
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("hello", conversation.id))
    await app.event_handler.drain(2)
    fallback = __import__("sys").modules["trixy_plugins.fallback.main"]
    assert fallback.SEEN == ["hello"]
    await conversation.end()


async def test_ask_with_parse_intent_returns_the_intent_of_the_answer(app):
    conversation = await app.conversations.open("office", is_system_command=True)
    task = asyncio.create_task(conversation.ask("Which pizza?", timeout=2, parse_intent=True))
    await asyncio.sleep(0.01)
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived("a veggie pizza", conversation.id))
    answer = await task
    assert isinstance(answer.intent, IntentReceived)
    assert answer.intent.slots == {"kind": "veggie"} and answer.intent.is_system_command
    assert [t.intent for t in conversation.turns if t.role == "user"] == ["order_pizza"]
    pizza = __import__("sys").modules["trixy_plugins.pizza.main"]
    assert all(order[0] != conversation.id for order in pizza.ORDERS)  # routed to the asker only


async def test_ending_a_conversation_releases_a_waiting_question(app):
    conversation = await app.conversations.open("hall")
    task = asyncio.create_task(conversation.ask("Still there?", timeout=5))
    await asyncio.sleep(0.01)
    await conversation.end("aborted")
    with pytest.raises(ConversationError, match="ended"):
        await task
    with pytest.raises(ConversationError):
        await conversation.say("too late")


async def test_idle_conversation_is_closed(tmp_path):
    application = create_application(
        "server", root=tmp_path, overrides=["conversation.idle_timeout_s=0.1"], setup_logging=False
    )
    async with application:
        conversation = await application.conversations.open("garage")
        for _ in range(100):
            if not conversation.is_open:
                break
            await asyncio.sleep(0.01)
        assert conversation.end_reason == "idle"
        assert re.fullmatch(r"[0-9a-f]{16}", conversation.id)
