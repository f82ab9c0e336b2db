"""Every combination of option flags round-trips through encode and decode."""

from __future__ import annotations

import itertools

import msgpack
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trixy_protocol import Flags, FrameDecoder, MessageEncodeError, encode_frame, encode_message

TRANSFORM_FLAGS = [Flags.GZIP, Flags.ENCRYPTED, Flags.JSON, Flags.ACK_REQUESTED, Flags.BASE64, Flags.SILENT]
COMBINATIONS = [
    Flags(sum(combo)) for n in range(len(TRANSFORM_FLAGS) + 1) for combo in itertools.combinations(TRANSFORM_FLAGS, n)
]
DICT_MESSAGE = {"room": "Küche", "n": 3, "nested": {"list": [1, None, 2.5, "s"]}, "ok": True}


def decode_all(frames: list[bytes], samples) -> list:
    decoder = FrameDecoder(key=samples.KEY, registry=samples.REGISTRY)
    events = []
    for frame in frames:
        events += decoder.feed(frame)
    assert decoder.buffered == 0
    return events


@pytest.mark.parametrize("multipart", [False, True], ids=["single", "multipart"])
@pytest.mark.parametrize("flags", COMBINATIONS, ids=lambda f: f"flags{int(f)}")
def test_dataclass_round_trips_with_every_flag_combination(flags: Flags, multipart: bool, samples) -> None:
    message = samples.everything()
    if multipart:
        frames = encode_message(message, flags=flags, key=samples.KEY, registry=samples.REGISTRY, part_size=16)
        assert len(frames) > 2
    else:
        frames = [encode_frame(message, flags=flags, key=samples.KEY, registry=samples.REGISTRY)]
    (event,) = decode_all(frames, samples)
    assert event.message == message
    assert event.class_name == "Everything"
    assert event.flags == flags | (Flags.MULTIPART if multipart else Flags.NONE)
    assert event.parts == len(frames)
    assert event.ack_requested == bool(flags & Flags.ACK_REQUESTED)
    assert event.silent == bool(flags & Flags.SILENT)


@pytest.mark.parametrize("multipart", [False, True], ids=["single", "multipart"])
@pytest.mark.parametrize("flags", COMBINATIONS, ids=lambda f: f"flags{int(f)}")
def test_dict_round_trips_with_every_flag_combination(flags: Flags, multipart: bool, samples) -> None:
    frames = encode_message(DICT_MESSAGE, flags=flags, key=samples.KEY, part_size=8 if multipart else 1 << 20)
    (event,) = decode_all(frames, samples)
    assert event.message == DICT_MESSAGE
    assert event.class_name == ""
    assert event.flags & Flags.DICT
    assert bool(event.flags & Flags.MULTIPART) == multipart


def test_bytes_in_dict_message_travel_in_msgpack_but_are_refused_in_json(samples) -> None:
    (event,) = decode_all([encode_frame({"b": b"\x00\x01"})], samples)
    assert event.message == {"b": b"\x00\x01"}
    with pytest.raises(MessageEncodeError, match="bytes cannot travel in a JSON"):
        encode_frame({"b": b"\x00"}, flags=Flags.JSON)


def test_encrypted_payload_is_nonce_ciphertext_tag_with_class_name_as_aad(samples) -> None:
    first = encode_frame(samples.Small(1), flags=Flags.ENCRYPTED, key=samples.KEY, registry=samples.REGISTRY)
    second = encode_frame(samples.Small(1), flags=Flags.ENCRYPTED, key=samples.KEY, registry=samples.REGISTRY)
    plain = msgpack.packb([1, "x"], use_bin_type=True)  # msgpack: array of field values
    payload = first[48 + len(b"Small") + 4 :]
    assert len(payload) == 12 + len(plain) + 16
    assert AESGCM(samples.KEY).decrypt(payload[:12], payload[12:], b"Small") == plain
    assert first[57:] != second[57:]  # a fresh random nonce per frame


def test_transform_order_is_gzip_then_encrypt_then_base64(samples) -> None:
    import base64
    import gzip

    frame = encode_frame(
        samples.Small(5, "y" * 200),
        flags=Flags.GZIP | Flags.ENCRYPTED | Flags.BASE64,
        key=samples.KEY,
        registry=samples.REGISTRY,
        timestamp_us=1,
    )
    payload = frame[57:]
    sealed = base64.b64decode(payload, validate=True)
    compressed = AESGCM(samples.KEY).decrypt(sealed[:12], sealed[12:], b"Small")
    assert msgpack.unpackb(gzip.decompress(compressed)) == [5, "y" * 200]
