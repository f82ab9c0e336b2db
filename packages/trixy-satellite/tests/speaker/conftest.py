"""Fixtures for satellite speaker tests: the shipped default model and real espeak-ng speech (numpy only)."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[4]
DEFAULT_MODEL = ROOT / "models" / "voice_recognition" / "default" / "default.onnx"


@pytest.fixture(scope="session")
def default_model() -> Path:
    """The speaker model shipped in git."""
    if not DEFAULT_MODEL.is_file():
        pytest.fail(f"{DEFAULT_MODEL} is missing: train it with the command in docs/speaker.md")
    return DEFAULT_MODEL


def _speak(text: str, voice: str, pitch: int, speed: int) -> np.ndarray:
    binary = shutil.which("espeak-ng")
    if binary is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    out = subprocess.run([binary, "-v", voice, "-p", str(pitch), "-s", str(speed), "--stdout", text],
                         capture_output=True, check=True, timeout=30).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
    t_out = np.arange(int(pcm.size * 16000 / rate)) / 16000
    return np.interp(t_out, np.arange(pcm.size) / rate, pcm).astype(np.float32)


@pytest.fixture(scope="session")
def speak():
    """``speak(text, voice, pitch, speed)`` -> float32 16 kHz audio from espeak-ng."""
    return _speak
