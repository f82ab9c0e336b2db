"""Multipart messages reassemble in any order and fail clearly when parts are missing, repeated or late."""

from __future__ import annotations

import random
import struct

import pytest

from trixy_protocol import (
    Flags,
    FrameDecoder,
    FrameTooLargeError,
    MultipartError,
    UpdateChunk,
    encode_frame,
    encode_message,
    multipart_md5,
)

MESSAGE = UpdateChunk(update_id="u1", index=0, offset=0, data=random.Random(1).randbytes(10_000))


def parts(message_id: int = 7, part_size: int = 1000, **kwargs) -> list[bytes]:
    frames = encode_message(MESSAGE, part_size=part_size, message_id=message_id, **kwargs)
    assert len(frames) > 3
    return frames


def test_small_message_is_a_single_frame_without_multipart_flag() -> None:
    (frame,) = encode_message(UpdateChunk("u", 0, 0, b"abc"))
    assert not struct.unpack(">I", frame[24:28])[0] & Flags.MULTIPART


def test_parts_reassemble_in_any_order_and_report_the_last_part_md5() -> None:
    frames = parts()
    shuffled = frames[:]
    random.Random(3).shuffle(shuffled)
    decoder = FrameDecoder()
    events = [e for f in shuffled for e in decoder.feed(f)]
    assert len(events) == 1
    assert events[0].message == MESSAGE
    assert events[0].parts == len(frames)
    assert events[0].md5 == multipart_md5(frames) == frames[-1][28:44]
    assert decoder.pending_multipart == 0


def test_interleaved_messages_and_other_frames_reassemble_independently() -> None:
    a, b = parts(1), parts(2, flags=Flags.GZIP | Flags.ENCRYPTED, key=bytes(32))
    single = encode_frame({"x": 1})
    stream = []
    for fa, fb in zip(a, b, strict=False):
        stream += [fa, single, fb]
    decoder = FrameDecoder(key=bytes(32))
    events = [e for f in stream for e in decoder.feed(f)]
    messages = [e.message for e in events]
    assert messages.count(MESSAGE) == 2 and messages.count({"x": 1}) == len(a)


def test_duplicate_part_drops_the_message_with_a_clear_error() -> None:
    frames = parts()
    decoder = FrameDecoder()
    decoder.feed(frames[0])
    with pytest.raises(MultipartError, match="duplicate part 0") as info:
        decoder.feed(frames[0])
    assert info.value.recoverable
    assert decoder.pending_multipart == 0


def test_missing_part_times_out_on_the_injected_clock(samples) -> None:
    clock = samples.FakeClock()
    frames = parts()
    decoder = FrameDecoder(clock=clock, multipart_timeout=30)
    for f in frames[:1] + frames[2:]:
        assert decoder.feed(f) == []
    clock.advance(29)
    decoder.check_timeouts()
    clock.advance(2)
    with pytest.raises(MultipartError, match=r"timed out after 30 s.*missing 1\b"):
        decoder.check_timeouts()
    assert decoder.pending_multipart == 0
    assert decoder.feed(frames[1]) == []  # a late part starts a new (incomplete) message


def test_stream_end_with_incomplete_message_is_reported() -> None:
    decoder = FrameDecoder()
    decoder.feed(parts()[0])
    with pytest.raises(MultipartError, match="incomplete multipart"):
        decoder.eof()


def test_parts_that_disagree_on_count_drop_the_message() -> None:
    frames = parts(message_id=5)
    other = encode_message(UpdateChunk("u", 0, 0, b"z" * 2500), part_size=1000, message_id=5)
    decoder = FrameDecoder()
    decoder.feed(frames[0])
    with pytest.raises(MultipartError, match="disagrees"):
        decoder.feed(other[1])


def test_impossible_part_index_is_refused() -> None:
    frame = encode_message({"k": b"x" * 40}, part_size=10, message_id=1)[0]
    hacked = encode_frame({"x": 1})  # a frame whose payload we replace by a bad part header
    del hacked
    from trixy_protocol.encoder import build_frame

    bad = build_frame(int(Flags.DICT | Flags.MULTIPART), b"", struct.pack(">III", 1, 5, 3) + b"x", 1)
    with pytest.raises(MultipartError, match="index 5 of count 3"):
        FrameDecoder().feed(bad)
    short = build_frame(int(Flags.DICT | Flags.MULTIPART), b"", b"abc", 1)
    with pytest.raises(MultipartError, match="shorter than the 12-byte part header"):
        FrameDecoder().feed(short)
    assert frame  # the genuine part is fine


def test_reassembled_size_is_bounded() -> None:
    decoder = FrameDecoder(max_message_size=3000)
    with pytest.raises(FrameTooLargeError, match="max_message_size=3000"):
        for f in parts():
            decoder.feed(f)
    assert decoder.pending_multipart == 0


def test_number_of_incomplete_messages_is_bounded() -> None:
    decoder = FrameDecoder(max_pending_messages=2)
    decoder.feed(parts(1)[0])
    decoder.feed(parts(2)[0])
    with pytest.raises(MultipartError, match="already 2 incomplete"):
        decoder.feed(parts(3)[0])


def test_absurd_part_counts_are_refused_or_reported_cheaply(samples) -> None:
    from trixy_protocol.encoder import build_frame

    huge = build_frame(int(Flags.DICT | Flags.MULTIPART), b"", struct.pack(">III", 1, 0, 0xFFFFFFFF) + b"x", 1)
    with pytest.raises(MultipartError, match="claims 4294967295 parts"):
        FrameDecoder().feed(huge)
    clock = samples.FakeClock()
    decoder = FrameDecoder(clock=clock, max_message_size=1 << 30)
    decoder.feed(build_frame(int(Flags.DICT | Flags.MULTIPART), b"", struct.pack(">III", 2, 0, 1 << 29) + b"x", 1))
    clock.advance(31)
    with pytest.raises(MultipartError, match=r"1 of 536870912 parts, missing 1, 2, .* \.\.\."):
        decoder.check_timeouts()  # must not build a list of half a billion indexes
