"""Praat's "Change gender" in a child process with a time limit.

Praat's PSOLA resynthesis loops forever on rare input (seen on one espeak-ng clip of 4.3 s with a pitch-range factor
of 1.52), and a call into its C code cannot be interrupted from Python. So the call runs in a long-lived child
process fed through a pipe; a call that takes longer than the limit kills the child (a new one starts on the next
call) and reports ``None``: the caller keeps the audio unchanged, as it does for Praat's own errors.

Praat's resynthesis draws from Praat's own random generator, which starts from the clock: the same clip and
parameters gave a different result on every call (up to 0.76 of full scale apart on an espeak-ng sentence), so no
two builds of a corpus were the same. Every call now seeds that generator first, by default from the clip and its
parameters, so the same request always gives the same audio.

Wire format on the pipe (little endian): request = ``uint32 samples`` + 6 float64 parameters + ``uint32 seed`` +
samples float64; reply = ``int32 samples`` (-1: Praat refused the input) + samples float64.
"""

from __future__ import annotations

import logging
import os
import select
import struct
import subprocess
import sys
import time
import zlib

import numpy as np

logger = logging.getLogger(__name__)

_REQUEST = struct.Struct("<I6dI")
_REPLY = struct.Struct("<i")
DEFAULT_TIMEOUT_S = 30.0


class PraatTimeout(RuntimeError):
    """The child process did not answer in time (it was killed)."""


class PraatProcess:
    """One child process running ``Change gender`` calls one at a time."""

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen[bytes] | None = None

    def _child(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        return self._proc

    def close(self) -> None:
        """Stop the child process (a later call starts a new one)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def change_gender(self, audio: np.ndarray, params: tuple[float, float, float, float, float, float],
                      seed: int | None = None) -> np.ndarray | None:
        """Praat ``Change gender`` of 16 kHz ``audio`` with ``(min pitch, max pitch, formant ratio, new median pitch,
        pitch range factor, duration factor)``; ``None`` when Praat refuses the input. Raises :class:`PraatTimeout`.
        Praat's random generator is seeded with ``seed`` (default: a checksum of the audio and the parameters), so
        the same call gives the same result."""
        proc = self._child()
        assert proc.stdin is not None and proc.stdout is not None
        samples = np.ascontiguousarray(audio, dtype="<f8")
        head = struct.pack("<6d", *params)
        if seed is None:
            seed = zlib.crc32(samples.tobytes(), zlib.crc32(head))
        try:
            proc.stdin.write(_REQUEST.pack(samples.size, *params, seed & 0xFFFFFFFF) + samples.tobytes())
            proc.stdin.flush()
            deadline = time.monotonic() + self.timeout_s
            (size,) = _REPLY.unpack(self._read(proc, _REPLY.size, deadline))
            if size < 0:
                return None
            return np.frombuffer(self._read(proc, size * 8, deadline), dtype="<f8").astype(np.float32)
        except (PraatTimeout, BrokenPipeError, EOFError) as exc:
            self.close()
            if isinstance(exc, PraatTimeout):
                raise
            raise PraatTimeout(f"the Praat process ended: {exc}") from exc

    def _read(self, proc: subprocess.Popen[bytes], count: int, deadline: float) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks, got = [], 0
        while got < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise PraatTimeout(f"Praat gave no answer in {self.timeout_s:.0f} s")
            chunk = os.read(fd, min(count - got, 1 << 20))
            if not chunk:
                raise EOFError("no more output")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def _serve() -> None:
    """Child side: answer requests from stdin until it closes."""
    import warnings

    import parselmouth

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = stdin.read(_REQUEST.size)
        if len(head) < _REQUEST.size:
            return
        size, *params, seed = _REQUEST.unpack(head)
        audio = np.frombuffer(stdin.read(size * 8), dtype="<f8")
        try:
            parselmouth.praat.run(f"random_initializeWithSeedUnsafelyButPredictably ({seed})")
            sound = parselmouth.Sound(audio, sampling_frequency=16000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = np.ascontiguousarray(parselmouth.praat.call(sound, "Change gender", *params).values[0], dtype="<f8")
            stdout.write(_REPLY.pack(out.size) + out.tobytes())
        except parselmouth.PraatError:
            stdout.write(_REPLY.pack(-1))
        stdout.flush()


if __name__ == "__main__":
    _serve()
