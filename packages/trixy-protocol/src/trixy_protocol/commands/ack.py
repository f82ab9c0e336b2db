"""Acknowledgement of frames sent with ``Flags.ACK_REQUESTED``."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import register_command


@register_command
@dataclass(slots=True)
class Received:
    """either side: the frame with this MD5 and timestamp arrived and decoded.

    For a multipart message ``md5`` is the header MD5 of its last part (see docs/protocol.md).
    """

    md5: bytes
    """header MD5 of the acknowledged frame (multipart: of its last part, the highest index)"""
    timestamp_us: int
    """timestamp from the acknowledged frame's header"""
