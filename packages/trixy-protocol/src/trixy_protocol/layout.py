"""Where an event ends, and the error for a frame of another major version: pure functions over header bytes.

``event_size`` lets a reader take exactly one event off a stream (an audio-socket handshake followed by raw PCM)
without parsing anything twice; the decoder still judges the bytes.
"""

from __future__ import annotations

from .errors import UnsupportedVersionError
from .events import SHORT_CODES, ShortKind
from .header import (
    CLASS_NAME_OFFSET,
    FIXED_HEADER_SIZE,
    LENGTH,
    MAGIC,
    MAX_CLASS_NAME_LENGTH,
    MIN_FRAME_SIZE,
    PRINT_HEADER_SIZE,
    PROTOCOL_VERSION,
    SHORT_SIZE,
)

_unpack_len = LENGTH.unpack_from


def event_size(head: bytes | bytearray) -> int:
    """Bytes of the whole event (short command or frame) that ``head`` starts; while ``head`` is too short to tell,
    the length of the prefix to read first."""
    n = len(head)
    if n < SHORT_SIZE:
        return SHORT_SIZE
    if not head.startswith(MAGIC):
        return SHORT_SIZE  # TRXYHELO, or junk the decoder will refuse
    kind = SHORT_CODES.get(bytes(head[len(MAGIC) : SHORT_SIZE]))
    if kind is ShortKind.PRNT:
        if n < PRINT_HEADER_SIZE:
            return PRINT_HEADER_SIZE
        return PRINT_HEADER_SIZE + _unpack_len(head, SHORT_SIZE)[0]
    if kind is not None:
        return SHORT_SIZE
    if n < FIXED_HEADER_SIZE:
        return FIXED_HEADER_SIZE
    name_len = _unpack_len(head, FIXED_HEADER_SIZE - LENGTH.size)[0]
    if name_len > MAX_CLASS_NAME_LENGTH:
        return n  # the decoder reports the impossible length
    if n < MIN_FRAME_SIZE + name_len:
        return MIN_FRAME_SIZE + name_len
    return MIN_FRAME_SIZE + name_len + _unpack_len(head, CLASS_NAME_OFFSET + name_len)[0]


def raise_unsupported(buf: bytearray, pos: int, major: int, minor: int, revision: int) -> None:
    """Raise UnsupportedVersionError for a frame whose major version differs from ours."""
    word = bytes(buf[pos + len(MAGIC) : pos + SHORT_SIZE])
    error = UnsupportedVersionError(
        f"frame version {major}.{minor}.{revision} (bytes 4..8 = {word!r}) is not a known short command and "
        f"its major version is not {PROTOCOL_VERSION[0]}; upgrade the older side - closing is required",
        recoverable=False,
    )
    error.version = (major, minor, revision)
    raise error
