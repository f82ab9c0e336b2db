"""`DownlinkGate`: what of the speech and music sockets' bytes reaches the player after a stop.

After StopAudio/StopMusic the server has already sent audio that is still in flight; it is dropped for
`STOP_DISCARD_S`, and the first bytes kept afterwards are cut to a whole sample frame (the socket carries raw PCM,
so a cut anywhere else would swap the bytes of every following sample).
"""

from __future__ import annotations

import time

from trixy_protocol import AudioStream

STOP_DISCARD_S = 0.3
"""After StopAudio/StopMusic, bytes still in flight on that socket are dropped for this long."""
_FRAME_BYTES = {AudioStream.OUTPUT: 2, AudioStream.MUSIC: 4}


class DownlinkGate:
    """Per downlink stream: bytes counted so far, a discard deadline, and whether to realign to a sample frame."""

    def __init__(self) -> None:
        self.counted: dict[AudioStream, list[int]] = {AudioStream.OUTPUT: [0], AudioStream.MUSIC: [0]}
        """Bytes received per stream (a one-item list the socket pump adds to)."""
        self._discard_until = {AudioStream.OUTPUT: 0.0, AudioStream.MUSIC: 0.0}
        self._align = {AudioStream.OUTPUT: False, AudioStream.MUSIC: False}

    def accept(self, kind: AudioStream, data: bytes) -> bytes:
        """The part of `data` (just counted) that should be played."""
        offset = self.counted[kind][0] - len(data)
        if time.monotonic() < self._discard_until[kind]:
            self._align[kind] = True
            return b""
        if self._align[kind]:
            self._align[kind] = False
            data = data[(-offset) % _FRAME_BYTES[kind] :]
        return data

    def stop(self, kind: AudioStream) -> None:
        """A stop was requested: drop what is still in flight for a moment."""
        self._discard_until[kind] = time.monotonic() + STOP_DISCARD_S

    def play(self, kind: AudioStream) -> None:
        """New audio was announced: keep everything from now on."""
        self._discard_until[kind] = 0.0
