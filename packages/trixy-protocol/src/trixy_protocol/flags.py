"""Option flags of a TRXI frame header (offset 24, uint32 big-endian)."""

from __future__ import annotations

import enum

from .errors import UnknownFlagError


class Flags(enum.IntFlag):
    """Option bits; unknown bits in a received frame are an error, never ignored.

    Transform flags (GZIP, ENCRYPTED, BASE64) are applied when sending in the order
    serialize -> gzip -> encrypt -> base64 and reversed when receiving.
    """

    NONE = 0
    #: payload is gzip-compressed (RFC 1952), decompressed size bounded by the receiver
    GZIP = 1
    #: payload is AES-256-GCM: 12-byte nonce || ciphertext || 16-byte tag
    ENCRYPTED = 2
    #: serialization is UTF-8 JSON; without this flag it is msgpack
    JSON = 4
    #: the receiver must answer with a ``Received(md5, timestamp_us)`` command
    ACK_REQUESTED = 8
    #: payload is base64 (RFC 4648, standard alphabet, padded) text
    BASE64 = 16
    #: this frame is one part of a multipart message (payload starts with a 12-byte part header)
    MULTIPART = 32
    #: payload is a plain map (dict), not a registered class; the class name may be empty
    DICT = 64
    #: do not write a debug log line for this frame (audio chunks, keep-alive noise)
    SILENT = 128


KNOWN_FLAGS_MASK = int(
    Flags.GZIP
    | Flags.ENCRYPTED
    | Flags.JSON
    | Flags.ACK_REQUESTED
    | Flags.BASE64
    | Flags.MULTIPART
    | Flags.DICT
    | Flags.SILENT
)


def check_flags(value: int, *, class_name: str | None = None, md5: bytes | None = None) -> Flags:
    """Return ``value`` as :class:`Flags`, or raise :class:`UnknownFlagError` for unknown bits."""
    unknown = value & ~KNOWN_FLAGS_MASK
    if unknown:
        raise UnknownFlagError(
            f"frame sets unknown option bits 0x{unknown:08x} (known: 0x{KNOWN_FLAGS_MASK:08x}); "
            "the peer speaks a newer protocol or is broken - upgrade this side or fix the sender",
            class_name=class_name,
            md5=md5,
        )
    return Flags(value)
