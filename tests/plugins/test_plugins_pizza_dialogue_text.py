"""The shipped plugins in a real Application: the spec's pizza dialogue and the failure paths, from text."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from trixy_core.events import names
from trixy_core.events.data import TextReceived

QUESTION = "Ok, what kind of pizza do you want?"
CONFIRMATION = "Ok, i will send an order to your local pizza service"


def orders(app) -> list[dict]:
    path = app.root / "data" / "pizza_orders.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def say_text(app, text: str, conversation_id: str, satellite: str = "kitchen") -> None:
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived(text, conversation_id, satellite))


async def test_pizza_dialogue_asks_for_the_kind_and_sends_the_order_in_one_conversation(app, recorder):
    conversation = await app.conversations.open("kitchen", speaker_name="Johannes")
    cid = conversation.id
    await say_text(app, "Please order a pizza", cid)
    question = await recorder.wait_for(names.TTS_RECEIVED)
    assert question[0].text == QUESTION and question[0].expect_answer
    assert question[0].conversation_id == cid and question[0].satellite_id == "kitchen"
    assert question[0].sample_rate == 16000 and len(question[0].pcm) > 16000  # > 0.5 s of speech

    await say_text(app, "A spicy one", cid)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    said = [d.text for d in recorder.of(names.TTS_RECEIVED)]
    assert said == [QUESTION, CONFIRMATION]
    [order] = orders(app)
    assert order["kind"] == "spicy" and order["conversation_id"] == cid and order["satellite_id"] == "kitchen"
    assert order["utterances"] == ["Please order a pizza", "A spicy one"]
    intents = recorder.of(names.INTENT_RECEIVED)
    assert [(i.intent, i.slots) for i in intents] == [("OrderPizza", {}), ("OrderPizza", {"pizza_kind": "spicy"})]
    assert {d.conversation_id for n, d in recorder.order} == {cid}
    assert app.conversations.ended[-1].end_reason == "pizza ordered"


async def test_kind_in_the_first_sentence_orders_without_a_question(app, recorder):
    conversation = await app.conversations.open("office")
    await say_text(app, "could you order me a pepperoni pizza please", conversation.id, "office")
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == [CONFIRMATION]
    assert [o["kind"] for o in orders(app)] == ["pepperoni"]


async def test_answer_that_names_no_pizza_orders_nothing_and_says_so(app, recorder):
    conversation = await app.conversations.open("kitchen")
    await say_text(app, "order a pizza", conversation.id)
    await recorder.wait_for(names.TTS_RECEIVED)
    await say_text(app, "the weather is nice", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert recorder.of(names.TTS_RECEIVED)[-1].text.startswith("Sorry, I don't know that pizza")
    assert orders(app) == []
    assert app.conversations.ended[-1].end_reason == "unknown pizza"


async def test_unknown_text_gets_a_short_answer_and_the_conversation_is_closed(app, recorder):
    conversation = await app.conversations.open("kitchen")
    await say_text(app, "sing me the song of the volga boatmen", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == ["Sorry, I didn't catch that"]
    assert recorder.of(names.INTENT_RECEIVED) == []
    assert app.conversations.ended[-1].end_reason == "not understood"


async def test_cancel_while_a_question_is_open_closes_quietly(app, recorder):
    conversation = await app.conversations.open("kitchen")
    await say_text(app, "order a pizza", conversation.id)
    await recorder.wait_for(names.TTS_RECEIVED)
    await say_text(app, "never mind", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    await app.event_handler.drain(2)
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == [QUESTION, "Okay"]
    assert orders(app) == []


async def test_plugin_that_raises_gets_that_didnt_work_and_the_conversation_closes(app, recorder):
    app.plugin_manager["pizza_order"].config["endpoint"] = str(app.root)  # a folder: writing the order fails
    conversation = await app.conversations.open("kitchen")
    await say_text(app, "order a hawaiian pizza", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == [CONFIRMATION, "That didn't work"]
    assert app.conversations.ended[-1].end_reason == "plugin error (pizza_order)"


async def test_plugin_that_hangs_is_cancelled_with_that_didnt_work(app, recorder, monkeypatch):
    app.plugin_manager["intents"].config["plugin_timeout_s"] = 0.5
    main = sys.modules["trixy_plugins.pizza_order.main"]
    monkeypatch.setattr(main, "send_order", lambda *args: time.sleep(3))  # a pizza service that never answers
    conversation = await app.conversations.open("kitchen")
    started = asyncio.get_running_loop().time()
    await say_text(app, "order a vegetarian pizza", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED, within_s=10)
    assert asyncio.get_running_loop().time() - started < 2.5
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "That didn't work"
    assert app.conversations.ended[-1].end_reason == "plugin timeout"


async def test_waiting_for_the_users_answer_does_not_count_as_a_hanging_plugin(app, recorder):
    app.plugin_manager["intents"].config["plugin_timeout_s"] = 0.3
    conversation = await app.conversations.open("kitchen")
    await say_text(app, "order a pizza", conversation.id)
    await recorder.wait_for(names.TTS_RECEIVED)
    await asyncio.sleep(0.8)  # the user thinks for longer than the plugin timeout
    assert conversation.is_open
    await say_text(app, "margherita please", conversation.id)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert [o["kind"] for o in orders(app)] == ["margherita"]


async def test_order_is_posted_as_json_to_an_http_endpoint(app, recorder):
    import http.server
    import threading

    received: list[dict] = []

    class Shop(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        app.plugin_manager["pizza_order"].config["endpoint"] = f"http://127.0.0.1:{server.server_port}/orders"
        conversation = await app.conversations.open("kitchen")
        await say_text(app, "order a funghi pizza", conversation.id)
        await recorder.wait_for(names.CONVERSATION_ENDED)
    finally:
        server.shutdown()
        server.server_close()
    assert [(o["kind"], o["conversation_id"]) for o in received] == [("mushroom", conversation.id)]
    assert app.conversations.ended[-1].end_reason == "pizza ordered"
