"""Sans-IO decoding: bytes in (any chunking), frames and short commands out.

``FrameDecoder.feed(data)`` buffers ``data`` and returns every complete event so far.  Errors are
raised in stream order: when an error follows events decoded in the same call, those events are
returned first and the error is raised by the next ``feed()`` call (``feed(b"")`` is fine).

Sync rules: an error with ``recoverable=True`` means the offending frame was consumed completely
(a too-large payload is skipped as it arrives), so the caller can answer with an ``ErrorCommand``
and call ``feed()`` again.  ``recoverable=False`` (bad magic, unsupported major version, impossible
class-name length, truncation) means the position in the stream is lost: close the connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .errors import (
    BadMagicError,
    ChecksumError,
    DecryptionError,
    FrameTooLargeError,
    MalformedFrameError,
    PayloadDecodeError,
    PreLoginLimitError,
    ProtocolError,
    TruncatedFrameError,
    UnknownCommandError,
)
from .events import SHORT_CODES, Event, Frame, ShortCommand, ShortKind
from .fieldcodec import FieldValueError, check_plain
from .flags import Flags, check_flags
from .header import (
    CLASS_NAME_OFFSET,
    FIXED_HEADER,
    FIXED_HEADER_SIZE,
    HELO_MAGIC,
    LENGTH,
    MAGIC,
    MAX_CLASS_NAME_LENGTH,
    MIN_FRAME_SIZE,
    PRINT_HEADER_SIZE,
    PROTOCOL_VERSION,
    SHORT_SIZE,
)
from .layout import raise_unsupported
from .multipart import Reassembler
from .plain_frames import FLAGS_CACHE as _FLAGS_CACHE
from .plain_frames import decode_plain_frames
from .receive_buffer import ReceiveBuffer
from .registry import DEFAULT_REGISTRY, CommandRegistry
from .short import MAX_PRINT_TEXT
from .transforms import deserialize, md5_digest, reverse_transforms

DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024
DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024
DEFAULT_MULTIPART_TIMEOUT = 30.0

KeySource = bytes | Callable[[], bytes | None] | None

_unpack_head = FIXED_HEADER.unpack_from
_unpack_len = LENGTH.unpack_from
_MULTIPART = int(Flags.MULTIPART)
_DICT = int(Flags.DICT)
_JSON = int(Flags.JSON)
_ENCRYPTED = int(Flags.ENCRYPTED)
_TRANSFORMS = int(Flags.GZIP | Flags.ENCRYPTED | Flags.BASE64)
_HELO = ShortCommand(ShortKind.HELO)
_SIMPLE_SHORT = {kind: ShortCommand(kind) for kind in ShortKind if kind is not ShortKind.PRNT}
_MAGIC_PREFIXES = (MAGIC, HELO_MAGIC)


class FrameDecoder:
    """Incremental TRXI decoder (no I/O inside); one per connection direction.

    Args:
        max_frame_size: largest single-frame payload accepted (bytes); larger ones are skipped.
        max_message_size: largest reassembled multipart payload (bytes).
        max_decompressed_size: gzip output limit (defaults to ``max_message_size``).
        key: 32-byte AES key, or a zero-argument callable returning the current key, or None.
        registry: the command registry to instantiate classes from.
        multipart_timeout: seconds a multipart message may take to complete.
        max_pending_messages: incomplete multipart messages held at once.
        clock: monotonic clock in seconds (inject a fake one in tests).
    """

    def __init__(
        self,
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_decompressed_size: int | None = None,
        key: KeySource = None,
        registry: CommandRegistry | None = None,
        multipart_timeout: float = DEFAULT_MULTIPART_TIMEOUT,
        max_pending_messages: int = 8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_frame_size = max_frame_size
        self.max_message_size = max_message_size
        self.max_decompressed_size = max_message_size if max_decompressed_size is None else max_decompressed_size
        self.key = key
        self.registry = DEFAULT_REGISTRY if registry is None else registry
        self._specs = self.registry.specs_by_name()
        #: refuse frames without Flags.ENCRYPTED (set once a connection has switched to its key)
        self.require_encryption = False
        #: accept multipart frames (off before a peer is authenticated: see TrixySession's pre-login limits)
        self.allow_multipart = True
        self._specs_b = self.registry.specs_by_name_bytes()
        self._multipart = Reassembler(
            max_message_size=max_message_size,
            max_pending=max_pending_messages,
            timeout=multipart_timeout,
            clock=clock,
        )
        self._rx = ReceiveBuffer()
        self._pending_error: ProtocolError | None = None
        self._broken: ProtocolError | None = None

    # -- public ------------------------------------------------------------------------------
    @property
    def buffered(self) -> int:
        """Bytes received but not yet consumed (part of an incomplete frame)."""
        return len(self._rx)

    @property
    def pending_error(self) -> ProtocolError | None:
        """An error queued behind already returned events; the next ``feed()`` raises it."""
        return self._pending_error

    @property
    def pending_multipart(self) -> int:
        """Incomplete multipart messages held."""
        return self._multipart.pending

    @property
    def multipart_bytes(self) -> int:
        """Payload bytes held for incomplete multipart messages."""
        return self._multipart.held_bytes

    def current_key(self) -> bytes | None:
        """The key used for the next encrypted payload (calls the key source if it is callable)."""
        key = self.key
        if key is None or type(key) is bytes:
            return key
        if callable(key):
            return key()
        return bytes(key)

    def feed(self, data: bytes = b"") -> list[Event]:
        """Buffer ``data`` and return all complete events; raise the next error in stream order."""
        if self._broken is not None:
            raise type(self._broken)(
                f"decoder is out of sync since an earlier error ({self._broken}); close the connection",
                recoverable=False,
            )
        if type(data) is not bytes:
            data = bytes(data)
        rx = self._rx
        if self._pending_error is not None:
            rx.hold(data)
            err, self._pending_error = self._pending_error, None
            raise err
        events: list[Event] = []
        buf = rx.source(data)  # nothing left over: the caller's bytes themselves, no copy
        if buf is data and not rx.skip and not self._multipart.pending:
            rx.pos = 0 if self.require_encryption else decode_plain_frames(data, events, self._specs_b,
                                                                           self.max_frame_size)
            if rx.pos == len(data):
                rx.pos = 0
                return events
        try:
            if self._multipart.pending:
                self._multipart.expire()
            while True:
                event = self._next_event(buf)
                if event is None:
                    break
                if event is not _CONSUMED:
                    events.append(event)
        except ProtocolError as exc:
            if not exc.recoverable:
                self._broken = exc
            if events:
                self._pending_error = exc
                return events
            raise
        finally:
            rx.keep_rest(buf)
        return events

    def check_timeouts(self) -> None:
        """Raise MultipartError for multipart messages older than the timeout (call it periodically)."""
        self._multipart.expire()

    def eof(self) -> None:
        """Tell the decoder the stream ended; raise if it ended inside a frame or multipart message."""
        if self._rx.skip or self.buffered:
            n = self.buffered + self._rx.skip
            raise TruncatedFrameError(
                f"stream ended inside a frame ({n} byte(s) of it missing or unparsed); "
                "the peer closed mid-message or the connection broke",
                recoverable=False,
            )
        self._multipart.drop_all()

    def take_unparsed(self) -> bytes:
        """Remove and return buffered bytes not consumed yet (e.g. raw audio after a handshake frame)."""
        return self._rx.take_rest()

    # -- parsing -----------------------------------------------------------------------------
    def _next_event(self, buf: bytes | bytearray) -> Any:
        rx = self._rx
        if rx.skip and not rx.skip_buffered(buf):
            return None
        pos = rx.pos
        avail = len(buf) - pos
        if avail < SHORT_SIZE:
            if avail and not any(m.startswith(bytes(buf[pos : pos + min(avail, 4)])) for m in _MAGIC_PREFIXES):
                self._bad_magic(buf, pos, avail)
            return None
        if buf.startswith(MAGIC, pos):
            word = bytes(buf[pos + len(MAGIC) : pos + SHORT_SIZE])
            kind = SHORT_CODES.get(word)
            if kind is None:
                return self._frame(buf, pos, avail)
            if kind is ShortKind.PRNT:
                return self._print(buf, pos, avail)
            rx.pos = pos + SHORT_SIZE
            return _SIMPLE_SHORT[kind]
        if buf.startswith(ShortKind.HELO.value, pos):
            rx.pos = pos + SHORT_SIZE
            return _HELO
        self._bad_magic(buf, pos, avail)

    def _bad_magic(self, buf: bytes | bytearray, pos: int, avail: int) -> None:
        got = bytes(buf[pos : pos + min(avail, SHORT_SIZE)])
        raise BadMagicError(
            f"expected a frame starting with b'TRXI' or the short command b'TRXYHELO', got {got!r}; "
            "the peer is not speaking TRXI or the stream lost sync - close the connection",
            recoverable=False,
        )

    def _print(self, buf: bytes | bytearray, pos: int, avail: int) -> Any:
        if avail < PRINT_HEADER_SIZE:
            return None
        (length,) = _unpack_len(buf, pos + SHORT_SIZE)
        if length > MAX_PRINT_TEXT:
            self._skip_from(buf, pos + PRINT_HEADER_SIZE, length)
            raise FrameTooLargeError(
                f"TRXIPRNT text of {length} bytes exceeds {MAX_PRINT_TEXT}; skipped", recoverable=True
            )
        end = pos + PRINT_HEADER_SIZE + length
        if len(buf) < end:
            return None
        raw = bytes(buf[pos + PRINT_HEADER_SIZE : end])
        self._rx.pos = end
        try:
            return ShortCommand(ShortKind.PRNT, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise PayloadDecodeError(f"TRXIPRNT text is not valid UTF-8: {exc}", recoverable=True) from None

    def _skip_from(self, buf: bytes | bytearray, start: int, length: int) -> None:
        """Consume up to ``start`` and skip the next ``length`` bytes (as far as they are buffered already)."""
        rx = self._rx
        rx.pos = start
        rx.skip = length
        rx.skip_buffered(buf)

    def _frame(self, buf: bytes | bytearray, pos: int, avail: int) -> Any:
        if avail < FIXED_HEADER_SIZE:
            return None
        _, major, minor, revision, timestamp_us, flags, md5, name_len = _unpack_head(buf, pos)
        if major != PROTOCOL_VERSION[0]:
            raise_unsupported(buf, pos, major, minor, revision)
        if name_len > MAX_CLASS_NAME_LENGTH:
            raise MalformedFrameError(
                f"class-name length {name_len} exceeds {MAX_CLASS_NAME_LENGTH}; the stream is corrupt - "
                "close the connection",
                recoverable=False,
            )
        name_end = pos + CLASS_NAME_OFFSET + name_len
        if avail < MIN_FRAME_SIZE + name_len:
            return None
        (payload_len,) = _unpack_len(buf, name_end)
        start = name_end + LENGTH.size
        name_raw = bytes(buf[pos + CLASS_NAME_OFFSET : name_end])
        if payload_len > self.max_frame_size:
            self._skip_from(buf, start, payload_len)
            raise FrameTooLargeError(
                f"frame payload of {payload_len} bytes exceeds max_frame_size={self.max_frame_size}; "
                "skipped (send large data as multipart, or raise the receiver's limit)",
                class_name=name_raw.decode("utf-8", "replace"),
                md5=md5,
            )
        end = start + payload_len
        if len(buf) < end:
            return None
        payload = buf[start:end]
        self._rx.pos = end  # from here on the frame is consumed: every error below is recoverable
        try:
            name = name_raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedFrameError(
                f"class name {name_raw!r:.80} is not valid UTF-8; frame skipped", recoverable=True, md5=md5
            ) from None
        try:
            fl = _FLAGS_CACHE.get(flags)
            if fl is None:
                fl = check_flags(flags)
            if md5_digest(payload) != md5:
                raise ChecksumError(
                    f"MD5 mismatch for {name or 'dict'} frame of {payload_len} bytes: header says {md5.hex()}, "
                    f"payload hashes to {md5_digest(payload).hex()}; the frame was corrupted in transit or "
                    "the sender computes the MD5 over the wrong bytes (it must cover the payload as sent)"
                )
            if self.require_encryption and not flags & _ENCRYPTED:
                raise DecryptionError(
                    f"plaintext {name or 'dict'} frame on a connection that requires encryption: frames must be "
                    "encrypted with the satellite key after the accept"
                )
            version = (major, minor, revision)
            if flags & _MULTIPART:
                if not self.allow_multipart:
                    raise PreLoginLimitError(
                        f"multipart {name or 'dict'} frame before the peer is authenticated; only single frames "
                        "are accepted until the accept - closing", recoverable=False)
                done = self._multipart.add(payload, flags, name_raw, timestamp_us, md5)
                if done is None:
                    return _CONSUMED
                message = self._decode_message(flags, name, done.payload)
                return Frame(version, timestamp_us, fl, done.last_md5, name, message,
                             done.wire_size, done.count)
            message = self._decode_message(flags, name, payload)
            return Frame(version, timestamp_us, fl, md5, name, message, payload_len)
        except ProtocolError as exc:
            if exc.class_name is None:
                exc.class_name = name
            if exc.md5 is None:
                exc.md5 = md5
            raise

    def _decode_message(self, flags: int, name: str, payload: bytes) -> Any:
        as_json = bool(flags & _JSON)
        if flags & _DICT:
            spec = None
        else:
            spec = self._specs.get(name)
            if spec is None:
                shown = repr(name) if name else "an empty class name (and no DICT flag)"
                raise UnknownCommandError(
                    f"unknown command class {shown}; it is not registered on this side - update the "
                    "receiver's trixy-protocol or stop sending it"
                )
        if flags & _TRANSFORMS:
            key = self.current_key() if flags & _ENCRYPTED else None
            payload = reverse_transforms(
                payload,
                flags,
                key=key,
                aad=name.encode("utf-8"),
                max_decompressed=self.max_decompressed_size,
            )
        tree = deserialize(payload, as_json=as_json)
        if spec is not None:
            return spec.from_wire(tree, json=as_json)
        if type(tree) is not dict:
            raise PayloadDecodeError(f"DICT frame payload must be a map, got {type(tree).__name__}")
        try:
            check_plain(tree, json=as_json)
        except FieldValueError as exc:
            raise PayloadDecodeError(f"DICT frame field {exc.path or '?'}: {exc.message}") from None
        return tree


class _Consumed:
    """Marker: a frame was consumed but produced no event (a multipart part)."""


_CONSUMED = _Consumed()
