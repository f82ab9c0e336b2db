"""`ReceiveBuffer`: the bytes a decoder holds between reads, its read position and a pending skip.

Like h11's ``ReceiveBuffer``: one small object owns the bookkeeping so the parser only asks "what is there"
and says "this much is consumed".  When nothing is left over, the parser reads straight from the caller's
bytes (no copy); only a partial frame is kept, and the consumed front is cut off in large steps.
"""

from __future__ import annotations

#: consumed bytes kept at the front before the buffer is compacted
COMPACT_AT = 64 * 1024


class ReceiveBuffer:
    """Unparsed bytes, the parse position in them, and bytes still to be skipped (a refused large frame)."""

    __slots__ = ("data", "pos", "skip")

    def __init__(self) -> None:
        self.data = bytearray()
        self.pos = 0
        #: bytes of a refused frame that have not arrived yet; they are dropped as they come
        self.skip = 0

    def __len__(self) -> int:
        """Bytes received but not consumed."""
        return len(self.data) - self.pos

    def source(self, incoming: bytes) -> bytes | bytearray:
        """What to parse next: the held bytes plus ``incoming``, or ``incoming`` itself when nothing is held."""
        if self.data:
            self.data += incoming
            return self.data
        self.pos = 0
        return incoming

    def hold(self, incoming: bytes) -> None:
        """Keep ``incoming`` unparsed (behind an error that must be raised first)."""
        self.data += incoming

    def skip_buffered(self, buf: bytes | bytearray) -> bool:
        """Drop as much of a pending skip as ``buf`` holds; True when the skip is done."""
        n = min(self.skip, len(buf) - self.pos)
        self.skip -= n
        self.pos += n
        return not self.skip

    def keep_rest(self, buf: bytes | bytearray) -> None:
        """After parsing ``buf`` up to ``pos``: keep what is left (copying it only when it came from the caller)."""
        pos = self.pos
        if buf is self.data:
            if pos == len(buf):
                self.data.clear()
                self.pos = 0
            elif pos > COMPACT_AT:
                del self.data[:pos]
                self.pos = 0
        else:
            if pos < len(buf):
                self.data = bytearray(buf[pos:]) if pos else bytearray(buf)
            self.pos = 0

    def take_rest(self) -> bytes:
        """Remove and return everything not consumed (e.g. raw audio right behind a handshake frame)."""
        rest = bytes(self.data[self.pos :])
        self.data.clear()
        self.pos = 0
        return rest
