"""Payload transforms: serialize -> gzip -> encrypt -> base64 when sending, the reverse when receiving.

Each step runs only when its flag is set.  Encryption is AES-256-GCM (``cryptography``): the
payload is ``nonce (12 random bytes) || ciphertext || tag (16 bytes)``, with the frame's UTF-8
class name as associated data, so a ciphertext cannot be replayed under another class name.
Gzip output is bounded on the way in (``max_decompressed``) so a small frame cannot inflate into
gigabytes.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import zlib
from typing import Any

import msgpack
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecompressionBombError, DecryptionError, MessageEncodeError, PayloadDecodeError
from .flags import Flags

NONCE_SIZE = 12
TAG_SIZE = 16
KEY_SIZE = 32
GZIP_WBITS = 31  # zlib container = gzip (RFC 1952) with mtime 0: deterministic output

_aead_cache: dict[bytes, AESGCM] = {}
_md5 = hashlib.md5
# plain ints: IntFlag arithmetic is slow on the hot path
_GZIP = int(Flags.GZIP)
_ENCRYPTED = int(Flags.ENCRYPTED)
_BASE64 = int(Flags.BASE64)

def md5_digest(data: bytes | bytearray | memoryview) -> bytes:
    """The MD5 over a payload as TRXI headers carry it (an integrity check, not security): the one MD5 helper."""
    return _md5(data, usedforsecurity=False).digest()


def _aead(key: bytes) -> AESGCM:
    aead = _aead_cache.get(key)
    if aead is None:
        if type(key) is not bytes or len(key) != KEY_SIZE:
            raise ValueError(f"an AES-256 key must be {KEY_SIZE} bytes, got {len(key)}")
        if len(_aead_cache) > 256:
            _aead_cache.clear()
        aead = _aead_cache[key] = AESGCM(key)
    return aead


# -- serialization -----------------------------------------------------------------------------
def _reject_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not allowed in TRXI payloads")


_json_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")


_json_decoder = json.JSONDecoder(parse_constant=_reject_constant)


def serialize(tree: Any, *, as_json: bool) -> bytes:
    """Serialize a plain tree with msgpack (``use_bin_type``) or compact UTF-8 JSON."""
    try:
        if as_json:
            return _json_encoder.encode(tree).encode("utf-8")
        return msgpack.packb(tree, use_bin_type=True)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        kind = "JSON" if as_json else "msgpack"
        raise MessageEncodeError(f"cannot serialize message as {kind}: {exc}") from None


def deserialize(data: bytes, *, as_json: bool) -> Any:
    """Inverse of :func:`serialize`; raises PayloadDecodeError with the reason."""
    try:
        if as_json:
            return _json_decoder.decode(data.decode("utf-8"))
        return msgpack.unpackb(data, raw=False, strict_map_key=True, ext_hook=_reject_ext, use_list=True)
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError, msgpack.ExtraData) as exc:
        kind = "JSON" if as_json else "msgpack"
        raise PayloadDecodeError(f"payload is not valid {kind}: {exc}") from None
    except Exception as exc:  # msgpack raises a few private error types (FormatError, StackError)
        kind = "JSON" if as_json else "msgpack"
        raise PayloadDecodeError(f"payload is not valid {kind}: {type(exc).__name__}: {exc}") from None


# -- byte transforms ---------------------------------------------------------------------------
def gzip_compress(data: bytes, level: int = 6) -> bytes:
    """Gzip-compress ``data`` deterministically (mtime 0).

    The window and hash memory are sized to the data: setting up zlib's default 256 KiB of state
    costs ~10x more than compressing a small command, and a smaller window loses nothing when the
    data fits into it.  Any gzip inflater (window 15) reads the result.
    """
    size = len(data)
    wbits = 16 + min(15, max(9, (size - 1).bit_length()))
    mem_level = 1 if size < 16 * 1024 else 8
    comp = zlib.compressobj(level, zlib.DEFLATED, wbits, mem_level)
    return comp.compress(data) + comp.flush()


def gzip_decompress(data: bytes, max_size: int) -> bytes:
    """Inflate one gzip member, refusing more than ``max_size`` output bytes."""
    dec = zlib.decompressobj(GZIP_WBITS)
    try:
        out = dec.decompress(data, max_size + 1)
    except zlib.error as exc:
        raise PayloadDecodeError(f"payload is not valid gzip: {exc}") from None
    if len(out) > max_size:
        raise DecompressionBombError(
            f"gzip payload inflates beyond the limit of {max_size} bytes; refusing it "
            "(raise max_decompressed_size on the receiver if such messages are legitimate)"
        )
    if not dec.eof:
        raise PayloadDecodeError("gzip payload is truncated (no end-of-stream marker)")
    if dec.unused_data:
        raise PayloadDecodeError(f"{len(dec.unused_data)} bytes of garbage after the gzip stream")
    return out


def encrypt(data: bytes, key: bytes, aad: bytes) -> bytes:
    """AES-256-GCM: return nonce || ciphertext || tag."""
    nonce = os.urandom(NONCE_SIZE)
    return nonce + _aead(key).encrypt(nonce, data, aad)


def decrypt(data: bytes, key: bytes, aad: bytes) -> bytes:
    """Inverse of :func:`encrypt`; raises DecryptionError when the key or the bytes are wrong."""
    if len(data) < NONCE_SIZE + TAG_SIZE:
        raise DecryptionError(
            f"encrypted payload is {len(data)} bytes, shorter than nonce + tag ({NONCE_SIZE + TAG_SIZE})"
        )
    try:
        return _aead(key).decrypt(data[:NONCE_SIZE], data[NONCE_SIZE:], aad)
    except InvalidTag:
        raise DecryptionError(
            "cannot decrypt payload: wrong key or tampered bytes (check that both sides use the "
            "satellite's current key; re-register the satellite if its secret changed)"
        ) from None


def b64encode(data: bytes) -> bytes:
    """Standard padded base64 without newlines."""
    return binascii.b2a_base64(data, newline=False)


def b64decode(data: bytes) -> bytes:
    """Strict base64 decode; raises PayloadDecodeError on any invalid character or padding."""
    try:
        return binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadDecodeError(f"payload is not valid base64: {exc}") from None


def apply_transforms(
    raw: bytes, flags: int, *, key: bytes | None, aad: bytes, gzip_level: int = 6
) -> bytes:
    """Sending side: gzip -> encrypt -> base64 on serialized bytes, as ``flags`` says."""
    data = raw
    if flags & _GZIP:
        data = gzip_compress(data, gzip_level)
    if flags & _ENCRYPTED:
        if key is None:
            raise MessageEncodeError(
                "ENCRYPTED flag set but no key given; pass the peer's 32-byte key or drop the flag"
            )
        try:
            data = encrypt(data, key, aad)
        except ValueError as exc:
            raise MessageEncodeError(f"cannot encrypt: {exc}") from None
    if flags & _BASE64:
        data = b64encode(data)
    return data


def reverse_transforms(
    data: bytes, flags: int, *, key: bytes | None, aad: bytes, max_decompressed: int
) -> bytes:
    """Receiving side: base64 -> decrypt -> gunzip, as ``flags`` says; returns serialized bytes."""
    if flags & _BASE64:
        data = b64decode(data)
    if flags & _ENCRYPTED:
        if key is None:
            raise DecryptionError(
                "frame is encrypted but this connection has no key yet; the peer must finish "
                "registration/authentication before sending encrypted frames"
            )
        try:
            data = decrypt(data, key, aad)
        except ValueError as exc:
            raise DecryptionError(f"cannot decrypt: {exc}") from None
    if flags & _GZIP:
        data = gzip_decompress(data, max_decompressed)
    return data
