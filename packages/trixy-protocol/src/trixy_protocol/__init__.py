"""TRXI wire protocol: sans-IO frame codec, short commands and the command-class registry.

Bytes in, events out (:class:`FrameDecoder`); messages in, bytes out (:func:`encode_frame`,
:func:`encode_message`, :func:`encode_short`).  :mod:`trixy_protocol.aio` adds a thin asyncio
connection on top.  The command catalogue lives in :mod:`trixy_protocol.commands`.
"""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _installed_version

from . import commands
from .aio import SentMessage, TrixyConnection, connect, read_frame
from .auth import (
    RegistrationKeyExchange,
    challenge_digest,
    frame_key,
    new_nonce,
    new_secret,
    registration_key,
    session_key,
    verify_challenge,
)
from .commands import *  # noqa: F403  (the catalogue is part of the public API)
from .decoder import (
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MULTIPART_TIMEOUT,
    FrameDecoder,
)
from .encoder import DEFAULT_PART_SIZE, encode_frame, encode_message, encode_payload, multipart_md5
from .errors import (
    AckTimeoutError,
    BadMagicError,
    ChecksumError,
    ConnectionClosedError,
    DecompressionBombError,
    DecryptionError,
    FrameTooLargeError,
    LinkLostError,
    MalformedFrameError,
    MessageEncodeError,
    MultipartError,
    PayloadDecodeError,
    ProtocolError,
    TruncatedFrameError,
    UnknownCommandError,
    UnknownFlagError,
    UnsupportedVersionError,
    WriteTimeoutError,
)
from .events import Event, Frame, ShortCommand, ShortKind
from .flags import Flags
from .header import PROTOCOL_VERSION, now_us
from .queued import QueuedConnection
from .registry import DEFAULT_REGISTRY, CommandRegistry, register_command
from .replies import error_reply, make_ack
from .short import encode_short
from .stats import ConnectionStats, TrafficCounter

try:  # the one version source is the repository's VERSION file (packages/hatch_trixy.py)
    __version__ = _installed_version("trixy-protocol")
except _NotInstalled:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


__all__ = [
    "commands",
    *commands.__all__,
    "ConnectionStats",
    "SentMessage",
    "TrafficCounter",
    "TrixyConnection",
    "challenge_digest",
    "connect",
    "frame_key",
    "new_nonce",
    "new_secret",
    "read_frame",
    "registration_key",
    "RegistrationKeyExchange",
    "session_key",
    "verify_challenge",
    "DEFAULT_MAX_FRAME_SIZE",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DEFAULT_MULTIPART_TIMEOUT",
    "DEFAULT_PART_SIZE",
    "DEFAULT_REGISTRY",
    "PROTOCOL_VERSION",
    "AckTimeoutError",
    "BadMagicError",
    "ChecksumError",
    "CommandRegistry",
    "ConnectionClosedError",
    "DecompressionBombError",
    "DecryptionError",
    "Event",
    "Flags",
    "Frame",
    "FrameDecoder",
    "FrameTooLargeError",
    "LinkLostError",
    "MalformedFrameError",
    "MessageEncodeError",
    "MultipartError",
    "PayloadDecodeError",
    "ProtocolError",
    "QueuedConnection",
    "ShortCommand",
    "ShortKind",
    "TruncatedFrameError",
    "UnknownCommandError",
    "UnknownFlagError",
    "UnsupportedVersionError",
    "WriteTimeoutError",
    "encode_frame",
    "encode_message",
    "encode_payload",
    "encode_short",
    "error_reply",
    "make_ack",
    "multipart_md5",
    "now_us",
    "register_command",
]
