"""`TrixySession`: the sans-IO state of one TRXI link, either side (like h11's ``Connection``).

Bytes in, events and due replies out: ``receive_data(data)`` feeds the decoder and drains *everything* already
buffered (a PING or an ACK-requested frame right behind a bad frame in the same read is answered at once), answers
PING with PONG and ACK_REQUESTED frames with ``Received``, answers each recoverable error with an ``ErrorCommand``,
counts those errors and turns the ``max_errors + 1``-th into :class:`TooManyErrorsError`.  The replies are bytes
collected in ``data_to_send()``; whoever owns the socket writes them.  Nothing here does I/O, so every rule can be
tested byte by byte, and the server and the satellite share the one implementation.

Before login (``prelogin=True``) the link is held to the pre-login limits: small frames, no multipart, and a budget
on the bytes received before the accept, so an unauthenticated peer can make the other side hold only a few KiB.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from .decoder import FrameDecoder
from .encoder import encode_message
from .errors import PreLoginLimitError, ProtocolError, TooManyErrorsError
from .events import Event, Frame, ShortKind
from .flags import Flags
from .replies import error_reply, make_ack
from .short import encode_short

logger = logging.getLogger(__name__)

#: Recoverable errors a link forgives; the next one closes it (docs/protocol.md "Errors").
MAX_RECOVERABLE_ERRORS = 20
_PONG = encode_short(ShortKind.PONG)
_ENCRYPTED = int(Flags.ENCRYPTED)


class Side(enum.Enum):
    """Which end of the link a session is; it names the peer in messages."""

    SERVER = "server"
    SATELLITE = "satellite"

    @property
    def peer_label(self) -> str:
        """How reasons and logs name the other end."""
        return "the satellite" if self is Side.SERVER else "the server"


@dataclass(slots=True, frozen=True)
class PreLoginLimits:
    """What an unauthenticated peer may make this side hold (docs/network.md "Pre-login limits")."""

    #: largest single frame payload before the accept
    max_frame_bytes: int = 64 * 1024
    #: bytes a peer may send in total before it is accepted (a handshake needs about 1 KiB)
    max_bytes: int = 256 * 1024


DEFAULT_PRELOGIN = PreLoginLimits()


class TrixySession:
    """One link's protocol state: decoder, keys, replies due, error count; no sockets.

    Args:
        side: which end this is (``Side.SERVER`` for the server's view of a satellite).
        decoder: the frame decoder to use (a fresh one by default).
        prelogin: the limits applied until :meth:`logged_in` is called; None for none.
        max_errors: recoverable errors forgiven before the link is given up.
        auto_pong / auto_ack / reply_errors: which automatic replies to produce.
    """

    def __init__(self, side: Side, *, decoder: FrameDecoder | None = None,
                 prelogin: PreLoginLimits | None = None, max_errors: int = MAX_RECOVERABLE_ERRORS,
                 auto_pong: bool = True, auto_ack: bool = True, reply_errors: bool = True) -> None:
        self.side = side
        self.key: bytes | None = None
        """Frame key: set it to decrypt incoming frames; ``encrypt`` makes outgoing frames use it."""
        self.encrypt = False
        self.decoder = decoder if decoder is not None else FrameDecoder()
        if self.decoder.key is None:
            self.decoder.key = self.current_key
        self.max_errors = max_errors
        self.auto_pong = auto_pong
        self.auto_ack = auto_ack
        self.reply_errors = reply_errors
        self.errors = 0
        """Recoverable protocol errors so far."""
        self.last_error: ProtocolError | None = None
        self.received_bytes = 0
        self._prelogin = prelogin
        self._frame_limit_after = self.decoder.max_frame_size
        self._outgoing: list[bytes] = []
        if prelogin is not None:
            self.decoder.max_frame_size = min(self.decoder.max_frame_size, prelogin.max_frame_bytes)
            self.decoder.allow_multipart = False

    # -- state ------------------------------------------------------------------------------------------------------
    def current_key(self) -> bytes | None:
        """The key incoming encrypted frames are decrypted with (the decoder calls this)."""
        return self.key

    @property
    def prelogin(self) -> bool:
        """True until :meth:`logged_in`: the pre-login limits apply."""
        return self._prelogin is not None

    def logged_in(self, *, max_frame_bytes: int | None = None) -> None:
        """The peer is authenticated: lift the pre-login limits (frames up to ``max_frame_bytes``, multipart)."""
        self._prelogin = None
        self.decoder.allow_multipart = True
        self.decoder.max_frame_size = max_frame_bytes or self._frame_limit_after

    @property
    def buffered_bytes(self) -> int:
        """Bytes this link holds for incomplete frames and multipart messages (the pre-login budget's subject)."""
        return self.decoder.buffered + self.decoder.multipart_bytes

    # -- receiving --------------------------------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> list[Event]:
        """Feed ``data`` and return every complete event; replies due are queued for :meth:`data_to_send`.

        Recoverable errors are answered and skipped (the bytes behind them are decoded in the same call);
        an unrecoverable one, a broken pre-login budget or the ``max_errors + 1``-th error is raised.
        """
        self.received_bytes += len(data)
        limits = self._prelogin
        if limits is not None and self.received_bytes > limits.max_bytes:
            raise PreLoginLimitError(
                f"{self.side.peer_label} sent {self.received_bytes} bytes without logging in (limit "
                f"{limits.max_bytes}); closing", recoverable=False)
        decoder = self.decoder
        events: list[Event] = []
        chunk = data
        while True:
            try:
                got = decoder.feed(chunk)
            except ProtocolError as exc:
                self.protocol_error(exc)
                chunk = b""
                continue
            if got:
                self._react(got)
                events.extend(got)
            if decoder.pending_error is None:
                return events
            chunk = b""

    def _react(self, events: list[Event]) -> None:
        for event in events:
            if type(event) is Frame:
                if self.auto_ack and event.flags & Flags.ACK_REQUESTED:
                    self._outgoing.extend(self.encode(make_ack(event), flags=Flags.SILENT))
            elif self.auto_pong and event.kind is ShortKind.PING:
                self._outgoing.append(_PONG)

    def protocol_error(self, exc: ProtocolError) -> None:
        """Count a recoverable error and queue its ``ErrorCommand``; raise when it is fatal or one too many.

        Also for errors found above the codec (e.g. a plaintext frame where encryption is required).
        """
        if not exc.recoverable:
            raise exc
        self.errors += 1
        self.last_error = exc
        if self.errors > self.max_errors:
            raise TooManyErrorsError(
                f"{self.side.peer_label} sent {self.errors} bad frames (limit {self.max_errors}); last: {exc}",
                recoverable=False, class_name=exc.class_name, md5=exc.md5)
        logger.info("%s: bad frame skipped (%d of %d allowed): %s", self.side.peer_label, self.errors,
                    self.max_errors, exc)
        if self.reply_errors and exc.class_name != "ErrorCommand":
            self._outgoing.extend(self.encode(error_reply(exc)))

    def check_timeouts(self) -> None:
        """Expire stale multipart messages (call now and then); counts as a recoverable error."""
        try:
            self.decoder.check_timeouts()
        except ProtocolError as exc:
            self.protocol_error(exc)

    # -- sending ----------------------------------------------------------------------------------------------------
    def encode(self, message: Any, *, flags: int = Flags.NONE, key: bytes | None = None) -> list[bytes]:
        """Frames for ``message``: encrypted when ``encrypt`` is on (or with ``key`` when given)."""
        flags = int(flags)
        if key is not None or (self.encrypt and self.key is not None):
            flags |= _ENCRYPTED
        key = key or (self.key if flags & _ENCRYPTED else None)
        return encode_message(message, flags=flags, key=key)

    def data_to_send(self) -> list[bytes]:
        """The automatic replies due (PONG, ``Received``, ``ErrorCommand``), oldest first; clears them."""
        out, self._outgoing = self._outgoing, []
        return out
