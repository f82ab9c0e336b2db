"""The per-connection session key and the X25519 registration key exchange, pinned to their HKDF definitions."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trixy_protocol import (
    Flags,
    FrameDecoder,
    Registered,
    RegistrationKeyExchange,
    encode_message,
    frame_key,
    new_nonce,
    new_secret,
    registration_key,
    session_key,
)
from trixy_protocol.errors import DecryptionError


def _hkdf(ikm: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def test_session_key_is_hkdf_of_the_secret_salted_with_the_challenge_nonce() -> None:
    secret, nonce = new_secret(), new_nonce()
    key = session_key(secret, nonce)
    assert key == _hkdf(secret, nonce, b"trixy session key v1")  # the definition in docs/protocol.md §8
    assert len(key) == 32 and key != secret and key != frame_key(secret)
    assert session_key(secret, nonce) == key
    assert session_key(secret, new_nonce()) != key, "each connection (nonce) must get its own key"
    assert session_key(new_secret(), nonce) != key


def test_session_key_known_answer() -> None:
    # fixed vector so an independent implementation can check itself against docs/protocol.md §8
    assert session_key(b"s" * 32, b"n" * 32).hex() == (
        "4f2f6a0dfe4ee0baf1348909faebea9dd104da2e5b928710f4e68c5a75ce9ca3"
    )
    assert session_key(b"s" * 32, b"n" * 32) != session_key(b"s" * 32, b"m" * 32)


def test_frames_of_one_session_do_not_decrypt_with_the_next_sessions_key() -> None:
    secret = new_secret()
    old, new = session_key(secret, new_nonce()), session_key(secret, new_nonce())
    (frame,) = encode_message(Registered(satellite_id="sat-1", secret=b"x" * 32), flags=Flags.ENCRYPTED, key=old)
    assert FrameDecoder(key=old).feed(frame)[0].message.satellite_id == "sat-1"
    with pytest.raises(DecryptionError):
        FrameDecoder(key=new).feed(frame)


def test_both_sides_of_the_registration_exchange_derive_the_same_key() -> None:
    satellite = RegistrationKeyExchange()
    server_key, server_public = registration_key(satellite.public_key)
    assert isinstance(server_public, bytes) and len(server_public) == 32
    assert satellite.key_for(server_public) == server_key and len(server_key) == 32
    # a second registration uses fresh ephemeral keys on both sides
    other_key, other_public = registration_key(satellite.public_key)
    assert other_public != server_public and other_key != server_key


def test_registration_key_is_hkdf_of_the_x25519_shared_secret() -> None:
    satellite = RegistrationKeyExchange()
    server_private = X25519PrivateKey.generate()
    server_public = server_private.public_key().public_bytes_raw()
    shared = server_private.exchange(X25519PublicKey.from_public_bytes(satellite.public_key))
    assert satellite.key_for(server_public) == _hkdf(shared, None, b"trixy registration key v1")


def test_registered_encrypted_with_the_exchange_key_reaches_only_the_exchanging_satellite() -> None:
    satellite, eavesdropper = RegistrationKeyExchange(), RegistrationKeyExchange()
    key, server_public = registration_key(satellite.public_key)
    secret = new_secret()
    frames = encode_message(Registered(satellite_id="sat-9", secret=secret), flags=Flags.ENCRYPTED, key=key)
    assert all(secret not in f for f in frames)
    (event,) = FrameDecoder(key=satellite.key_for(server_public)).feed(b"".join(frames))
    assert bytes(event.message.secret) == secret
    with pytest.raises(DecryptionError):
        FrameDecoder(key=eavesdropper.key_for(server_public)).feed(b"".join(frames))


@pytest.mark.parametrize("bad", [b"", b"\xab" * 31, b"\xab" * 33, bytes(32)])
def test_an_unusable_peer_key_is_a_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError):
        registration_key(bad)
    with pytest.raises(ValueError):
        RegistrationKeyExchange().key_for(bad)


def test_the_key_exchange_fields_travel_as_raw_bytes_and_older_hellos_still_decode() -> None:
    import msgpack

    from trixy_protocol import Hello, RegistrationKeyOffer, encode_frame
    from trixy_protocol.encoder import build_frame

    exchange = RegistrationKeyExchange()
    (hello,) = FrameDecoder().feed(encode_frame(Hello(mac="aa:bb:cc:dd:ee:ff", x25519_public_key=exchange.public_key)))
    assert hello.message.x25519_public_key == exchange.public_key
    key, public = registration_key(hello.message.x25519_public_key)
    (offer,) = FrameDecoder().feed(encode_frame(RegistrationKeyOffer(public_key=public)))
    assert exchange.key_for(offer.message.public_key) == key
    # a Hello from before the field was appended (10 values) takes the default: no key exchange
    old = build_frame(0, b"Hello", msgpack.packb(["aa:bb:cc:dd:ee:ff", "", "", "", "", "", "", {}, [], {}]), 1)
    (event,) = FrameDecoder().feed(old)
    assert event.message.x25519_public_key == b""
