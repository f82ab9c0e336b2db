"""End to end in a real tmux: the launcher starts the program in a named session, F-keys sent with
`tmux send-keys` switch the views, `capture-pane` reads the screen, and `stop` quits it cleanly."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = REPO / "scripts" / "trixy-tmux.sh"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def program_command(root: Path) -> str:
    """The real program: `main.py server` opens the TUI (found through the `trixy.ui` entry point)."""
    args = [sys.executable, str(REPO / "main.py"), "server", "--root", str(root),
            "--set", "network.bind_address=127.0.0.1"]
    for key in ("command_port", "audio_input_port", "audio_output_port", "music_port"):
        args += ["--set", f"network.{key}=0"]
    return shlex.join(args)


def screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", f"={session}:"], capture_output=True, text=True,
                          check=False).stdout


def wait_screen(session: str, *texts: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if all(t in shown for t in texts):
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{texts} not on the screen within {timeout} s; screen was:\n{shown}")


def test_launcher_starts_the_tui_in_tmux_and_fkeys_switch_views(tmp_path, kit):
    root = kit.write_root(tmp_path / "trixy")
    session = f"trixy-test-{os.getpid()}"
    env = dict(os.environ, TRIXY_ROOT=str(REPO), TRIXY_TMUX_SESSION=session, TRIXY_TMUX_COMMAND=program_command(root))
    launch = subprocess.run(["bash", str(LAUNCHER), "start", "server"], env=env, capture_output=True, text=True,
                            timeout=30, check=False)
    assert launch.returncode == 0, launch.stderr
    assert f"tmux attach -t {session}" in launch.stdout
    try:
        subprocess.run(["tmux", "resize-window", "-t", f"={session}:", "-x", "160", "-y", "48"], check=False)
        shown = wait_screen(session, "Trixy Server", "General status", "f1 General", "f9 Logs")
        assert "Plugins" in shown and "2 available, 1 loaded, 1 active, 1 broken" in shown
        again = subprocess.run(["bash", str(LAUNCHER), "start", "server"], env=env, capture_output=True, text=True,
                               timeout=30, check=False)
        assert "already running" in again.stdout

        subprocess.run(["tmux", "send-keys", "-t", f"={session}:", "F4"], check=True)
        wait_screen(session, "greeter", "active", "broken (import)")
        subprocess.run(["tmux", "send-keys", "-t", f"={session}:", "F5"], check=True)
        wait_screen(session, "greet on connect", "nightly reload", "disabled")
        subprocess.run(["tmux", "send-keys", "-t", f"={session}:", "F9"], check=True)
        wait_screen(session, "trixy server started")
        subprocess.run(["tmux", "send-keys", "-t", f"={session}:", "F2"], check=True)
        wait_screen(session, "File: config/server_config.json", "[general]")
        subprocess.run(["tmux", "send-keys", "-t", f"={session}:", "F1"], check=True)
        wait_screen(session, "General status")
    finally:
        stop = subprocess.run(["bash", str(LAUNCHER), "stop", "server"], env=env, capture_output=True, text=True,
                              timeout=40, check=False)
    assert stop.returncode == 0 and "stopped" in stop.stdout, stop.stdout + stop.stderr
    status = subprocess.run(["bash", str(LAUNCHER), "status", "server"], env=env, capture_output=True, text=True,
                            timeout=10, check=False)
    assert status.returncode == 1
    assert "trixy server stopping" in (root / "logs" / "trixy.log").read_text(), "Ctrl-q stopped the application"
