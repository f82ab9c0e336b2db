"""Acceptance: the real server (plugins, conversations, network, pipeline) and two real satellite processes whose
microphones get espeak-ng speech. Both hear "Trixy" (the kitchen louder), the kitchen is chosen, "please order a
pizza" -> the question's TTS audio arrives at the kitchen -> "a spicy one" is recorded without a new wake word ->
the order is placed; one conversation id throughout and the event sequence as the spec describes it.

With a wake-word model in models/wakeword/trixy the satellites run it on "Trixy"; when there is none, or it does not
fire on this audio (a warning says so), the server sends TriggerWakeWord right after the audio of "Trixy" (each
satellite still measures the loudness of the audio it heard, so arbitration is on real levels).
"""

import asyncio
import json
import shutil
import time
import warnings

import pytest

from trixy_core.events import names
from trixy_protocol import PlaybackFinished, TriggerWakeWord
from trixy_server.pipeline import PipelineSettings
from trixy_standalone.demo import WAKE_WORD_SPELLING, espeak_wav, silence, wav_pcm

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

PIPELINE_EVENTS = (names.WAKEWORD_RECEIVED, names.CONVERSATION_STARTED, names.RAW_AUDIO_INPUT_RECEIVED,
                   names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED, names.CONVERSATION_ENDED)
QUIET_GAIN = 0.3


async def test_pizza_order_through_two_satellite_processes(assistant_factory, satellite_processes, tmp_path):
    speech = {name: wav_pcm(espeak_wav(text, tmp_path / f"{name}.wav"), trim=name == "wake")
              for name, text in (("wake", WAKE_WORD_SPELLING), ("order", "please order a pizza"), ("answer", "a spicy one"))}
    assistant = await assistant_factory(PipelineSettings(arbitration_window_s=1.0, silence_s=1.0))
    model = assistant.wakeword_model
    manager = assistant.network.manager
    finished: list[tuple[str, float]] = []
    assistant.network.server.add_command_handler(
        PlaybackFinished, lambda sat, command: finished.append((sat.id, time.perf_counter())))
    sats = {}
    for name, mac in (("kitchen", "aa:bb:cc:e1:00:01"), ("living", "aa:bb:cc:e1:00:02")):
        record = manager.register(mac, name.title(), name).record
        sats[name] = (record.id, satellite_processes(tmp_path / name, {
            "server.host": "127.0.0.1", "server.port": assistant.network.ports["command"],
            "server.retry_interval_s": 0.3, "satellite.mac": record.mac, "satellite.id": record.id,
            "satellite.secret": record.secret, "satellite.room": name.title(), "satellite.alias": name,
            "models.wakeword": str(model or tmp_path / "no-model"),
            "models.voice_recognition": str(assistant.repo / "models" / "voice_recognition" / "default")}))
    (kitchen_id, kitchen), (living_id, living) = sats["kitchen"], sats["living"]
    await assistant.wait_until(lambda: manager.get(kitchen_id).connected and manager.get(living_id).connected, 30,
                               "both satellite processes to connect")

    for proc, gain in ((kitchen, 1.0), (living, QUIET_GAIN)):
        proc.mic.push(speech["wake"], gain)
    await assistant.wait_until(lambda: kitchen.mic.pending == 0 and living.mic.pending == 0, 10, "'Trixy'")
    await asyncio.sleep(0.4)  # the detector decides a few 80 ms hops after the word; a loaded process reads late
    detected = {satellite_id for satellite_id, _ in assistant.detections}
    missing = [sat_id for sat_id in (kitchen_id, living_id) if sat_id not in detected]
    if missing:  # no model, or it did not fire: the server triggers the wake word there (inside the 1 s round)
        if model is not None:
            warnings.warn(f"the shipped wake-word model did not fire on espeak-ng 'Trixie' in {missing} of "
                          f"{[kitchen_id, living_id]}; the server triggered the wake word there", stacklevel=1)
        for sat_id in missing:
            manager.get(sat_id).send(TriggerWakeWord(wake_word_name="trixy"))
    for proc, gain in ((kitchen, 1.0), (living, QUIET_GAIN)):
        proc.mic.push(silence(0.25) + speech["order"], gain)

    # the question is played on the kitchen satellite, which then listens again (no wake word)
    await assistant.wait_until(lambda: any(t.expect_answer for t in assistant.of(names.TTS_RECEIVED)), 60,
                               "the question")
    asked = time.perf_counter()
    await assistant.wait_until(lambda: any(s == kitchen_id and t > asked for s, t in finished), 30,
                               "the kitchen to finish playing the question")
    recording = assistant.pipeline.recordings.get(kitchen_id)
    assert recording is not None and recording.turn == 1
    kitchen.mic.push(silence(0.3) + speech["answer"])
    await assistant.wait_until(lambda: assistant.of(names.CONVERSATION_ENDED), 60, "the order")

    [decision] = assistant.pipeline.decisions
    assert decision.chosen.satellite_id == kitchen_id and decision.stood_down == [living_id]
    louder, quieter = decision.chosen.loudness_db, next(c.loudness_db for c in decision.candidates
                                                        if c.satellite_id == living_id)
    assert louder > quieter + 6  # 0.3 x amplitude is about 10 dB quieter
    [wake] = assistant.of(names.WAKEWORD_RECEIVED)
    cid = wake.conversation_id
    sequence = [name for _, name, _ in assistant.events if name in PIPELINE_EVENTS]
    assert sequence == [
        names.WAKEWORD_RECEIVED, names.CONVERSATION_STARTED,
        names.RAW_AUDIO_INPUT_RECEIVED, names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED,
        names.RAW_AUDIO_INPUT_RECEIVED, names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED,
        names.CONVERSATION_ENDED,
    ]
    assert {getattr(d, "conversation_id", None) for _, n, d in assistant.events if n in PIPELINE_EVENTS} == {cid}
    assert [t.text for t in assistant.of(names.TEXT_RECEIVED)] == ["please order a pizza", "a spicy one"]
    assert all(r.satellite_id == kitchen_id for r in assistant.of(names.RAW_AUDIO_INPUT_RECEIVED))
    question, confirmation = assistant.of(names.TTS_RECEIVED)
    assert question.text == "Ok, what kind of pizza do you want?" and question.expect_answer
    assert question.satellite_id == confirmation.satellite_id == kitchen_id
    [order] = [json.loads(line) for line in (assistant.root / "data" / "pizza_orders.jsonl").read_text().splitlines()]
    assert order["kind"] == "spicy" and order["conversation_id"] == cid
    assert assistant.of(names.CONVERSATION_ENDED)[0].reason == "pizza ordered"

    # the speech reached the kitchen (its WAV of received speech), nothing went to the living room
    spoken = (len(question.pcm) + len(confirmation.pcm)) / 32000
    await assistant.wait_until(lambda: kitchen.speech_seconds() >= spoken - 0.05, 15, "the speech at the kitchen")
    assert living.speech_seconds() == 0.0
