"""The pipeline on loopback with in-process satellites: arbitration picks the louder satellite, the others stand
down; failures (no reply, satellite dropping mid-stream) close the conversation with the cause logged."""

import logging

from trixy_core.events import names
from trixy_server.pipeline import PipelineSettings

FAST = dict(arbitration_window_s=0.3, silence_s=0.3, max_recording_s=5.0, response_timeout_s=1.0)


async def test_louder_satellite_is_chosen_and_a_reply_less_utterance_gets_the_failure_answer(
        assistant_factory, helpers, caplog):
    caplog.set_level(logging.INFO)
    assistant = await assistant_factory(PipelineSettings(**FAST), plugins=False, use_models=False)
    kitchen = await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:e0:00:01")
    living = await assistant.add_satellite("living", "Living", "aa:bb:cc:e0:00:02")
    for sat, gain in ((kitchen, 1.0), (living, 0.2)):
        sat.microphone.push(helpers.tone(0.3), gain)
    await assistant.wait_until(lambda: kitchen.microphone.pending_s == 0, 5, "the wake word audio")
    assistant.trigger_wake_word(["kitchen", "living"])
    kitchen.microphone.push(helpers.tone(0.6))
    await assistant.wait_until(lambda: assistant.of(names.CONVERSATION_ENDED), 15, "the conversation to end")

    [decision] = assistant.pipeline.decisions
    assert decision.chosen.satellite_id == kitchen.satellite_id and decision.stood_down == [living.satellite_id]
    assert decision.chosen.loudness_db > decision.candidates[1].loudness_db + 10
    [wake] = assistant.of(names.WAKEWORD_RECEIVED)
    cid = wake.conversation_id
    assert wake.satellite_id == kitchen.satellite_id and len(wake.candidates) == 2
    [raw] = assistant.of(names.RAW_AUDIO_INPUT_RECEIVED)
    assert raw.conversation_id == cid and raw.stop_reason == "silence" and 0.6 <= raw.duration_s < 1.5
    assert [s.text for s in assistant.of(names.SAY)] == ["That didn't work"]
    [ended] = assistant.of(names.CONVERSATION_ENDED)
    assert ended.conversation_id == cid and ended.reason == "no reply to the utterance"
    assert f"conversation {cid}" in caplog.text and "no reply to the utterance" in caplog.text
    assert kitchen.app.recorder.state == "idle" and living.app.recorder.state == "idle"  # detection resumes


async def test_satellite_dropping_mid_stream_closes_its_conversation(assistant_factory, helpers, caplog):
    caplog.set_level(logging.INFO)
    assistant = await assistant_factory(PipelineSettings(**FAST), plugins=False, use_models=False)
    kitchen = await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:e0:00:03")
    kitchen.microphone.push(helpers.tone(0.3))
    await assistant.wait_until(lambda: kitchen.microphone.pending_s == 0, 5, "the wake word audio")
    assistant.trigger_wake_word(["kitchen"])
    kitchen.microphone.push(helpers.tone(3.0))
    await assistant.wait_until(lambda: kitchen.app.recorder.state == "streaming", 5, "the recording to start")
    await kitchen.app.stop()
    del assistant.satellites["kitchen"]
    await assistant.wait_until(lambda: assistant.of(names.CONVERSATION_ENDED), 10, "the conversation to end")
    [ended] = assistant.of(names.CONVERSATION_ENDED)
    assert ended.reason == "satellite lost" and assistant.of(names.RAW_AUDIO_INPUT_RECEIVED) == []
    assert f"conversation {ended.conversation_id}: satellite {kitchen.satellite_id} dropped while recording" in caplog.text
    assert assistant.pipeline.recordings.get(kitchen.satellite_id) is None


async def test_ending_a_conversation_aborts_its_recording_and_detection_resumes(assistant_factory, helpers):
    assistant = await assistant_factory(PipelineSettings(**FAST), plugins=False, use_models=False)
    kitchen = await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:e0:00:04")
    kitchen.microphone.push(helpers.tone(0.3))
    await assistant.wait_until(lambda: kitchen.microphone.pending_s == 0, 5, "the wake word audio")
    assistant.trigger_wake_word(["kitchen"])
    kitchen.microphone.push(helpers.tone(4.0))
    await assistant.wait_until(lambda: kitchen.app.recorder.state == "streaming", 5, "the recording to start")
    [wake] = assistant.of(names.WAKEWORD_RECEIVED)
    await assistant.wait_until(lambda: assistant.app.conversations.get(wake.conversation_id), 5, "the conversation")
    await assistant.app.conversations.end(wake.conversation_id, "cancelled by a test")
    await assistant.wait_until(lambda: kitchen.app.recorder.state == "idle", 5, "the satellite to stop recording")
    assert kitchen.microphone.pending_s > 1.0  # stopped by the server's abort, not by silence or the limit
    assert assistant.of(names.RAW_AUDIO_INPUT_RECEIVED) == []
    assert assistant.pipeline.recordings.get(kitchen.satellite_id) is None


async def test_the_satellites_lead_before_the_command_reaches_speech_to_text_apart_from_the_command(
        assistant_factory, helpers):
    assistant = await assistant_factory(PipelineSettings(**FAST), plugins=False, use_models=False)
    kitchen = await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:e0:00:05")
    kitchen.microphone.push(helpers.tone(0.8))
    await assistant.wait_until(lambda: kitchen.microphone.pending_s == 0, 5, "the wake word audio")
    # what the wake listener does on a detection: the command was judged to start 0.3 s ago
    assert kitchen.app.recorder.wake_word_detected(0, "trixy", score=0.95, audio_since_s=0.3)
    kitchen.microphone.push(helpers.tone(0.6))
    await assistant.wait_until(lambda: assistant.of(names.RAW_AUDIO_INPUT_RECEIVED), 15, "the utterance")
    [decision] = assistant.pipeline.decisions
    assert decision.chosen.command_lead_ms == 200  # the recorder's default lead, all of it kept
    [raw] = assistant.of(names.RAW_AUDIO_INPUT_RECEIVED)
    assert len(raw.lead_pcm) == int(0.2 * 16000) * 2
    assert 0.3 <= raw.duration_s == len(raw.pcm) / 32000  # the command alone: from the cut on
