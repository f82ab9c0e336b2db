"""Each kind of bad input raises its own error, says what to do, and says whether the stream is in sync."""

from __future__ import annotations

import gzip
import hashlib
import struct

import msgpack
import pytest

from trixy_protocol import (
    BadMagicError,
    ChecksumError,
    DecompressionBombError,
    DecryptionError,
    Flags,
    FrameDecoder,
    FrameTooLargeError,
    MalformedFrameError,
    PayloadDecodeError,
    ProtocolError,
    Received,
    ShortCommand,
    ShortKind,
    TruncatedFrameError,
    UnknownCommandError,
    UnknownFlagError,
    UnsupportedVersionError,
    encode_frame,
    error_reply,
)

GOOD = encode_frame(Received(md5=b"\x01" * 16, timestamp_us=9), timestamp_us=1)


def frame(flags: int, name: bytes, payload: bytes, version=(1, 0, 0), md5: bytes | None = None) -> bytes:
    return (
        b"TRXI"
        + struct.pack(">IIIqI", *version, 1, flags)
        + (hashlib.md5(payload).digest() if md5 is None else md5)
        + struct.pack(">I", len(name))
        + name
        + struct.pack(">I", len(payload))
        + payload
    )


def assert_recovers(decoder: FrameDecoder) -> None:
    """After a recoverable error the next frame in the stream still decodes."""
    (event,) = decoder.feed(b"") or decoder.feed(GOOD)
    assert event.message == Received(md5=b"\x01" * 16, timestamp_us=9)


def raises_in_sync(data: bytes, error: type[ProtocolError], match: str, **kwargs) -> ProtocolError:
    decoder = FrameDecoder(**kwargs)
    with pytest.raises(error, match=match) as info:
        decoder.feed(data + GOOD)
    assert info.value.recoverable is True
    assert info.value.code
    assert_recovers(decoder)
    return info.value


def raises_out_of_sync(data: bytes, error: type[ProtocolError], match: str, **kwargs) -> None:
    decoder = FrameDecoder(**kwargs)
    with pytest.raises(error, match=match) as info:
        decoder.feed(data + GOOD)
    assert info.value.recoverable is False
    with pytest.raises(ProtocolError, match="out of sync"):
        decoder.feed(GOOD)


# -- stream-level errors (not recoverable) ---------------------------------------------------------
def test_wrong_magic_is_not_recoverable() -> None:
    raises_out_of_sync(b"GET / HTTP/1.1\r\n", BadMagicError, "not speaking TRXI")


def test_wrong_magic_is_detected_from_the_first_bytes() -> None:
    with pytest.raises(BadMagicError):
        FrameDecoder().feed(b"GE")


def test_trxy_magic_is_only_valid_for_helo() -> None:
    raises_out_of_sync(b"TRXYPING", BadMagicError, "TRXYHELO")


def test_other_major_version_is_unsupported() -> None:
    raises_out_of_sync(frame(0, b"Received", b"\x80", version=(2, 0, 0)), UnsupportedVersionError, "major version")


def test_impossible_class_name_length_is_not_recoverable() -> None:
    data = b"TRXI" + struct.pack(">IIIqI", 1, 0, 0, 0, 0) + bytes(16) + struct.pack(">I", 100_000)
    raises_out_of_sync(data, MalformedFrameError, "class-name length")


def test_stream_ending_inside_a_frame_is_truncated() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(GOOD[:30]) == []
    with pytest.raises(TruncatedFrameError, match="ended inside a frame"):
        decoder.eof()


# -- frame-level errors (recoverable) --------------------------------------------------------------
def test_corrupted_payload_fails_the_checksum_and_names_the_frame() -> None:
    bad = bytearray(GOOD)
    bad[-1] ^= 0xFF
    err = raises_in_sync(bytes(bad), ChecksumError, "MD5 mismatch")
    assert err.class_name == "Received" and err.md5 == GOOD[28:44]
    reply = error_reply(err)
    assert reply.code == "bad_checksum" and reply.ref_md5 == GOOD[28:44] and reply.ref_class == "Received"


def test_unregistered_class_name_is_unknown_command() -> None:
    err = raises_in_sync(frame(0, b"os.system", msgpack.packb({})), UnknownCommandError, "not registered")
    assert err.class_name == "os.system"


def test_empty_class_name_without_dict_flag_is_unknown_command() -> None:
    raises_in_sync(frame(0, b"", msgpack.packb({})), UnknownCommandError, "empty class name")


def test_unknown_option_bits_are_an_error() -> None:
    raises_in_sync(frame(1 << 8, b"Received", msgpack.packb({})), UnknownFlagError, "0x00000100")


def test_invalid_utf8_class_name_is_malformed_but_skipped() -> None:
    raises_in_sync(frame(0, b"\xff\xfe", b"\x80"), MalformedFrameError, "UTF-8")


def test_oversized_frame_is_skipped_even_when_it_arrives_in_pieces() -> None:
    big = encode_frame({"blob": b"x" * 5000})
    decoder = FrameDecoder(max_frame_size=1000)
    with pytest.raises(FrameTooLargeError, match="max_frame_size=1000"):
        decoder.feed(big[:100])
    for i in range(100, len(big), 700):  # the rest of the oversized payload is discarded as it arrives
        assert decoder.feed(big[i : i + 700]) == []
    assert_recovers(decoder)


def test_encrypted_frame_without_key_cannot_be_decrypted(samples) -> None:
    data = encode_frame(Received(b"", 1), flags=Flags.ENCRYPTED, key=samples.KEY)
    raises_in_sync(data, DecryptionError, "no key")


def test_encrypted_frame_with_wrong_key_cannot_be_decrypted(samples) -> None:
    data = encode_frame(Received(b"", 1), flags=Flags.ENCRYPTED, key=samples.KEY)
    raises_in_sync(data, DecryptionError, "wrong key", key=samples.OTHER_KEY)


def test_ciphertext_relabelled_as_another_class_fails_authentication(samples) -> None:
    data = encode_frame(samples.Small(1), flags=Flags.ENCRYPTED, key=samples.KEY, registry=samples.REGISTRY)
    payload = data[48 + 5 + 4 :]
    relabelled = frame(int(Flags.ENCRYPTED), b"Inner", payload)
    raises_in_sync(relabelled, DecryptionError, "tampered", key=samples.KEY, registry=samples.REGISTRY)


def test_too_short_ciphertext_is_a_decryption_error(samples) -> None:
    raises_in_sync(frame(int(Flags.ENCRYPTED | Flags.DICT), b"", b"short"), DecryptionError, "shorter than", key=samples.KEY)


def test_plaintext_frame_is_refused_when_encryption_is_required(samples) -> None:
    decoder = FrameDecoder(key=samples.KEY)
    decoder.require_encryption = True
    with pytest.raises(DecryptionError, match="requires encryption"):
        decoder.feed(GOOD)


@pytest.mark.parametrize(
    ("flags", "payload", "match"),
    [
        (Flags.BASE64, b"not base64!!", "base64"),
        (Flags.GZIP, b"\x1f\x8b not gzip", "gzip"),
        (Flags.GZIP, gzip.compress(msgpack.packb({}))[:-6], "truncated"),
        (Flags.GZIP, gzip.compress(msgpack.packb({})) + b"junk", "garbage"),
        (Flags.JSON, b"{not json", "JSON"),
        (Flags.JSON, b'{"a": NaN}', "JSON"),
        (Flags.JSON, b"\xff\xfe", "JSON"),
        (Flags.NONE, b"\xc1", "msgpack"),
        (Flags.NONE, b"\x81\xa1a", "msgpack"),
        (Flags.NONE, b"\x80\x80", "msgpack"),  # extra data after the map
        (Flags.NONE, b"\xd4\x05\x00", "msgpack"),  # ext type
        (Flags.NONE, b"\x93\x01\x02\x03", "must be a map"),
        (Flags.NONE, b"\x81\x01\x02", "msgpack"),  # non-str map key
    ],
)
def test_undecodable_dict_payloads_raise_payload_decode_error(flags: Flags, payload: bytes, match: str) -> None:
    raises_in_sync(frame(int(flags | Flags.DICT), b"", payload), PayloadDecodeError, match)


def test_gzip_bomb_is_refused_beyond_the_decompressed_limit() -> None:
    bomb = gzip.compress(msgpack.packb({"z": b"\x00" * (4 << 20)}), 9)
    assert len(bomb) < 10_000
    err = raises_in_sync(
        frame(int(Flags.GZIP | Flags.DICT), b"", bomb), DecompressionBombError, "inflates", max_decompressed_size=1 << 20
    )
    assert err.code == "decompression_bomb"


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"md5": b"x", "timestamp_us": 1, "evil": 1}, "unknown field 'evil'"),
        ({"md5": b"x"}, "missing required field"),
        ({"md5": "x", "timestamp_us": 1}, r"Received\.md5: expected bytes"),
        ({"md5": b"x", "timestamp_us": 1.5}, r"Received\.timestamp_us: expected int"),
        ({"md5": b"x", "timestamp_us": True}, "expected int, got bool"),
    ],
)
def test_fields_that_do_not_fit_the_class_are_payload_errors(fields: dict, match: str) -> None:
    raises_in_sync(frame(0, b"Received", msgpack.packb(fields, use_bin_type=True)), PayloadDecodeError, match)


def test_nested_field_errors_name_the_path(samples) -> None:
    import json

    data = encode_frame(samples.everything(), flags=Flags.JSON, registry=samples.REGISTRY)
    tree = json.loads(data[48 + 10 + 4 :])
    tree["colour"] = "blue"
    bad = frame(int(Flags.JSON), b"Everything", json.dumps(tree).encode())
    with pytest.raises(PayloadDecodeError, match=r"Everything\.colour: 'blue' is not a Colour"):
        FrameDecoder(registry=samples.REGISTRY).feed(bad)
    tree["colour"] = "red"
    tree["inners"][1]["blob"] = "not base64!"
    bad = frame(int(Flags.JSON), b"Everything", json.dumps(tree).encode())
    with pytest.raises(PayloadDecodeError, match=r"Everything\.inners\[1\]: Inner\.blob: invalid base64"):
        FrameDecoder(registry=samples.REGISTRY).feed(bad)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([b"x", 1, "extra"], "3 field values but the class has 2 fields"),
        ([b"x"], "missing required field"),
        ([], "missing required field"),
        (["x", 1], r"Received\.md5: expected bytes"),
        ([b"x", None], r"Received\.timestamp_us: expected int, got NoneType"),
    ],
)
def test_positional_msgpack_values_that_do_not_fit_are_payload_errors(values: list, match: str) -> None:
    raises_in_sync(frame(0, b"Received", msgpack.packb(values, use_bin_type=True)), PayloadDecodeError, match)


def test_overlong_print_text_is_skipped() -> None:
    data = b"TRXIPRNT" + struct.pack(">I", 100_000) + b"a" * 100_000
    raises_in_sync(data, FrameTooLargeError, "TRXIPRNT")


def test_print_text_must_be_utf8() -> None:
    raises_in_sync(b"TRXIPRNT\x00\x00\x00\x02\xff\xfe", PayloadDecodeError, "UTF-8")


def test_events_before_an_error_are_returned_first_and_the_error_follows() -> None:
    bad = bytearray(GOOD)
    bad[-1] ^= 1
    decoder = FrameDecoder()
    events = decoder.feed(b"TRXINOOP" + GOOD + bytes(bad) + GOOD)
    assert events[0] == ShortCommand(ShortKind.NOOP) and len(events) == 2
    assert decoder.pending_error is not None
    with pytest.raises(ChecksumError):
        decoder.feed(b"")
    assert len(decoder.feed(b"")) == 1
