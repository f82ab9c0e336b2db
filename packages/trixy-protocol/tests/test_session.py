"""`TrixySession`, the sans-IO link state: replies due, error counting and the pre-login limits, byte by byte."""

from __future__ import annotations

import pytest

from trixy_protocol import (
    ErrorCommand,
    FrameDecoder,
    Hello,
    Received,
    ShortKind,
    encode_frame,
    encode_message,
    encode_short,
)
from trixy_protocol.errors import PreLoginLimitError, TooManyErrorsError
from trixy_protocol.flags import Flags
from trixy_protocol.session import MAX_RECOVERABLE_ERRORS, PreLoginLimits, Side, TrixySession

HELLO = Hello(mac="aa:bb:cc:dd:ee:ff", room="Kitchen")


def bad_md5(frame: bytes) -> bytes:
    """The same frame with its header MD5 flipped (recoverable: the frame is consumed)."""
    return frame[:28] + bytes([frame[28] ^ 0xFF]) + frame[29:]


def replies(session: TrixySession) -> list:
    out = []
    for data in session.data_to_send():
        out += FrameDecoder().feed(data)
    return out


def test_a_ping_and_an_ack_request_behind_a_bad_frame_are_answered_in_the_same_call() -> None:
    session = TrixySession(Side.SERVER)
    ack_me = encode_frame(HELLO, flags=Flags.ACK_REQUESTED)
    data = bad_md5(encode_frame(HELLO)) + encode_short(ShortKind.PING) + ack_me
    events = session.receive_data(data)
    assert [getattr(e, "kind", None) for e in events] == [ShortKind.PING, None]
    answers = replies(session)
    assert isinstance(answers[0].message, ErrorCommand) and answers[0].message.code == "bad_checksum"
    assert answers[1].kind is ShortKind.PONG
    assert isinstance(answers[2].message, Received) and answers[2].message.md5 == events[1].md5
    assert session.errors == 1


def test_the_error_limit_triggers_on_the_error_after_the_twentieth() -> None:
    session = TrixySession(Side.SERVER)
    bad = bad_md5(encode_frame(HELLO))
    session.receive_data(bad * MAX_RECOVERABLE_ERRORS)
    assert session.errors == MAX_RECOVERABLE_ERRORS
    assert len(replies(session)) == MAX_RECOVERABLE_ERRORS
    with pytest.raises(TooManyErrorsError) as info:
        session.receive_data(bad)
    assert not info.value.recoverable and "21 bad frames" in str(info.value)


def test_twenty_five_bad_frames_in_one_write_close_the_link() -> None:
    session = TrixySession(Side.SATELLITE)
    with pytest.raises(TooManyErrorsError):
        session.receive_data(bad_md5(encode_frame(HELLO)) * 25)


def test_replies_are_encrypted_once_the_session_encrypts() -> None:
    key = bytes(range(32))
    session = TrixySession(Side.SATELLITE)
    session.key, session.encrypt = key, True
    session.receive_data(encode_frame(HELLO, flags=Flags.ACK_REQUESTED | Flags.ENCRYPTED, key=key))
    (ack,) = session.data_to_send()
    frame = FrameDecoder(key=key).feed(ack)[0]
    assert frame.flags & Flags.ENCRYPTED and isinstance(frame.message, Received)


def test_before_login_multipart_frames_close_the_link_and_nothing_is_held() -> None:
    session = TrixySession(Side.SERVER, prelogin=PreLoginLimits())
    parts = encode_message(HELLO, part_size=16)
    assert len(parts) > 1
    with pytest.raises(PreLoginLimitError) as info:
        session.receive_data(parts[0])
    assert not info.value.recoverable
    assert session.buffered_bytes == 0


def test_before_login_the_byte_budget_and_frame_size_are_enforced_then_lifted() -> None:
    limits = PreLoginLimits(max_frame_bytes=1024, max_bytes=4096)
    session = TrixySession(Side.SERVER, decoder=FrameDecoder(max_frame_size=1 << 20), prelogin=limits)
    assert session.decoder.max_frame_size == 1024
    session.receive_data(encode_short(ShortKind.NOOP) * 500)
    with pytest.raises(PreLoginLimitError, match="without logging in"):
        session.receive_data(encode_short(ShortKind.NOOP) * 20)
    after = TrixySession(Side.SERVER, decoder=FrameDecoder(max_frame_size=1 << 20), prelogin=limits)
    after.logged_in()
    assert after.decoder.max_frame_size == 1 << 20 and after.decoder.allow_multipart
    assert after.receive_data(b"".join(encode_message(HELLO, part_size=16)))[0].message == HELLO
    after.receive_data(encode_short(ShortKind.NOOP) * 1000)  # no byte budget after the login


def test_error_replies_are_not_sent_for_a_bad_error_command_to_avoid_ping_pong() -> None:
    session = TrixySession(Side.SERVER)
    session.receive_data(bad_md5(encode_frame(ErrorCommand(code="x", message="y"))))
    assert session.errors == 1 and session.data_to_send() == []
