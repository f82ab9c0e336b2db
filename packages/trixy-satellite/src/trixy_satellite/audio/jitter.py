"""A jitter buffer: network audio arrives in bursts, the speaker wants an even flow."""

from __future__ import annotations

import threading

from trixy_satellite.audio.format import AudioFormat


class JitterBuffer:
    """Bytes in at any pace, fixed-size reads out; silence while empty or still filling.

    Playback starts once `prefill_ms` is buffered (so a short hiccup does not cut the sound), and at most `max_ms` is
    kept (the oldest audio is dropped when a sender runs ahead). Thread-safe: the network pushes from the event loop,
    a sound card callback pulls from its own thread.
    """

    def __init__(self, fmt: AudioFormat, *, prefill_ms: float = 60.0, max_ms: float = 30_000.0) -> None:
        self.format = fmt
        self.prefill_bytes = fmt.bytes_for(prefill_ms / 1000)
        self.max_bytes = fmt.bytes_for(max_ms / 1000)
        self._buf = bytearray()
        self._playing = False
        self._lock = threading.Lock()
        self._ended = False
        self.underruns = 0
        self.dropped_bytes = 0
        self.played_bytes = 0

    def __len__(self) -> int:
        return len(self._buf)

    @property
    def buffered_seconds(self) -> float:
        return self.format.seconds(len(self._buf))

    @property
    def active(self) -> bool:
        """True while there is audio to play (or playback is running)."""
        return self._playing or bool(self._buf)

    def push(self, pcm: bytes) -> None:
        """Queue audio from the network."""
        with self._lock:
            self._ended = False
            self._buf += pcm
            overflow = len(self._buf) - self.max_bytes
            if overflow > 0:
                overflow += (-overflow) % self.format.frame_bytes
                del self._buf[:overflow]
                self.dropped_bytes += overflow

    def end_of_stream(self) -> None:
        """The sender finished: play what is left even if it is shorter than the prefill."""
        with self._lock:
            self._ended = True

    def clear(self) -> None:
        """Drop everything (stop playback now)."""
        with self._lock:
            self._buf.clear()
            self._playing = False

    def pull(self, nbytes: int) -> bytes | None:
        """Exactly `nbytes` for the speaker, padded with silence; None when idle (nothing to play)."""
        nbytes -= nbytes % self.format.frame_bytes
        with self._lock:
            if not self._playing:
                if len(self._buf) >= self.prefill_bytes or (self._ended and self._buf):
                    self._playing = True
                else:
                    return None
            if not self._buf:
                self._playing = False
                return None
            chunk = bytes(self._buf[:nbytes])
            del self._buf[:nbytes]
            self.played_bytes += len(chunk)
            if len(chunk) < nbytes:
                if not self._ended:
                    self.underruns += 1
                self._playing = False
                chunk += b"\x00" * (nbytes - len(chunk))
            return chunk
