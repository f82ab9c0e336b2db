"""The one exception hierarchy of trixy-protocol.

Every error says what is wrong and what to do.  ``recoverable`` tells a connection whether the
decoder is still in sync with the byte stream (the bad frame was consumed completely, so the
connection may answer with an ``ErrorCommand`` and keep reading) or not (close the connection).
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every trixy-protocol error.

    Attributes:
        recoverable: True when the decoder consumed the whole offending frame and can go on.
        code: short machine-readable code, used as ``ErrorCommand.code``.
        class_name: class name from the offending frame's header, when known.
        md5: the offending frame's MD5 as written in its header, when known.
    """

    code = "protocol_error"
    recoverable_default = False

    def __init__(
        self,
        message: str,
        *,
        recoverable: bool | None = None,
        class_name: str | None = None,
        md5: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.recoverable = self.recoverable_default if recoverable is None else recoverable
        self.class_name = class_name
        self.md5 = md5


class BadMagicError(ProtocolError):
    """The bytes do not start with ``TRXI`` (or ``TRXYHELO``): the stream is not TRXI or lost sync."""

    code = "bad_magic"


class UnsupportedVersionError(ProtocolError):
    """The frame's major version is not the one this library speaks."""

    code = "unsupported_version"

    #: (major, minor, revision) the peer's frame carried, when known
    version: tuple[int, int, int] | None = None


class MalformedFrameError(ProtocolError):
    """A header field is impossible (e.g. a class name longer than the limit, or not UTF-8)."""

    code = "malformed_frame"


class TruncatedFrameError(ProtocolError):
    """The stream ended in the middle of a frame or short command."""

    code = "truncated_frame"


class ChecksumError(ProtocolError):
    """The MD5 in the header does not match the payload bytes as received."""

    code = "bad_checksum"
    recoverable_default = True


class UnknownCommandError(ProtocolError):
    """The class name in the frame is not registered on this side."""

    code = "unknown_command"
    recoverable_default = True


class UnknownFlagError(ProtocolError):
    """The frame sets option bits this library does not know."""

    code = "unknown_flag"
    recoverable_default = True


class FrameTooLargeError(ProtocolError):
    """A frame, short-command text or reassembled message is over the configured limit."""

    code = "frame_too_large"
    recoverable_default = True


class DecryptionError(ProtocolError):
    """An encrypted payload could not be decrypted (no key, wrong key, or tampered bytes)."""

    code = "decryption_failed"
    recoverable_default = True


class PayloadDecodeError(ProtocolError):
    """The payload is not valid base64 / gzip / JSON / msgpack, or its fields do not fit the class."""

    code = "payload_invalid"
    recoverable_default = True


class DecompressionBombError(PayloadDecodeError):
    """A gzip payload inflates beyond the configured maximum decompressed size."""

    code = "decompression_bomb"


class MultipartError(ProtocolError):
    """A multipart message is inconsistent: duplicate, missing or out-of-range part, or timed out."""

    code = "multipart"
    recoverable_default = True


class TooManyErrorsError(ProtocolError):
    """The peer sent more recoverable bad frames than a link forgives (20 by default): it is broken or hostile."""

    code = "too_many_errors"


class PreLoginLimitError(ProtocolError):
    """An unauthenticated peer went past the pre-login limits (bytes sent before the accept, multipart)."""

    code = "prelogin_limit"


class MessageEncodeError(ProtocolError):
    """A message cannot be encoded (unregistered class, wrong field type, missing key, ...).

    Raised on the sending side; nothing was written.
    """

    code = "encode_failed"
    recoverable_default = True


class ConnectionClosedError(ProtocolError):
    """The peer closed the connection (or it was closed locally) while an operation waited on it."""

    code = "connection_closed"


class AckTimeoutError(ProtocolError, TimeoutError):
    """No ``Received`` acknowledgement arrived within the timeout."""

    code = "ack_timeout"
    recoverable_default = True


class WriteTimeoutError(ProtocolError, TimeoutError):
    """The peer did not read our data in time (``drain()`` timed out): it is slow or dead."""

    code = "write_timeout"


class LinkLostError(Exception):
    """The peer closed, went silent, did not read, or the connection was dropped; ``reason`` says which.

    Not a ProtocolError: nothing was wrong with the bytes, the link is simply gone (reconnect).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
