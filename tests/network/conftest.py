"""Fixtures for end-to-end network tests: real `main.py server` / `main.py client` processes on loopback.

Every process gets a temp root, free ports and short timeouts through `--set`, so the whole folder runs in seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from trixy_server.component import SatelliteNetwork
from trixy_server.config import NetworkConfig

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "main.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_tone(path: Path, freq: float, seconds: float, rate: int = 16000, amp: float = 12000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    data = (amp * np.sin(2 * np.pi * freq * t)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data.tobytes())
    return path


def dominant_hz(pcm: bytes, rate: int = 16000) -> float:
    data = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(data))
    return float(np.fft.rfftfreq(len(data), 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def wait_until(predicate, timeout: float = 10.0, what: str = "condition", interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


async def async_wait_until(predicate, wait_s: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {wait_s:g} s waiting for {what}")


class TrixyProcess:
    """A `python main.py <mode>` child with its own root folder; logs land in <root>/logs/trixy.log."""

    def __init__(self, mode: str, root: Path, sets: dict[str, object]) -> None:
        self.mode = mode
        self.root = root
        self.config_path = root / "config" / f"{mode}_config.json"
        self.sets = sets
        self.proc: subprocess.Popen | None = None

    def start(self) -> TrixyProcess:
        args = [sys.executable, str(MAIN), self.mode, "--root", str(self.root), "--config", str(self.config_path)]
        for key, value in self.sets.items():
            text = value if isinstance(value, str) else __import__("json").dumps(value)
            args += ["--set", f"{key}={text}"]
        self.root.mkdir(parents=True, exist_ok=True)
        self.out = open(self.root / f"{self.mode}.out", "ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT, env=env)
        return self

    @property
    def log(self) -> str:
        path = self.root / "logs" / "trixy.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        out = self.root / f"{self.mode}.out"
        return text + (out.read_text(errors="replace") if out.exists() else "")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.out.close()
        return self.proc.returncode


def satellite_sets(port: int, mac: str, room: str, *, wav: Path | None = None, record: Path | None = None,
                   alias: str = "") -> dict[str, object]:
    return {
        "server.host": "127.0.0.1", "server.port": port, "server.retry_interval_s": 0.3,
        "server.keepalive_s": 0.5, "server.dead_after_s": 3.0, "server.connect_timeout_s": 2.0,
        "satellite.mac": mac, "satellite.room": room, "satellite.alias": alias or room,
        "audio.input": str(wav) if wav else "silence", "audio.output": "null",
        "audio.record_speech": str(record) if record else "",
        "logging.level": "DEBUG",
    }


@pytest.fixture
def processes() -> Iterator[list[TrixyProcess]]:
    started: list[TrixyProcess] = []
    yield started
    for proc in started:
        proc.stop()


def fast_network_config(**kw) -> NetworkConfig:
    values = dict(bind_address="127.0.0.1", command_port=0, audio_input_port=0, audio_output_port=0, music_port=0,
                  ping_interval_s=0.3, dead_after_s=3.0, handshake_timeout_s=2.0, registration_answer_timeout_s=2.0,
                  write_timeout_s=1.0)
    values.update(kw)
    return NetworkConfig(**values)


@pytest.fixture
async def network(tmp_path) -> SatelliteNetwork:
    """The real server networking in this test's event loop (so tests can reach the manager directly)."""
    net = SatelliteNetwork(fast_network_config(), tmp_path / "server")
    await net.start()
    yield net
    await net.stop()


class Tools:
    """Helpers handed to tests as one fixture (test modules cannot import conftest under importlib mode)."""

    free_port = staticmethod(free_port)
    write_tone = staticmethod(write_tone)
    dominant_hz = staticmethod(dominant_hz)
    wait_until = staticmethod(wait_until)
    async_wait_until = staticmethod(async_wait_until)
    satellite_sets = staticmethod(satellite_sets)
    fast_network_config = staticmethod(fast_network_config)

    def __init__(self, tmp_path: Path, processes: list[TrixyProcess]) -> None:
        self.tmp_path = tmp_path
        self.processes = processes

    def process(self, mode: str, name: str, sets: dict[str, object]) -> TrixyProcess:
        proc = TrixyProcess(mode, self.tmp_path / name, sets).start()
        self.processes.append(proc)
        return proc

    def satellite(self, network: SatelliteNetwork, name: str, mac: str, room: str, *, registered: bool = False,
                  secret: str | None = None, **kw) -> TrixyProcess:
        sets = satellite_sets(network.ports["command"], mac, room, **kw)
        if registered:
            record = network.registry.get(mac) or network.manager.register(mac, room, room).record
            sets["satellite.id"] = record.id
            sets["satellite.secret"] = secret if secret is not None else record.secret
        return self.process("client", name, sets)


@pytest.fixture
def tools(tmp_path, processes) -> Tools:
    return Tools(tmp_path, processes)
