"""`python3 main.py standalone` as a real process: it starts with no server anywhere and keeps running; `--demo`
hands over to the demo."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_standalone_process_runs_without_a_server_and_stops_cleanly(tmp_path: Path):
    port = free_port()
    config = tmp_path / "config" / "standalone_config.json"
    cmd = [sys.executable, str(REPO / "main.py"), "standalone", "--debug", "--root", str(tmp_path), "--config",
           str(config), "--set", "standalone.input=silence", "--set", "standalone.output=null", "--set",
           f"sync.port={port}", "--set", "sync.interval_s=0.3", "--set", "sync.connect_timeout_s=0.5"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "connected to 127.0.0.1" in line:      # the local satellite reached the built-in server
                break
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
