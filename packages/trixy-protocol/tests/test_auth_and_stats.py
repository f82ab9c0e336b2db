"""Challenge digests, frame-key derivation and traffic counters."""

from __future__ import annotations

import datetime

from trixy_protocol import (
    TrafficCounter,
    challenge_digest,
    frame_key,
    new_nonce,
    new_secret,
    verify_challenge,
)


def test_challenge_digest_proves_the_secret_without_revealing_it() -> None:
    secret, nonce = new_secret(), new_nonce()
    digest = challenge_digest(secret, nonce, "sat-1")
    assert len(digest) == 32 and secret not in digest
    assert verify_challenge(secret, nonce, "sat-1", digest)
    assert not verify_challenge(secret, nonce, "sat-2", digest)
    assert not verify_challenge(new_secret(), nonce, "sat-1", digest)
    assert not verify_challenge(secret, new_nonce(), "sat-1", digest)


def test_frame_key_is_32_bytes_deterministic_and_not_the_secret() -> None:
    secret = bytes(32)
    assert frame_key(secret) == frame_key(secret)
    assert len(frame_key(secret)) == 32 and frame_key(secret) != secret
    assert frame_key(b"\x01" * 32) != frame_key(secret)


def test_traffic_counter_resets_today_at_midnight_but_keeps_the_total() -> None:
    day = [datetime.date(2026, 11, 25)]
    counter = TrafficCounter(today=lambda: day[0])
    counter.add(100)
    counter.add(50)
    assert (counter.total, counter.today) == (150, 150)
    day[0] = datetime.date(2026, 11, 26)
    assert counter.today == 0
    counter.add(7)
    assert (counter.total, counter.today) == (157, 7)
