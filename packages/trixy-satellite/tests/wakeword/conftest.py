"""Fixtures: the shipped wake-word model and real espeak-ng speech (no torch needed)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[4]
SHIPPED_MODEL = REPO / "models" / "wakeword" / "trixy" / "trixy.onnx"


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert SHIPPED_MODEL.is_file(), f"the default wake-word model must ship in {SHIPPED_MODEL.parent}"
    return SHIPPED_MODEL


@pytest.fixture(scope="session")
def speak():
    """Return a function text -> float32 16 kHz audio spoken by espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    import wave

    def _speak(text: str, voice: str = "en-gb", speed: int = 150) -> np.ndarray:
        out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True, check=True).stdout
        with wave.open(io.BytesIO(out)) as wav:
            rate = wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        t_out = np.arange(int(pcm.size * 16000 / rate)) * rate / 16000
        return np.interp(t_out, np.arange(pcm.size), pcm).astype(np.float32)

    return _speak
