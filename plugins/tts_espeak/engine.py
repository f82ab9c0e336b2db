"""espeak-ng text-to-speech: text in, 16 kHz mono 16-bit PCM out (espeak's 22050 Hz resampled with numpy)."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import time
import wave
from dataclasses import dataclass

import numpy as np

from trixy_server.audio_convert import resample_clip

logger = logging.getLogger(__name__)

OUTPUT_RATE = 16000
"""The rate of the server's audio-output socket."""
MAX_TEXT_CHARS = 2000


class TtsError(Exception):
    """Speech could not be synthesised (espeak-ng missing, bad voice, bad text); the message says what to fix."""


@dataclass(slots=True)
class Speech:
    """Synthesised speech: raw PCM (s16le mono) at `sample_rate`, and how long synthesis took."""

    pcm: bytes
    sample_rate: int
    text: str
    synth_s: float = 0.0

    @property
    def duration_s(self) -> float:
        """Length of the audio in seconds."""
        return len(self.pcm) / 2 / self.sample_rate


def parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Mono 16-bit WAV bytes -> (samples, rate). espeak-ng's --stdout header has a bogus length; it is ignored."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise TtsError("espeak-ng did not return WAV audio")
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(2**31 - 1)
    except (wave.Error, EOFError) as exc:
        raise TtsError(f"cannot read espeak-ng's WAV output: {exc}") from exc
    if width != 2:
        raise TtsError(f"espeak-ng returned {8 * width}-bit audio, expected 16-bit")
    samples = np.frombuffer(frames[: len(frames) - len(frames) % (2 * channels)], dtype="<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return samples, rate


class EspeakSynthesiser:
    """Runs `espeak-ng --stdout` with the configured voice, speed, pitch and volume."""

    def __init__(
        self,
        voice: str = "en-us",
        speed_wpm: int = 160,
        pitch: int = 50,
        amplitude: int = 100,
        sample_rate: int = OUTPUT_RATE,
        executable: str = "espeak-ng",
        timeout_s: float = 20.0,
    ) -> None:
        exe = shutil.which(executable)
        if exe is None:
            raise TtsError(f"{executable} not found: install it (Debian: apt-get install espeak-ng)")
        self.executable = exe
        self.voice = voice
        self.speed_wpm = int(speed_wpm)
        self.pitch = int(pitch)
        self.amplitude = int(amplitude)
        self.sample_rate = int(sample_rate)
        self.timeout_s = timeout_s

    def command(self) -> list[str]:
        """The espeak-ng command line (text goes on stdin, so it is never parsed as an option)."""
        return [
            self.executable, "--stdout", "-v", self.voice, "-s", str(self.speed_wpm), "-p", str(self.pitch),
            "-a", str(self.amplitude),
        ]

    def synthesise(self, text: str) -> Speech:
        """Speak `text`; raises `TtsError` for empty text, an unknown voice or an espeak-ng failure."""
        text = " ".join(str(text).split())
        if not text:
            raise TtsError("nothing to say: the text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise TtsError(f"text of {len(text)} characters is too long (at most {MAX_TEXT_CHARS})")
        started = time.perf_counter()
        try:
            done = subprocess.run(
                self.command(), input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise TtsError(f"espeak-ng took longer than {self.timeout_s:g} s") from exc
        if done.returncode != 0 or not done.stdout:
            reason = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
            raise TtsError(f"espeak-ng failed for voice {self.voice!r}: {reason}")
        samples, rate = parse_wav(done.stdout)
        pcm = resample_clip(samples, rate, self.sample_rate).astype("<i2").tobytes()
        return Speech(pcm, self.sample_rate, text, time.perf_counter() - started)
