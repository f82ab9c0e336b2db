"""The decoder's fast path: complete v1 frames without transforms, multipart or DICT, straight from the caller's
bytes (most traffic: small commands). Anything unusual, every error included, is left to the general parser."""

from __future__ import annotations

from collections.abc import Mapping

import msgpack

from .events import Event, Frame
from .flags import KNOWN_FLAGS_MASK, Flags
from .header import (
    CLASS_NAME_OFFSET,
    FIXED_HEADER,
    LENGTH,
    MAGIC,
    MAX_CLASS_NAME_LENGTH,
    MIN_FRAME_SIZE,
    PROTOCOL_VERSION,
)
from .spec import CommandSpec
from .transforms import _reject_ext, md5_digest

#: Flags objects by value, built once (IntFlag construction is slow on the hot path)
FLAGS_CACHE: dict[int, Flags] = {v: Flags(v) for v in range(KNOWN_FLAGS_MASK + 1)}
_unpack_head = FIXED_HEADER.unpack_from
_unpack_len = LENGTH.unpack_from
_unpackb = msgpack.unpackb
_FRAME_PREFIX = MAGIC + PROTOCOL_VERSION[0].to_bytes(4, "big")
_SLOW_FLAGS = ~int(Flags.ACK_REQUESTED | Flags.SILENT) & 0xFFFFFFFF
_V1_0_0 = (1, 0, 0)
_LEN = LENGTH.size


def decode_plain_frames(data: bytes, events: list[Event], specs: Mapping[bytes, CommandSpec], max_frame: int) -> int:
    """Decode plain frames from the start of ``data`` into ``events``; the position of the first byte not handled."""
    pos = 0
    n = len(data)
    while n - pos >= MIN_FRAME_SIZE and data.startswith(_FRAME_PREFIX, pos):
        _, _, minor, revision, timestamp_us, flags, md5, name_len = _unpack_head(data, pos)
        if flags & _SLOW_FLAGS or name_len > MAX_CLASS_NAME_LENGTH:
            break
        name_end = pos + CLASS_NAME_OFFSET + name_len
        if n < name_end + _LEN:
            break
        (payload_len,) = _unpack_len(data, name_end)
        end = name_end + _LEN + payload_len
        if end > n or payload_len > max_frame:
            break
        payload = data[name_end + _LEN : end]
        spec = specs.get(data[pos + CLASS_NAME_OFFSET : name_end])
        if spec is None or md5_digest(payload) != md5:
            break
        try:
            message = spec.from_msgpack(_unpackb(payload, ext_hook=_reject_ext))
        except Exception:
            break
        version = _V1_0_0 if not minor and not revision else (1, minor, revision)
        events.append(Frame(version, timestamp_us, FLAGS_CACHE[flags], md5, spec.name, message, payload_len))
        pos = end
    return pos
