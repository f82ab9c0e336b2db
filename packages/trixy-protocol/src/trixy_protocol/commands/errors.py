"""Error reports between peers (the reply to a bad frame that left the stream in sync)."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import register_command


@register_command
@dataclass(slots=True)
class ErrorCommand:
    """either side: something you sent could not be handled.

    ``code`` is ``ProtocolError.code`` for protocol-level errors (bad_checksum, unknown_command,
    unknown_flag, frame_too_large, decryption_failed, payload_invalid, decompression_bomb,
    multipart, malformed_frame) or an application code (not_allowed, not_registered, internal, ...).
    """

    code: str
    """machine-readable error code"""
    message: str = ""
    """what is wrong and what to do"""
    ref_md5: bytes = b""
    """MD5 (header value) of the offending frame, empty when unknown"""
    ref_class: str = ""
    """class name of the offending frame, when known"""
