"""`read_frame`: take exactly one TRXI event off an asyncio StreamReader, leaving what follows unread.

An audio socket starts with one `StreamHello` frame and then carries raw PCM; a reader must not swallow the first
audio bytes. `layout.event_size` says how many bytes the event needs, the decoder judges them.
"""

from __future__ import annotations

import asyncio

from .decoder import FrameDecoder
from .errors import FrameTooLargeError, TruncatedFrameError
from .events import Event
from .header import MAX_CLASS_NAME_LENGTH, MIN_FRAME_SIZE
from .layout import event_size


async def read_frame(reader: asyncio.StreamReader, decoder: FrameDecoder | None = None) -> Event:
    """Read exactly one event (frame or short command); nothing after it is consumed.

    For handshakes on audio sockets where raw PCM follows the frame.  Raises ProtocolError on bad
    input and TruncatedFrameError when the stream ends first.
    """
    dec = decoder if decoder is not None else FrameDecoder()
    limit = MIN_FRAME_SIZE + MAX_CLASS_NAME_LENGTH + dec.max_frame_size
    head = b""
    try:
        while True:
            need = event_size(head)
            if need > len(head):
                if need > limit:
                    raise FrameTooLargeError(
                        f"handshake frame of {need} bytes exceeds {limit} (max_frame_size={dec.max_frame_size})",
                        recoverable=False,
                    )
                head += await reader.readexactly(need - len(head))
                continue
            events = dec.feed(head)
            head = b""
            if events:
                return events[0]
            if dec.buffered:
                raise TruncatedFrameError("internal: frame not consumed", recoverable=False)
    except asyncio.IncompleteReadError as exc:
        raise TruncatedFrameError(
            f"stream ended after {len(exc.partial)} byte(s) of a frame; the peer closed during the handshake",
            recoverable=False,
        ) from None
