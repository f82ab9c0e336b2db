"""Timers on the core scheduler with a fake clock, time/date answers, and music on the 48 kHz stereo path."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from trixy_core.events import names
from trixy_core.events.data import TextReceived


async def ask(app, text: str, satellite: str = "kitchen") -> str:
    conversation = await app.conversations.open(satellite)
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived(text, conversation.id, satellite))
    return conversation.id


async def test_timer_fires_through_the_scheduler_on_the_satellite_that_asked(app, recorder, clock):
    await ask(app, "set a timer for five minutes", "kitchen")
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "Timer set for 5 minutes"
    timers = app.plugin_manager["timer"].timers()
    assert len(timers) == 1 and (timers[0].next_run - clock()).total_seconds() == 300
    assert (app.root / "state" / "schedules.json").read_text().count("timer-") >= 1  # persisted as runtime state
    shipped = app.root / "config" / "schedules.json"
    assert not shipped.exists() or "timer-" not in shipped.read_text()  # never in the shipped definitions

    clock.advance(299)
    assert await app.scheduler.run_due() == []
    clock.advance(1)
    assert len(await app.scheduler.run_due()) == 1
    [done] = await recorder.wait_for(names.TTS_RECEIVED, where=lambda d: "done" in d.text)
    assert done.text == "Your 5 minute timer is done" and done.satellite_id == "kitchen"
    await app.event_handler.drain(2)
    assert app.plugin_manager["timer"].timers() == []  # the spent schedule was removed


async def test_timer_status_and_cancel_only_touch_that_satellites_timers(app, recorder, clock):
    await ask(app, "set a timer for one hour and ten minutes", "kitchen")
    await ask(app, "set a timer for 90 seconds", "office")
    await recorder.wait_for(names.CONVERSATION_ENDED, count=2)
    clock.advance(60)  # (the scheduler's own loop fires due timers too, so stay below the office timer's 90 s)
    await ask(app, "how much time is left", "kitchen")
    await recorder.wait_for(names.CONVERSATION_ENDED, count=3)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "1 hour and 9 minutes left"
    await ask(app, "cancel the timer", "kitchen")
    await recorder.wait_for(names.CONVERSATION_ENDED, count=4)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "Timer cancelled"
    [left] = app.plugin_manager["timer"].timers()
    assert "office" in left.description
    await ask(app, "cancel the timer", "kitchen")
    await recorder.wait_for(names.CONVERSATION_ENDED, count=5)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "There is no timer running"


async def test_time_and_date_are_spoken_from_the_clock(app, recorder):
    await ask(app, "what time is it")
    await ask(app, "what's the date today")
    await recorder.wait_for(names.CONVERSATION_ENDED, count=2)
    assert sorted(d.text for d in recorder.of(names.TTS_RECEIVED)) == [
        "It is 2:05 PM", "Today is Wednesday, November 25, 2026",
    ]


def durations_module(load_plugin_module):
    return load_plugin_module("timer", "durations")


def test_durations_are_spoken_in_words(load_plugin_module):
    durations = durations_module(load_plugin_module)
    assert durations.spoken_duration(300) == "5 minutes"
    assert durations.spoken_duration(3725) == "1 hour, 2 minutes and 5 seconds"
    assert durations.short_duration(300) == "5 minute"
    assert durations.seconds_from_slots({"hours": 1, "minutes": 2.0, "seconds": None}) == 3720


@pytest.fixture
async def song(app):
    folder = app.plugin_manager["music"].music_folder()
    folder.mkdir(parents=True)
    t = np.arange(22050 * 2) / 22050  # 2 s, mono, 22.05 kHz: the plugin converts to 48 kHz stereo
    tone = (6000 * np.sin(2 * np.pi * 330 * t)).astype("<i2")
    with wave.open(str(folder / "test_song.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(tone.tobytes())
    await app.plugin_manager["music"].rescan()
    return folder / "test_song.wav"


async def test_music_plays_48k_stereo_and_pause_resume_stop_keep_the_position(app, recorder, song):
    music = app.plugin_manager["music"]
    now = [100.0]
    music.clock = lambda: now[0]
    await ask(app, "play some music", "livingroom")
    [play] = await recorder.wait_for("music play")
    assert play.satellite_id == "livingroom" and play.sample_rate == 48000 and play.channels == 2
    assert len(play.pcm) == 2 * 48000 * 2 * 2  # 2 s of 48 kHz stereo s16le
    frames = np.frombuffer(play.pcm, dtype="<i2").reshape(-1, 2)
    assert np.array_equal(frames[:, 0], frames[:, 1])
    assert abs(np.argmax(np.abs(np.fft.rfft(frames[:48000, 0]))) - 330) <= 1
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "Playing test song"

    now[0] += 0.5
    await ask(app, "pause the music", "livingroom")
    await recorder.wait_for("music stop")
    now[0] += 10  # paused time does not count
    await ask(app, "resume the music", "livingroom")
    [_, resumed] = await recorder.wait_for("music play", count=2)
    assert resumed.offset_s == pytest.approx(0.5)
    assert len(resumed.pcm) == int(1.5 * 48000) * 4
    await ask(app, "stop the music", "livingroom")
    await recorder.wait_for("music stop", count=2)
    assert music.tracks == {}


async def test_play_music_without_files_says_so(app, recorder):
    await ask(app, "play music")
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "I have no music to play"
    assert recorder.of("music play") == []
