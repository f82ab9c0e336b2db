"""What a :class:`~trixy_protocol.decoder.FrameDecoder` hands out: frames and short commands."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .flags import Flags


class ShortKind(enum.Enum):
    """Short commands: 8 bytes, no header; the value is the exact wire bytes (PRNT adds a text)."""

    #: keep-alive / heartbeat; no answer
    NOOP = b"TRXINOOP"
    #: ping; the receiver answers PONG at once
    PING = b"TRXIPING"
    #: answer to PING
    PONG = b"TRXIPONG"
    #: debugging hello; the receiver logs "Hello" (note the magic TRXY)
    HELO = b"TRXYHELO"
    #: followed by uint32 length + UTF-8 text; the receiver logs the text
    PRNT = b"TRXIPRNT"
    #: clean close: the sender will close the connection after this; no answer
    BYE = b"TRXIBYE_"


#: The 4 bytes after ``TRXI`` that make a short command (frames carry version major there).
SHORT_CODES: dict[bytes, ShortKind] = {k.value[4:]: k for k in ShortKind if k.value.startswith(b"TRXI")}


@dataclass(slots=True, frozen=True)
class ShortCommand:
    """A short command received (``text`` only for PRNT)."""

    kind: ShortKind
    text: str | None = None


@dataclass(slots=True)
class Frame:
    """One complete (and, if multipart, reassembled) message.

    ``md5`` is the header MD5 of a single frame, or for a multipart message the header MD5 of its
    last part (highest index); it is what ``Received`` echoes.  ``message`` is an instance of the
    registered class named ``class_name``, or a dict when ``Flags.DICT`` is set.
    """

    version: tuple[int, int, int]
    timestamp_us: int
    flags: Flags
    md5: bytes
    class_name: str
    message: Any
    #: payload bytes on the wire (summed over parts)
    payload_size: int
    #: number of frames this message arrived in (1 unless multipart)
    parts: int = 1

    @property
    def ack_requested(self) -> bool:
        """True when the sender asked for a ``Received`` acknowledgement."""
        return bool(self.flags & Flags.ACK_REQUESTED)

    @property
    def silent(self) -> bool:
        """True when this frame must not be debug-logged."""
        return bool(self.flags & Flags.SILENT)


Event = Frame | ShortCommand
