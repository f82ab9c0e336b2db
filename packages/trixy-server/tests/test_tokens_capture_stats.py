import asyncio
from datetime import date

import numpy as np
import pytest

from trixy_protocol import AudioStream
from trixy_server.audio_convert import to_stream_pcm
from trixy_server.capture import AudioCapture
from trixy_server.errors import AudioFormatError
from trixy_server.stats import StreamStats, TrafficCounter
from trixy_server.tokens import TokenBook


def test_stream_tokens_are_one_time_bound_to_satellite_and_stream_and_expire(clock):
    book = TokenBook(ttl=30, clock=clock)
    tokens = book.issue("aa:bb:cc:00:00:01", "sat-a")
    assert book.redeem("sat-b", AudioStream.INPUT, tokens["input"]) is None  # someone else's id
    assert book.redeem("sat-a", AudioStream.MUSIC, tokens["input"]) is None  # wrong stream
    grant = book.redeem("sat-a", AudioStream.INPUT, tokens["input"])
    assert grant is not None and grant.mac == "aa:bb:cc:00:00:01"
    assert book.redeem("sat-a", AudioStream.INPUT, tokens["input"]) is None  # used up
    clock.advance(31)
    assert book.redeem("sat-a", AudioStream.OUTPUT, tokens["output"]) is None  # expired
    fresh = book.issue("aa:bb:cc:00:00:01", "sat-a")
    assert book.redeem("sat-a", AudioStream.MUSIC, tokens["music"]) is None  # revoked by the new accept
    book.revoke("aa:bb:cc:00:00:01")
    assert book.redeem("sat-a", AudioStream.MUSIC, fresh["music"]) is None and len(book) == 0


async def test_capture_waits_for_the_announced_byte_count():
    capture = AudioCapture("sat-a", max_bytes=100)
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, capture.feed, b"a" * 40)
    loop.call_later(0.04, capture.feed, b"b" * 40)
    assert await capture.wait_for(80, 2) == b"a" * 40 + b"b" * 40
    capture.feed(b"c" * 50)
    assert len(capture) == 100 and capture.overflowed
    assert await capture.wait_for(500, 0.05) == capture.pcm  # gives up after the wait, returns what it has


def test_traffic_counter_rolls_over_at_midnight():
    days = iter([date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 2)])
    counter = TrafficCounter(day=date(2026, 1, 1), today=lambda: next(days))
    counter.add_sent(10)
    counter.add_received(5)
    counter.add_sent(7)
    assert counter.snapshot() == {"sent_total": 17, "received_total": 5, "sent_today": 7, "received_today": 0}
    stats = StreamStats("command")
    stats.opened(("10.0.0.2", 5555))
    assert stats.snapshot()["remote_host"] == "10.0.0.2" and stats.status == "open"
    stats.closed("write timeout")
    assert stats.status == "failed: write timeout" and stats.uptime == 0


def test_audio_is_converted_to_each_streams_format(tmp_path):
    mono = (np.sin(np.arange(800) / 5) * 0.5).astype(np.float32)
    pcm = to_stream_pcm(mono, sample_rate=8000, target_rate=16000, target_channels=1)
    assert len(pcm) == 1600 * 2
    music = to_stream_pcm(pcm, sample_rate=16000, target_rate=48000, target_channels=2)
    assert len(music) == 4800 * 4
    assert to_stream_pcm(b"\x00\x00" * 4, sample_rate=None, target_rate=16000, target_channels=1) == b"\x00" * 8
    with pytest.raises(AudioFormatError, match="whole number"):
        to_stream_pcm(b"\x00" * 6, sample_rate=None, target_rate=48000, target_channels=2)
    with pytest.raises(AudioFormatError, match="cannot read WAV"):
        to_stream_pcm(tmp_path / "missing.wav", sample_rate=None, target_rate=16000, target_channels=1)
