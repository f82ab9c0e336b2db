"""Hypothesis: any chunking decodes the same events; random and mutated bytes only raise documented errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trixy_protocol import (
    Flags,
    FrameDecoder,
    ProtocolError,
    ShortCommand,
    ShortKind,
    encode_frame,
    encode_message,
    encode_short,
)

KEY = bytes(range(32))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_HEAVY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
dict_messages = st.dictionaries(st.text(max_size=10), plain_values, max_size=5)
flag_sets = st.sampled_from(
    [Flags.NONE, Flags.GZIP, Flags.ENCRYPTED, Flags.BASE64, Flags.GZIP | Flags.ENCRYPTED | Flags.BASE64, Flags.SILENT]
)
shorts = st.sampled_from([k for k in ShortKind if k is not ShortKind.PRNT]).map(ShortCommand) | st.text(
    max_size=30
).map(lambda t: ShortCommand(ShortKind.PRNT, t))


def chunk(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


@st.composite
def streams(draw) -> tuple[bytes, list]:
    """A byte stream of frames (some multipart) and short commands, with the events it must decode to."""
    data = b""
    expected = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            short = draw(shorts)
            data += encode_short(short.kind, short.text)
            expected.append(short)
        else:
            message = draw(dict_messages)
            flags = draw(flag_sets)
            part_size = draw(st.sampled_from([7, 64, 1 << 20]))
            for frame in encode_message(message, flags=flags, key=KEY, part_size=part_size):
                data += frame
            expected.append(message)
    return data, expected


def decode_stream(pieces: list[bytes]) -> list:
    decoder = FrameDecoder(key=KEY)
    events = []
    for piece in pieces:
        events += decoder.feed(piece)
    decoder.eof()
    return [e if isinstance(e, ShortCommand) else e.message for e in events]


@FUZZ_HEAVY
@given(streams(), st.lists(st.integers(min_value=0), max_size=40))
def test_any_segmentation_decodes_to_the_same_events(stream, cuts) -> None:
    data, expected = stream
    assert decode_stream(chunk(data, cuts)) == expected


@FUZZ_HEAVY
@given(streams())
def test_byte_by_byte_feeding_decodes_to_the_same_events(stream) -> None:
    data, expected = stream
    assert decode_stream([data[i : i + 1] for i in range(len(data))]) == expected


def feed_expecting_only_protocol_errors(pieces: list[bytes], **kwargs) -> None:
    """Feed until a non-recoverable error; anything but ProtocolError fails the test."""
    decoder = FrameDecoder(key=KEY, max_frame_size=4096, max_message_size=8192, **kwargs)
    for piece in [*pieces, b"", b""]:
        try:
            decoder.feed(piece)
        except ProtocolError as exc:
            assert isinstance(exc.recoverable, bool) and str(exc)
            if not exc.recoverable:
                return
    try:
        decoder.eof()
    except ProtocolError:
        pass


@FUZZ
@given(st.binary(max_size=600), st.lists(st.integers(min_value=0), max_size=10))
def test_random_bytes_raise_only_documented_errors(data, cuts) -> None:
    feed_expecting_only_protocol_errors(chunk(data, cuts))


@FUZZ
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=10))
def test_random_bytes_after_a_valid_prefix_raise_only_documented_errors(data, cuts) -> None:
    prefix = encode_frame({"a": 1}) + b"TRXIPRNT\x00\x00\x00\x01x" + b"TRXI\x00\x00\x00\x01"
    feed_expecting_only_protocol_errors(chunk(prefix + data, cuts))


@st.composite
def mutated_streams(draw) -> bytes:
    data = bytearray(draw(streams())[0])
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif kind == "truncate":
            del data[pos:]
    return bytes(data)


@FUZZ_HEAVY
@given(mutated_streams(), st.lists(st.integers(min_value=0), max_size=20))
def test_mutated_valid_streams_raise_only_documented_errors(data, cuts) -> None:
    feed_expecting_only_protocol_errors(chunk(data, cuts))


@FUZZ
@given(st.data())
def test_mutated_header_fields_of_a_typed_frame_raise_only_documented_errors(data) -> None:
    from trixy_protocol import Received

    frame = bytearray(encode_frame(Received(md5=b"\x00" * 16, timestamp_us=1), flags=Flags.ACK_REQUESTED))
    offset = data.draw(st.integers(0, len(frame) - 1))
    frame[offset] = data.draw(st.integers(0, 255))
    feed_expecting_only_protocol_errors([bytes(frame), bytes(frame)])


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 7])
def test_partial_magic_waits_for_more(size: int) -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b"TRXIPING"[:size]) == []
    assert decoder.feed(b"TRXIPING"[size:]) == [ShortCommand(ShortKind.PING)]


@st.composite
def framed_garbage(draw) -> bytes:
    """Frames with a valid header and MD5 around random or mutated payloads: reaches the payload decoders."""
    from trixy_protocol import DEFAULT_REGISTRY
    from trixy_protocol.encoder import build_frame

    name = draw(st.sampled_from([*DEFAULT_REGISTRY.names(), ""]))
    flags = draw(st.integers(0, 255)) & ~int(Flags.MULTIPART)
    if draw(st.booleans()):
        payload = draw(st.binary(max_size=200))
    else:  # a valid msgpack/JSON payload of another command, mutated
        other = encode_frame({"k": draw(plain_values)})
        payload = bytearray(other[52:])
        if flags & Flags.JSON:
            payload = bytearray(b'{"k": [1, "x", null, {"y": 2.5}], "z": "' + bytes(payload[:20]).hex().encode() + b'"}')
        for _ in range(draw(st.integers(0, 3))):
            if payload:
                payload[draw(st.integers(0, len(payload) - 1))] = draw(st.integers(0, 255))
        payload = bytes(payload)
    return build_frame(flags, name.encode(), payload, 1)


@FUZZ
@given(st.lists(framed_garbage(), min_size=1, max_size=4))
def test_payload_decoders_raise_only_documented_errors(frames) -> None:
    feed_expecting_only_protocol_errors(frames)
