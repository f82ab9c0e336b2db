"""Reassembly of multipart messages, bounded in memory (size, count) and time (injectable clock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import FrameTooLargeError, MultipartError
from .header import PART_HEADER, PART_HEADER_SIZE


@dataclass(slots=True)
class PartialMessage:
    """Parts of one multipart message received so far."""

    message_id: int
    count: int
    flags: int
    name: bytes
    timestamp_us: int
    started: float
    parts: dict[int, memoryview] = field(default_factory=dict)
    size: int = 0
    wire_size: int = 0
    last_md5: bytes = b""

    def missing(self, limit: int = 10) -> list[int]:
        """The first ``limit`` indexes of parts that have not arrived (cheap even for huge counts)."""
        found: list[int] = []
        for i in range(self.count):
            if i not in self.parts:
                found.append(i)
                if len(found) >= limit:
                    break
        return found


@dataclass(slots=True)
class CompletedMessage:
    """A fully reassembled multipart payload (still transformed: base64/encrypted/gzip as flagged)."""

    flags: int
    name: bytes
    timestamp_us: int
    payload: bytes
    count: int
    wire_size: int
    #: header MD5 of the part with the highest index (what ``Received`` echoes)
    last_md5: bytes


class Reassembler:
    """Collects part frames by message id until all ``count`` parts are there."""

    def __init__(
        self,
        *,
        max_message_size: int,
        max_pending: int,
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        self.max_message_size = max_message_size
        self.max_pending = max_pending
        self.timeout = timeout
        self.clock = clock
        self._pending: dict[int, PartialMessage] = {}

    @property
    def pending(self) -> int:
        """Number of incomplete messages held."""
        return len(self._pending)

    @property
    def held_bytes(self) -> int:
        """Part payload bytes held for incomplete messages (at most ``max_pending`` of them)."""
        return sum(p.wire_size for p in self._pending.values())

    def add(
        self, payload: bytes, flags: int, name: bytes, timestamp_us: int, md5: bytes = b""
    ) -> CompletedMessage | None:
        """Store one part's payload; return the completed message when this was the last part."""
        label = name.decode("utf-8", "replace") or "dict"
        if len(payload) < PART_HEADER_SIZE:
            raise MultipartError(
                f"multipart {label} frame has a {len(payload)}-byte payload, shorter than the "
                f"{PART_HEADER_SIZE}-byte part header; the sender is broken"
            )
        message_id, index, count = PART_HEADER.unpack_from(payload, 0)
        chunk = memoryview(payload)[PART_HEADER_SIZE:]  # no copy; joined once when complete
        if count == 0 or index >= count:
            raise MultipartError(f"multipart {label} message {message_id}: part index {index} of count {count} is impossible")
        if count > self.max_message_size:
            raise MultipartError(
                f"multipart {label} message {message_id} claims {count} parts, more than max_message_size="
                f"{self.max_message_size} bytes could hold; the sender is broken"
            )
        partial = self._pending.get(message_id)
        if partial is None:
            if len(self._pending) >= self.max_pending:
                raise MultipartError(
                    f"multipart {label} message {message_id} refused: already {len(self._pending)} incomplete "
                    "messages pending; the sender must finish a message before starting many others"
                )
            partial = PartialMessage(message_id, count, flags, name, timestamp_us, self.clock())
            self._pending[message_id] = partial
        elif partial.count != count or partial.flags != flags or partial.name != name:
            del self._pending[message_id]
            raise MultipartError(
                f"multipart message {message_id}: part {index} disagrees with earlier parts "
                f"(count {count} vs {partial.count}, flags 0x{flags:x} vs 0x{partial.flags:x}, "
                f"class {label!r}); message dropped"
            )
        if index in partial.parts:
            del self._pending[message_id]
            raise MultipartError(
                f"multipart {label} message {message_id}: duplicate part {index} of {count}; message dropped"
            )
        partial.size += len(chunk)
        if partial.size > self.max_message_size:
            del self._pending[message_id]
            raise FrameTooLargeError(
                f"multipart {label} message {message_id} exceeds max_message_size={self.max_message_size} "
                "bytes; message dropped (raise the limit on the receiver if this is legitimate)"
            )
        partial.parts[index] = chunk
        partial.wire_size += len(payload)
        if index == count - 1:
            partial.last_md5 = md5
        if len(partial.parts) < count:
            return None
        del self._pending[message_id]
        data = b"".join(partial.parts[i] for i in range(count))
        return CompletedMessage(flags, name, partial.timestamp_us, data, count, partial.wire_size, partial.last_md5)

    def expire(self) -> None:
        """Drop messages older than ``timeout``; raise one MultipartError describing them."""
        if not self._pending:
            return
        now = self.clock()
        expired = [p for p in self._pending.values() if now - p.started > self.timeout]
        if not expired:
            return
        for p in expired:
            del self._pending[p.message_id]
        raise MultipartError(
            "multipart message(s) timed out after "
            f"{self.timeout:g} s and were dropped: "
            + "; ".join(self._describe(p) for p in expired)
        )

    def drop_all(self) -> None:
        """Forget every incomplete message; raise MultipartError if there were any (used at EOF)."""
        if not self._pending:
            return
        lost = list(self._pending.values())
        self._pending.clear()
        raise MultipartError("stream ended with incomplete multipart message(s): " + "; ".join(self._describe(p) for p in lost))

    @staticmethod
    def _describe(p: PartialMessage) -> str:
        missing = p.missing(10)
        shown = ", ".join(map(str, missing)) + (" ..." if p.count - len(p.parts) > 10 else "")
        label = p.name.decode("utf-8", "replace") or "dict"
        return f"{label} id {p.message_id}: {len(p.parts)} of {p.count} parts, missing {shown}"
