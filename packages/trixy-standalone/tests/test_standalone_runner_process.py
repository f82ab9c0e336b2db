"""`python3 main.py standalone` as a real process: it starts with no server anywhere and keeps running; `--demo`
hands over to the demo."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def read_until(proc: subprocess.Popen, done, seconds: float = 60) -> list[str]:
    """The process's output lines up to the first for which ``done(line)`` is true (or its end, or the time)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if done(line):
            break
    return lines


def test_standalone_process_runs_without_a_server_and_stops_cleanly(tmp_path: Path):
    port = free_port()
    config = tmp_path / "config" / "standalone_config.json"
    cmd = [sys.executable, str(REPO / "main.py"), "standalone", "--debug", "--root", str(tmp_path), "--config",
           str(config), "--set", "standalone.input=silence", "--set", "standalone.output=null", "--set",
           f"sync.port={port}", "--set", "sync.interval_s=0.3", "--set", "sync.connect_timeout_s=0.5"]
    proc = start(cmd)
    lines: list[str] = []
    try:
        lines = read_until(proc, lambda line: "connected to 127.0.0.1" in line)  # the local satellite is on the server
        assert any("connected to 127.0.0.1" in line for line in lines), "".join(lines)
        time.sleep(1.0)                                # a few failed sync attempts (the server is down)
        assert proc.poll() is None, "".join(lines)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(lines) + out
    saved = config.read_text()
    assert '"sync"' in saved and '"interval_s": 30.0' in saved and '"standalone"' in saved   # documented defaults
    assert (tmp_path / "state" / "satellites" / "02-74-72-78-79-01.json").is_file()


def test_demo_flag_hands_over_to_the_demo(monkeypatch):
    import trixy_standalone.demo as demo
    from trixy_standalone.runner import run

    seen = []
    monkeypatch.setattr(demo, "run_demo", lambda args: seen.append(args) or 7)
    args = argparse.Namespace(mode="standalone", demo=True, debug=True, config=None, overrides=[], root=".")
    assert run(args) == 7 and seen == [args]


def test_a_wav_that_starts_with_the_wake_word_wakes_the_standalone(tmp_path: Path):
    """`--input-wav`: the file is the microphone from the moment the local satellite listens, so a wake word in its
    first second is heard (before, it played while the satellite was still connecting, and was dropped)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), "Trixie, what time is it"], check=True)
    with wave.open(str(raw)) as w:
        rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")
    loud = np.flatnonzero(np.abs(pcm) > 300)
    pcm = pcm[loud[0] :]  # the word from the file's first sample
    wav = tmp_path / "say.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    config = tmp_path / "config" / "standalone_config.json"
    cmd = [sys.executable, str(REPO / "main.py"), "standalone", "--debug", "--root", str(tmp_path), "--config",
           str(config), "--input-wav", str(wav), "--set", "standalone.output=null",
           "--set", f"standalone.wakeword_model={REPO / 'models' / 'wakeword' / 'trixy'}",
           "--set", f"standalone.voice_model={REPO / 'models' / 'voice_recognition' / 'default'}",
           "--set", f"sync.port={free_port()}"]
    proc = start(cmd)
    lines: list[str] = []
    try:
        lines = read_until(proc, lambda line: line.startswith("wake word 'trixy'"))
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert any(line.startswith("wake word 'trixy'") for line in lines), "".join(lines) + out
    assert any("the satellite is listening, the file starts" in line for line in lines), "".join(lines)
