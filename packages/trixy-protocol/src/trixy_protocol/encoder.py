"""Sans-IO encoding: a registered dataclass (or a dict) -> the bytes of one or more TRXI frames.

Order on the sending side: fields -> plain value (msgpack: array of field values; JSON: object)
-> serialize (msgpack, or JSON with ``Flags.JSON``)
-> gzip -> encrypt -> base64 -> [split into parts] -> MD5 per frame -> header.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

import msgpack

from .errors import MessageEncodeError
from .fieldcodec import FieldValueError, check_plain
from .flags import KNOWN_FLAGS_MASK, Flags
from .header import FIXED_HEADER, LENGTH, MAGIC, PART_HEADER, PROTOCOL_VERSION
from .registry import DEFAULT_REGISTRY, CommandRegistry
from .transforms import apply_transforms, md5_digest, serialize

#: Default size of the data slice in one multipart part (the part's payload adds 12 bytes).
DEFAULT_PART_SIZE = 256 * 1024

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_message_ids = itertools.count(1)

_pack_head = FIXED_HEADER.pack
_pack_len = LENGTH.pack
_JSON = int(Flags.JSON)
_DICT = int(Flags.DICT)
_MULTIPART = int(Flags.MULTIPART)
_TRANSFORMS = int(Flags.GZIP | Flags.ENCRYPTED | Flags.BASE64)
_UNKNOWN = ~KNOWN_FLAGS_MASK
_SLOW_FLAGS = ~int(Flags.ACK_REQUESTED | Flags.SILENT) & 0xFFFFFFFF
_DEFAULT_BY_CLASS = DEFAULT_REGISTRY._by_class
_time_ns = time.time_ns
# One shared Packer: it runs entirely in C without Python callbacks, so under the GIL a call
# cannot interleave with another thread's call.
_packer = msgpack.Packer(use_bin_type=True, autoreset=True)


def next_message_id() -> int:
    """A process-wide 32-bit multipart message id (wraps around)."""
    return next(_message_ids) & 0xFFFFFFFF


def encode_payload(
    message: Any,
    flags: int = 0,
    *,
    key: bytes | None = None,
    registry: CommandRegistry | None = None,
    gzip_level: int = 6,
) -> tuple[int, bytes, bytes]:
    """Serialize and transform ``message``; return (flags, class-name bytes, wire payload).

    A ``dict`` sets ``Flags.DICT`` and an empty class name; anything else must be an instance of a
    registered dataclass.
    """
    if type(flags) is not int:
        flags = int(flags)
    if flags & _UNKNOWN:
        raise MessageEncodeError(f"unknown flag bits 0x{flags & _UNKNOWN:x}; use trixy_protocol.Flags")
    as_json = flags & _JSON != 0
    spec = (_DEFAULT_BY_CLASS if registry is None else registry._by_class).get(type(message))
    if spec is not None:
        if flags & _DICT:
            raise MessageEncodeError(f"Flags.DICT is set but the message is a {spec.name}, not a dict")
        name = spec.name_bytes
        tree = spec.to_wire(message, json=as_json)
    elif type(message) is dict:
        flags |= _DICT
        try:
            check_plain(message, json=as_json)
        except FieldValueError as exc:
            raise MessageEncodeError(f"dict message field {exc.path or '?'}: {exc.message}") from None
        name = b""
        tree = message
    else:
        raise MessageEncodeError(
            f"{type(message).__name__} is not a registered command; decorate it with @register_command "
            "(or send a plain dict)"
        )
    if as_json:
        data = serialize(tree, as_json=True)
    else:
        try:
            data = _packer.pack(tree)
        except (TypeError, ValueError, OverflowError) as exc:
            raise MessageEncodeError(f"cannot serialize {spec.name if spec else 'dict'} as msgpack: {exc}") from None
    if flags & _TRANSFORMS:
        data = apply_transforms(data, flags, key=key, aad=name, gzip_level=gzip_level)
    return flags, name, data


def build_frame(
    flags: int,
    name: bytes,
    payload: bytes,
    timestamp_us: int,
    version: tuple[int, int, int] = PROTOCOL_VERSION,
) -> bytes:
    """Assemble one frame from already transformed payload bytes (computes the MD5)."""
    major, minor, revision = version
    head = _pack_head(MAGIC, major, minor, revision, timestamp_us, flags, md5_digest(payload), len(name))
    return b"".join((head, name, _pack_len(len(payload)), payload))


def _timestamp(timestamp_us: int | None) -> int:
    if timestamp_us is None:
        return _time_ns() // 1000
    if type(timestamp_us) is not int or not _INT64_MIN <= timestamp_us <= _INT64_MAX:
        raise MessageEncodeError(f"timestamp_us must be an int64, got {timestamp_us!r}")
    return timestamp_us


def encode_frame(
    message: Any,
    *,
    flags: int = 0,
    key: bytes | None = None,
    timestamp_us: int | None = None,
    registry: CommandRegistry | None = None,
    gzip_level: int = 6,
    version: tuple[int, int, int] = PROTOCOL_VERSION,
) -> bytes:
    """Encode ``message`` as exactly one frame (no multipart split; see :func:`encode_message`).

    ``flags`` chooses JSON/gzip/encryption/base64/ack/silent; ``key`` is the 32-byte AES key used
    when ``Flags.ENCRYPTED`` is set; ``timestamp_us`` defaults to now.
    """
    if type(flags) is not int:
        flags = int(flags)
    ts = _time_ns() // 1000 if timestamp_us is None else _timestamp(timestamp_us)
    if not flags & _SLOW_FLAGS and registry is None:
        # fast path: a registered class, msgpack, no transforms (the common small command)
        spec = _DEFAULT_BY_CLASS.get(type(message))
        if spec is not None:
            try:
                payload = _packer.pack(spec.to_msgpack(message))
            except (TypeError, ValueError, OverflowError) as exc:
                raise MessageEncodeError(f"cannot serialize {spec.name} as msgpack: {exc}") from None
            name = spec.name_bytes
            major, minor, revision = version
            size = len(payload)
            digest = md5_digest(payload)
            head = _pack_head(MAGIC, major, minor, revision, ts, flags, digest, len(name))
            return b"".join((head, name, _pack_len(size), payload))
    if flags & _MULTIPART:
        raise MessageEncodeError("Flags.MULTIPART is set by encode_message() itself; do not pass it")
    fl, name, payload = encode_payload(message, flags, key=key, registry=registry, gzip_level=gzip_level)
    size = len(payload)
    if size > 0xFFFFFFFF:
        raise MessageEncodeError("payload over 4 GiB cannot be framed; use encode_message() to split it")
    major, minor, revision = version
    head = _pack_head(MAGIC, major, minor, revision, ts, fl, md5_digest(payload), len(name))
    return b"".join((head, name, _pack_len(size), payload))


def split_payload(
    flags: int,
    name: bytes,
    payload: bytes,
    timestamp_us: int,
    *,
    part_size: int,
    message_id: int,
    version: tuple[int, int, int] = PROTOCOL_VERSION,
) -> list[bytes]:
    """Split a transformed payload into multipart frames (each payload: id, index, count, slice)."""
    if part_size <= 0:
        raise MessageEncodeError(f"part_size must be positive, got {part_size}")
    count = -(-len(payload) // part_size)
    if count > 0xFFFFFFFF:
        raise MessageEncodeError("too many parts; raise part_size")
    view = memoryview(payload)
    flags |= _MULTIPART
    major, minor, revision = version
    frames = []
    for index in range(count):
        part_head = PART_HEADER.pack(message_id, index, count)
        piece = view[index * part_size : (index + 1) * part_size]
        digest = hashlib.md5(part_head)
        digest.update(piece)
        head = _pack_head(MAGIC, major, minor, revision, timestamp_us, flags, digest.digest(), len(name))
        frames.append(b"".join((head, name, _pack_len(len(part_head) + len(piece)), part_head, piece)))
    return frames


def encode_message(
    message: Any,
    *,
    flags: int = 0,
    key: bytes | None = None,
    timestamp_us: int | None = None,
    part_size: int = DEFAULT_PART_SIZE,
    message_id: int | None = None,
    registry: CommandRegistry | None = None,
    gzip_level: int = 6,
    version: tuple[int, int, int] = PROTOCOL_VERSION,
) -> list[bytes]:
    """Encode ``message`` as one frame, or as multipart frames when its transformed payload > ``part_size``.

    All transforms apply to the whole message before splitting; every part carries the same flags
    (plus MULTIPART), class name and timestamp, and its own MD5.
    """
    if int(flags) & _MULTIPART:
        raise MessageEncodeError("Flags.MULTIPART is set automatically; do not pass it")
    ts = _timestamp(timestamp_us)
    fl, name, payload = encode_payload(message, flags, key=key, registry=registry, gzip_level=gzip_level)
    if len(payload) <= part_size:
        return [build_frame(fl, name, payload, ts, version)]
    mid = next_message_id() if message_id is None else message_id & 0xFFFFFFFF
    return split_payload(fl, name, payload, ts, part_size=part_size, message_id=mid, version=version)


def multipart_md5(frames: list[bytes]) -> bytes:
    """MD5 a receiver echoes in ``Received`` for the message sent as ``frames``.

    That is the header MD5 of the last frame (for a multipart message: of the part with the highest
    index, whose payload includes the message id).
    """
    return bytes(frames[-1][28:44])
