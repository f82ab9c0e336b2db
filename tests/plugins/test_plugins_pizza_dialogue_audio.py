"""End to end inside one Application, from audio: espeak-ng WAV -> STT -> intent -> PizzaOrder -> TTS PCM."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from trixy_core.events import names
from trixy_core.events.data import RawAudioInputReceived


def utterance(conversation_id: str, pcm: bytes, satellite: str = "kitchen") -> RawAudioInputReceived:
    return RawAudioInputReceived(
        conversation_id=conversation_id, pcm=pcm, sample_rate=16000, speaker_name="Johannes",
        satellite_id=satellite, duration_s=len(pcm) / 32000,
    )


async def test_spoken_pizza_dialogue_runs_through_every_plugin_with_one_conversation_id(app, recorder, speech):
    conversation = await app.conversations.open("kitchen", speaker_name="Johannes")
    cid = conversation.id
    await app.event_handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, utterance(cid, speech("please order a pizza")))
    [question] = await recorder.wait_for(names.TTS_RECEIVED)
    assert question.text == "Ok, what kind of pizza do you want?" and question.expect_answer
    pcm = np.frombuffer(question.pcm, dtype="<i2")
    assert question.sample_rate == 16000 and 1.0 < pcm.size / 16000 < 5.0 and np.abs(pcm).max() > 1000

    # the satellite records the answer without a new wake word: same conversation
    await app.event_handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, utterance(cid, speech("a spicy one")))
    await recorder.wait_for(names.CONVERSATION_ENDED)

    texts = [d.text for d in recorder.of(names.TEXT_RECEIVED)]
    assert texts == ["please order a pizza", "a spicy one"]
    assert all(d.source == "stt_pocketsphinx" and d.speaker_name == "Johannes" for d in recorder.of(names.TEXT_RECEIVED))
    assert [(i.intent, i.slots) for i in recorder.of(names.INTENT_RECEIVED)] == [
        ("OrderPizza", {}), ("OrderPizza", {"pizza_kind": "spicy"}),
    ]
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == [
        "Ok, what kind of pizza do you want?", "Ok, i will send an order to your local pizza service",
    ]
    sequence = [n for n, _ in recorder.order if n != names.CONVERSATION_ENDED]
    assert sequence == [
        names.RAW_AUDIO_INPUT_RECEIVED, names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED,
        names.RAW_AUDIO_INPUT_RECEIVED, names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED,
    ]
    assert {getattr(d, "conversation_id", None) for _, d in recorder.order} == {cid}
    [order] = [json.loads(line) for line in (app.root / "data" / "pizza_orders.jsonl").read_text().splitlines()]
    assert order["kind"] == "spicy" and order["conversation_id"] == cid


async def test_silence_gets_didnt_catch_that_and_closes_the_conversation(app, recorder):
    conversation = await app.conversations.open("kitchen")
    silence = (np.random.default_rng(1).normal(0, 20, 32000)).astype("<i2").tobytes()
    await app.event_handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, utterance(conversation.id, silence))
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert [d.text for d in recorder.of(names.TTS_RECEIVED)] == ["Sorry, I didn't catch that"]
    assert recorder.of(names.TEXT_RECEIVED) == []
    assert app.conversations.ended[-1].end_reason == "nothing recognised"


async def test_spoken_time_question_is_answered_from_audio(app, recorder, speech):
    conversation = await app.conversations.open("office")
    await app.event_handler.trigger(
        names.RAW_AUDIO_INPUT_RECEIVED, utterance(conversation.id, speech("what time is it"), "office")
    )
    await recorder.wait_for(names.CONVERSATION_ENDED)
    [answer] = recorder.of(names.TTS_RECEIVED)
    assert answer.text == "It is 2:05 PM" and answer.satellite_id == "office"  # the fake clock's 14:05


async def test_a_time_question_cut_inside_its_first_sound_is_answered_with_the_satellites_lead(app, recorder, espeak):
    speech = np.frombuffer(espeak.pcm("what time is it", voice="en-us", speed=175), "<i2")
    speech = speech[np.flatnonzero(np.abs(speech) > 30)[0] :]
    audio = np.concatenate([np.random.default_rng(0).normal(0, 20, 8000).astype("<i2"), speech])
    cut = 8000 + 110 * 16  # 110 ms into "what": the grammar alone finds no sentence in what is left
    conversation = await app.conversations.open("office")
    event = utterance(conversation.id, audio[cut:].tobytes(), "office")
    event.lead_pcm = audio[cut - 3200 : cut].tobytes()  # the 0.2 s a satellite sends before its cut
    await app.event_handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, event)
    await recorder.wait_for(names.CONVERSATION_ENDED)
    [text] = recorder.of(names.TEXT_RECEIVED)
    assert text.text == "what time is it"
    [answer] = recorder.of(names.TTS_RECEIVED)
    assert answer.text == "It is 2:05 PM"


async def until(condition, within_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


NOT_IN_GRAMMAR = {"PlayTitle", "PlayArtist", "PlayAlbum",  # no music library here: no names to say yet
                  "CalendarAdd", "CalendarCancel"}       # free-text titles: the general model takes them


async def test_stt_grammar_follows_the_intent_catalogue(app):
    stt = app.plugin_manager["stt_pocketsphinx"]
    intents = app.plugin_manager["intents"]
    await until(lambda: stt.recogniser.grammar is not None and stt.grammar_revision == intents.catalogue.revision)
    assert set(stt.recogniser.grammar.intents) == set(intents.catalogue.intent_names) - NOT_IN_GRAMMAR
    assert "PlayMusic" in stt.recogniser.grammar.intents
    await app.plugin_manager.unload("music")  # (unload does not touch the plugin's config.json)
    await until(lambda: "PlayMusic" not in stt.recogniser.grammar.intents)
    assert "PlayMusic" not in intents.catalogue.intent_names
    await app.plugin_manager.load("music")
    await until(lambda: "PlayMusic" in stt.recogniser.grammar.intents)
