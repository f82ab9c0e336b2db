"""Behaviour of the event handler: names, patterns, priorities, sync/async handlers, errors, threads, history."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from trixy_core.errors import EventError
from trixy_core.events import STOP_PROPAGATION, EventHandler, TrixyEvent, names
from trixy_core.events.data import ErrorEvent, WakewordReceived


async def test_spellings_of_an_event_name_reach_the_same_handler(handler):
    seen: list[str] = []
    handler.subscribe("wakeword received", lambda name, data: seen.append(name))
    for spelling in ("wakeword_received", "Wakeword Received", "WAKEWORD-received", "  wakeword   received "):
        await handler.trigger(spelling, None)
    assert seen == ["wakeword received"] * 4


async def test_wildcard_and_prefix_patterns_match_only_what_they_say(handler):
    everything: list[str] = []
    satellites: list[str] = []
    handler.subscribe("*", lambda n, d: everything.append(n), threaded=False)
    handler.subscribe("satellite_*", lambda n, d: satellites.append(n), threaded=False)
    for name in (names.SATELLITE_CONNECTED, names.TEXT_RECEIVED, names.SATELLITE_DISCONNECTED):
        await handler.trigger(name)
    assert everything == [names.SATELLITE_CONNECTED, names.TEXT_RECEIVED, names.SATELLITE_DISCONNECTED]
    assert satellites == [names.SATELLITE_CONNECTED, names.SATELLITE_DISCONNECTED]
    with pytest.raises(EventError):
        handler.subscribe("sat*lite", lambda n, d: None)


async def test_higher_priority_runs_first_and_results_are_collected_in_order(handler):
    handler.subscribe("x", lambda n, d: "low", priority=-5)
    handler.subscribe("x", lambda n, d: "high", priority=10)
    handler.subscribe("x", lambda n, d: "mid-1")
    handler.subscribe("x", lambda n, d: "mid-2")
    outcome = await handler.trigger("x")
    assert outcome.values == ["high", "mid-1", "mid-2", "low"]


async def test_slow_sync_handler_runs_in_a_worker_thread_and_does_not_block_the_loop(handler):
    loop_thread = threading.get_ident()
    started = threading.Event()
    release = threading.Event()
    threads: list[int] = []

    def slow(name, data):
        threads.append(threading.get_ident())
        started.set()
        release.wait(5)
        return "slow done"

    handler.subscribe("work", slow)
    task = handler.trigger("work")
    # the loop keeps running while the handler blocks its thread
    for _ in range(200):
        if started.is_set():
            break
        await asyncio.sleep(0.005)
    assert started.is_set()
    ticks = 0
    for _ in range(3):
        await asyncio.sleep(0)
        ticks += 1
    assert ticks == 3 and not task.done()
    release.set()
    outcome = await task
    assert outcome.values == ["slow done"]
    assert threads and threads[0] != loop_thread


async def test_async_handlers_run_on_the_loop(handler):
    loop_thread = threading.get_ident()
    where: list[int] = []

    async def on_event(name, data):
        await asyncio.sleep(0)
        where.append(threading.get_ident())
        return data.satellite_id

    handler.subscribe(names.WAKEWORD_RECEIVED, on_event)
    outcome = await handler.trigger("wakeword_received", WakewordReceived(satellite_id="kitchen"))
    assert outcome.values == ["kitchen"] and where == [loop_thread]


async def test_raising_handler_is_reported_with_its_owner_and_others_still_run(caplog, handler):
    errors: list[ErrorEvent] = []
    handler.subscribe(names.ERROR, lambda n, d: errors.append(d), threaded=False)

    def broken(name, data):
        raise RuntimeError("boom")

    handler.subscribe("x", broken, owner="broken_plugin", priority=5)
    handler.subscribe("x", lambda n, d: "still here", owner="good_plugin")
    with caplog.at_level("ERROR"):
        outcome = await handler.trigger("x", {"conversation_id": "c1"})
        await handler.drain(2)
    assert outcome.values == ["still here"]
    assert len(outcome.errors) == 1 and isinstance(outcome.errors[0].error, RuntimeError)
    assert "broken_plugin" in caplog.text and "boom" in caplog.text
    assert len(errors) == 1
    assert errors[0].owner == "broken_plugin" and errors[0].event_name == "x"
    assert errors[0].conversation_id == "c1" and "RuntimeError" in errors[0].message


async def test_a_raising_error_handler_does_not_loop_forever(handler):
    calls: list[str] = []

    def bad_error_handler(name, data):
        calls.append(name)
        raise ValueError("error handler broken too")

    handler.subscribe("error", bad_error_handler)
    handler.subscribe("x", lambda n, d: 1 / 0)
    await handler.trigger("x")
    await handler.drain(2)
    assert calls == ["error"]


async def test_muted_or_unsubscribed_owner_receives_nothing(handler):
    got: list[str] = []
    handler.subscribe("x", lambda n, d: got.append("a"), owner="a", threaded=False)
    sub = handler.subscribe("x", lambda n, d: got.append("b"), owner="b", threaded=False)
    handler.mute("a")
    await handler.trigger("x")
    handler.unmute("a")
    sub.cancel()
    await handler.trigger("x")
    assert got == ["b", "a"]
    assert handler.unsubscribe_owner("a") == 1
    await handler.trigger("x")
    assert got == ["b", "a"]


async def test_stop_propagation_keeps_lower_priority_handlers_out(handler):
    got: list[str] = []
    handler.subscribe("x", lambda n, d: STOP_PROPAGATION, priority=100, threaded=False)
    handler.subscribe("x", lambda n, d: got.append("low"), threaded=False)
    outcome = await handler.trigger("x")
    assert outcome.stopped and got == []


async def test_decorated_methods_and_functions_subscribe_with_their_owner(handler):
    class Listener:
        def __init__(self) -> None:
            self.seen: list[tuple[str, object]] = []

        @TrixyEvent(["satellite connected", "satellite disconnected"])
        def on_connection_changed(self, event_name, event_data):
            self.seen.append((event_name, event_data))

        @TrixyEvent("text received", priority=3)
        async def on_text(self, event_name, event_data):
            self.seen.append((event_name, event_data))

    listener = Listener()
    subs = handler.subscribe_decorated(listener, owner="listener")
    assert len(subs) == 3 and all(s.owner == "listener" for s in subs)
    await handler.trigger("Satellite_Connected", 1)
    await handler.trigger("text received", 2)
    await handler.trigger("satellite disconnected", 3)
    assert listener.seen == [("satellite connected", 1), ("text received", 2), ("satellite disconnected", 3)]


async def test_many_tasks_triggering_concurrently_all_get_delivered(handler):
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def count(name, data):
        with lock:
            counts[data] = counts.get(data, 0) + 1

    async def acount(name, data):
        await asyncio.sleep(0)
        with lock:
            counts[-data - 1] = counts.get(-data - 1, 0) + 1

    handler.subscribe("tick", count)
    handler.subscribe("tick", acount)

    async def producer(base: int) -> None:
        await asyncio.gather(*(handler.trigger("tick", base * 50 + i) for i in range(50)))

    await asyncio.gather(*(producer(p) for p in range(8)))
    assert len(counts) == 800 and set(counts.values()) == {1}


async def test_trigger_from_another_thread_lands_on_the_application_loop(handler):
    handler.bind_loop()
    loop_thread = threading.get_ident()
    where: list[int] = []

    async def on_event(name, data):
        where.append(threading.get_ident())
        return data * 2

    handler.subscribe("from thread", on_event)
    future = await asyncio.to_thread(handler.trigger, "from thread", 21)
    outcome = await asyncio.wrap_future(future)
    assert outcome.values == [42] and where == [loop_thread]


def test_trigger_without_any_loop_is_a_clear_error():
    handler = EventHandler()
    with pytest.raises(EventError, match="no running application loop"):
        handler.trigger("x")


async def test_history_is_bounded_and_summarises_audio_by_length(new_handler):
    handler = new_handler(history_size=3)
    for i in range(5):
        await handler.trigger("n", i)
    await handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, {"pcm": b"x"})
    from trixy_core.events.data import RawAudioInputReceived

    await handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, RawAudioInputReceived("c9", b"\0" * 3200))
    records = handler.history.recent()
    assert len(records) == 3
    assert records[-1].conversation_id == "c9" and "<3200 bytes>" in records[-1].summary


async def test_close_leaves_no_worker_thread_behind(handler):
    before = {t.ident for t in threading.enumerate()}
    handler.subscribe("x", lambda n, d: time.sleep(0.01))
    await asyncio.gather(*(handler.trigger("x") for _ in range(4)))
    await handler.close()
    after = {t.ident for t in threading.enumerate() if t.name.startswith("trixy-event")}
    assert not (after - before)
    with pytest.raises(EventError):
        handler.trigger("x")


async def test_many_threads_triggering_at_once_are_all_delivered_on_the_loop(handler):
    handler.bind_loop()
    loop_thread = threading.get_ident()
    received: list[int] = []
    wrong_thread: list[int] = []

    async def on_event(name, data):
        if threading.get_ident() != loop_thread:
            wrong_thread.append(data)
        received.append(data)

    handler.subscribe("tick", on_event)

    def producer(base: int) -> list:
        return [handler.trigger("tick", base * 100 + i) for i in range(100)]

    futures_lists = await asyncio.gather(*(asyncio.to_thread(producer, p) for p in range(8)))
    await asyncio.gather(*(asyncio.wrap_future(f) for futures in futures_lists for f in futures))
    assert sorted(received) == list(range(800)) and wrong_thread == []


async def test_handler_matching_two_patterns_runs_once_per_event(handler):
    got: list[str] = []

    class Plugin:
        @TrixyEvent(["satellite *", "satellite connected"])
        def on_any(self, name, data):
            got.append(name)

    handler.subscribe_decorated(Plugin(), owner="p")
    await handler.trigger("satellite connected")
    await handler.trigger("satellite disconnected")
    assert got == ["satellite connected", "satellite disconnected"]
