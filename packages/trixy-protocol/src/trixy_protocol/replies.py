"""Builders for the standard replies: acknowledgement and error report."""

from __future__ import annotations

from .commands.ack import Received
from .commands.errors import ErrorCommand
from .errors import ProtocolError
from .events import Frame


def make_ack(frame: Frame) -> Received:
    """The ``Received`` reply for a frame that asked for an acknowledgement."""
    return Received(md5=frame.md5, timestamp_us=frame.timestamp_us)


def error_reply(error: ProtocolError) -> ErrorCommand:
    """The ``ErrorCommand`` telling the peer what was wrong with the frame behind ``error``."""
    return ErrorCommand(
        code=error.code,
        message=str(error),
        ref_md5=error.md5 or b"",
        ref_class=error.class_name or "",
    )
