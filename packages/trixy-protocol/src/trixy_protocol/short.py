"""Encoding of short commands (8 bytes, no header; PRNT carries a length-prefixed UTF-8 text)."""

from __future__ import annotations

from .errors import MessageEncodeError
from .events import ShortKind
from .header import LENGTH, SHORT_SIZE

__all__ = ["MAX_PRINT_TEXT", "SHORT_SIZE", "encode_short"]

#: Longest PRNT text accepted (UTF-8 bytes); longer texts are skipped with FrameTooLargeError.
MAX_PRINT_TEXT = 64 * 1024


def encode_short(kind: ShortKind, text: str | None = None) -> bytes:
    """Return the wire bytes of short command ``kind`` (``text`` is required for PRNT only)."""
    if kind is ShortKind.PRNT:
        if text is None:
            raise MessageEncodeError("PRNT needs a text to print")
        raw = text.encode("utf-8")
        if len(raw) > MAX_PRINT_TEXT:
            raise MessageEncodeError(f"PRNT text is {len(raw)} bytes, more than {MAX_PRINT_TEXT}; shorten it")
        return kind.value + LENGTH.pack(len(raw)) + raw
    if text is not None:
        raise MessageEncodeError(f"{kind.name} carries no text; only PRNT does")
    return kind.value
