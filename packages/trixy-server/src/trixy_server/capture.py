"""`AudioCapture`: collect a satellite's microphone stream from now on, e.g. one recording of a conversation."""

from __future__ import annotations

import asyncio


class AudioCapture:
    """Bytes of one satellite's input stream since the capture started; `wait_for` syncs with `RecordingDone`."""

    def __init__(self, satellite_id: str, *, max_bytes: int = 16000 * 2 * 120) -> None:
        self.satellite_id = satellite_id
        self.max_bytes = max_bytes
        self._data = bytearray()
        self._changed = asyncio.Event()
        self.closed = False
        self.overflowed = False

    def __len__(self) -> int:
        return len(self._data)

    def feed(self, data: bytes) -> None:
        """Called by the server for every piece of input audio of the satellite."""
        if self.closed:
            return
        room = self.max_bytes - len(self._data)
        if len(data) > room:
            self.overflowed = True
            data = data[:room]
        self._data += data
        self._changed.set()

    @property
    def pcm(self) -> bytes:
        return bytes(self._data)

    async def wait_for(self, nbytes: int, wait_s: float = 2.0) -> bytes:
        """Wait until `nbytes` arrived (the count from `RecordingDone.audio_bytes`); returns what arrived by then."""
        try:
            async with asyncio.timeout(wait_s):
                while len(self._data) < min(nbytes, self.max_bytes) and not self.closed:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            pass
        return bytes(self._data[:nbytes]) if nbytes else bytes(self._data)

    def close(self) -> None:
        """Stop collecting."""
        self.closed = True
        self._changed.set()
