"""Fixtures for the voice pipeline's end-to-end tests: the server side in the test's loop (LoopbackAssistant from
the demo), satellites in-process or as real `main.py client` processes whose microphone is their stdin."""

from __future__ import annotations

import collections
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from trixy_standalone.demo import LoopbackAssistant

REPO = Path(__file__).resolve().parents[2]

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def tone(seconds: float, hz: float = 300.0, amp: float = 8000.0) -> bytes:
    """A steady tone: 'speech' for the energy-based silence detection."""
    t = np.arange(int(16000 * seconds)) / 16000
    return (amp * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()


class MicFeeder(threading.Thread):
    """Writes 20 ms chunks into a satellite process's stdin in real time: pushed audio, else quiet noise."""

    def __init__(self, stream, seed: int = 0) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.queue: collections.deque[bytes] = collections.deque()
        self.lock = threading.Lock()
        self.rng = np.random.default_rng(seed)
        self.stopped = threading.Event()

    def push(self, pcm: bytes, gain: float = 1.0) -> None:
        samples = np.clip(np.frombuffer(pcm, "<i2").astype(np.float32) * gain, -32768, 32767).astype("<i2")
        with self.lock:
            for start in range(0, len(samples), 320):
                chunk = samples[start:start + 320]
                if len(chunk) < 320:
                    chunk = np.concatenate([chunk, np.zeros(320 - len(chunk), "<i2")])
                self.queue.append(chunk.tobytes())

    @property
    def pending(self) -> int:
        with self.lock:
            return len(self.queue)

    def run(self) -> None:
        due = time.monotonic()
        while not self.stopped.is_set():
            with self.lock:
                chunk = self.queue.popleft() if self.queue else None
            if chunk is None:
                chunk = self.rng.normal(0, 20, 320).astype("<i2").tobytes()
            try:
                self.stream.write(chunk)
                self.stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                return
            due += 0.02
            time.sleep(max(0.0, due - time.monotonic()))


class SatelliteProcess:
    """`python main.py client --debug` (no TUI: stdin is the microphone) writing the speech it receives to a WAV."""

    def __init__(self, root: Path, sets: dict[str, object], seed: int) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.speech_wav = root / "speech.wav"
        args = [sys.executable, str(REPO / "main.py"), "client", "--debug", "--root", str(root), "--config",
                str(root / "client_config.json")]
        sets = {**sets, "audio.input": "-", "audio.output": "null", "audio.record_speech": str(self.speech_wav)}
        for key, value in sets.items():
            args += ["--set", f"{key}={value if isinstance(value, str) else __import__('json').dumps(value)}"]
        self.out = open(root / "client.out", "ab")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=self.out, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.mic = MicFeeder(self.proc.stdin, seed)
        self.mic.start()

    def speech_seconds(self) -> float:
        return max(0, self.speech_wav.stat().st_size - 44) / 32000 if self.speech_wav.exists() else 0.0

    @property
    def log(self) -> str:
        return (self.root / "client.out").read_text(errors="replace")

    def stop(self) -> None:
        self.mic.stopped.set()
        self.mic.join(2)
        try:
            self.proc.stdin.close()  # ends the satellite's blocking stdin read, so it can shut down at once
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.out.close()


@pytest.fixture
async def assistant_factory(tmp_path):
    """`await make(settings=..., plugins=True)`: a started LoopbackAssistant; everything is stopped afterwards."""
    made: list[LoopbackAssistant] = []

    async def make(settings=None, plugins: bool = True, **kw) -> LoopbackAssistant:
        overrides = {} if plugins else {"paths.plugins": str(tmp_path / "no-plugins")}
        assistant = LoopbackAssistant(tmp_path / f"server{len(made)}", settings=settings, overrides=overrides, **kw)
        made.append(assistant)
        await assistant.start()
        return assistant

    yield make
    for assistant in made:
        await assistant.stop()


@pytest.fixture
def satellite_processes():
    started: list[SatelliteProcess] = []

    def start(root: Path, sets: dict[str, object]) -> SatelliteProcess:
        proc = SatelliteProcess(root, sets, seed=len(started))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def helpers():
    import types

    return types.SimpleNamespace(tone=tone, repo=REPO)
