"""Byte-exact frames checked against the header table, with expected bytes built by hand."""

from __future__ import annotations

import hashlib
import struct

from trixy_protocol import (
    Flags,
    FrameDecoder,
    Received,
    ShortCommand,
    ShortKind,
    encode_frame,
    encode_message,
    encode_short,
)

TS = 1_764_000_000_123_456  # 2025-11-24T16:00:00.123456Z in microseconds


def hand_frame(flags: int, name: bytes, payload: bytes, ts: int = TS, version=(1, 0, 0)) -> bytes:
    """A frame laid out field by field from the table in docs/protocol.md."""
    return (
        b"TRXI"
        + struct.pack(">I", version[0])
        + struct.pack(">I", version[1])
        + struct.pack(">I", version[2])
        + struct.pack(">q", ts)
        + struct.pack(">I", flags)
        + hashlib.md5(payload).digest()
        + struct.pack(">I", len(name))
        + name
        + struct.pack(">I", len(payload))
        + payload
    )


# msgpack of Received(md5=<16 x 0xAB>, timestamp_us=5): an array of the field values, by hand
RECEIVED_MSGPACK = (
    b"\x92"  # fixarray, 2 elements (fields in declaration order)
    + b"\xc4\x10"
    + b"\xab" * 16  # bin8, 16 bytes: md5
    + b"\x05"  # positive fixint 5: timestamp_us
)
# the same fields as a map, which receivers also accept
RECEIVED_MSGPACK_MAP = b"\x82\xa3md5\xc4\x10" + b"\xab" * 16 + b"\xactimestamp_us\x05"


def test_binary_frame_matches_the_table_byte_for_byte() -> None:
    frame = encode_frame(Received(md5=b"\xab" * 16, timestamp_us=5), timestamp_us=TS)
    assert frame == hand_frame(0, b"Received", RECEIVED_MSGPACK)
    # the fixed offsets of the table
    assert frame[0:4] == b"TRXI"
    assert struct.unpack(">III", frame[4:16]) == (1, 0, 0)
    assert struct.unpack(">q", frame[16:24]) == (TS,)
    assert struct.unpack(">I", frame[24:28]) == (0,)
    assert frame[28:44] == hashlib.md5(RECEIVED_MSGPACK).digest()
    assert struct.unpack(">I", frame[44:48]) == (8,)
    assert frame[48:56] == b"Received"
    assert struct.unpack(">I", frame[56:60]) == (len(RECEIVED_MSGPACK),)
    assert frame[60:] == RECEIVED_MSGPACK


def test_json_frame_carries_bytes_as_base64_strings() -> None:
    frame = encode_frame(Received(md5=b"\xab" * 16, timestamp_us=5), flags=Flags.JSON, timestamp_us=TS)
    payload = b'{"md5":"q6urq6urq6urq6urq6urqw==","timestamp_us":5}'
    assert frame == hand_frame(4, b"Received", payload)


def test_dict_frame_has_empty_class_name_and_dict_flag() -> None:
    frame = encode_frame({"a": 1}, flags=Flags.ACK_REQUESTED, timestamp_us=-1)
    assert frame == hand_frame(64 | 8, b"", b"\x81\xa1a\x01", ts=-1)


def test_base64_frame_md5_covers_the_base64_text_as_sent() -> None:
    frame = encode_frame({"a": 1}, flags=Flags.BASE64, timestamp_us=TS)
    assert frame == hand_frame(64 | 16, b"", b"gaFhAQ==")


def test_multipart_parts_carry_id_index_count_and_slices() -> None:
    payload = b"\x81\xa1k\xc4\x0a" + bytes(range(10))  # {"k": bin(10 bytes)}: 15 bytes
    frames = encode_message({"k": bytes(range(10))}, part_size=6, message_id=0x01020304, timestamp_us=TS)
    expected = [
        hand_frame(64 | 32, b"", struct.pack(">III", 0x01020304, i, 3) + payload[i * 6 : (i + 1) * 6])
        for i in range(3)
    ]
    assert frames == expected
    decoder = FrameDecoder()
    (event,) = [e for f in frames for e in decoder.feed(f)]
    assert event.md5 == frames[2][28:44]  # what Received echoes for a multipart message: the last part's MD5
    assert event.parts == 3 and event.payload_size == sum(12 + len(payload[i * 6 : (i + 1) * 6]) for i in range(3))


def test_short_commands_are_exact_bytes() -> None:
    assert encode_short(ShortKind.NOOP) == b"TRXINOOP"
    assert encode_short(ShortKind.PING) == b"TRXIPING"
    assert encode_short(ShortKind.PONG) == b"TRXIPONG"
    assert encode_short(ShortKind.HELO) == b"TRXYHELO"
    assert encode_short(ShortKind.BYE) == b"TRXIBYE_"
    assert encode_short(ShortKind.PRNT, "hé") == b"TRXIPRNT" + struct.pack(">I", 3) + "hé".encode()


def test_hand_built_frames_and_short_commands_decode() -> None:
    stream = (
        b"TRXYHELO"
        + hand_frame(0, b"Received", RECEIVED_MSGPACK)
        + b"TRXIPRNT\x00\x00\x00\x02hi"
        + b"TRXINOOP"
        + b"TRXIBYE_"
    )
    events = FrameDecoder().feed(stream)
    assert events[0] == ShortCommand(ShortKind.HELO)
    assert events[1].message == Received(md5=b"\xab" * 16, timestamp_us=5)
    assert events[1].timestamp_us == TS and events[1].version == (1, 0, 0)
    assert events[2:] == [
        ShortCommand(ShortKind.PRNT, "hi"),
        ShortCommand(ShortKind.NOOP),
        ShortCommand(ShortKind.BYE),
    ]


def test_msgpack_map_payloads_are_accepted_too() -> None:
    (event,) = FrameDecoder().feed(hand_frame(0, b"Received", RECEIVED_MSGPACK_MAP))
    assert event.message == Received(md5=b"\xab" * 16, timestamp_us=5)


def test_newer_minor_version_is_accepted() -> None:
    (event,) = FrameDecoder().feed(hand_frame(0, b"Received", RECEIVED_MSGPACK, version=(1, 7, 3)))
    assert event.version == (1, 7, 3)


def test_worked_example_in_the_docs_is_byte_exact() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = doc.split("## 10. Worked example", 1)[1].split("```", 2)[1]
    hex_bytes = "".join(line[6:53] for line in section.strip().splitlines())
    expected = bytes.fromhex(hex_bytes.replace(" ", ""))
    frame = encode_frame(
        Received(md5=bytes.fromhex("00112233445566778899aabbccddeeff"), timestamp_us=1764000000123456),
        timestamp_us=1764000000654321,
    )
    assert frame == expected and len(frame) == 88
