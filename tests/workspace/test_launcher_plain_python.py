"""`python3 main.py ...` as a user types it: the system interpreter (not the venv's), from another working folder.

`python3 -m venv` makes `.venv/bin/python` a symlink to that same interpreter, so a launcher that compares resolved
interpreter paths never switches into the venv and fails with "the workspace is not installed".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"


def _system_python() -> str:
    """The interpreter the venv was made from (what `python3` is for the user), not the venv's own."""
    candidate = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not candidate.exists() or Path(sys.prefix).resolve() == Path(sys.base_prefix).resolve():
        pytest.skip("the tests do not run inside a venv made from a system interpreter")
    return str(candidate)


def _plain_env() -> dict[str, str]:
    """The environment of a user's shell: no venv activated, no PYTHONPATH pointing into the workspace."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


def test_system_python_cannot_import_the_workspace_itself() -> None:
    """The precondition of the tests below: without the launcher's re-exec, `python3` would not find trixy."""
    out = subprocess.run([_system_python(), "-c", "import trixy_core"], capture_output=True, text=True,
                         timeout=60, env=_plain_env(), cwd="/")
    assert out.returncode != 0 and "trixy_core" in out.stderr


def test_plain_python3_main_py_help_from_another_folder(tmp_path: Path) -> None:
    out = subprocess.run([_system_python(), str(MAIN), "--help"], capture_output=True, text=True, timeout=120,
                         env=_plain_env(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "not installed" not in out.stderr
    for mode in ("server", "client", "standalone"):
        assert mode in out.stdout


def test_plain_python3_main_py_server_really_starts_and_stops(tmp_path: Path) -> None:
    """A short real start: the server listens, then SIGINT ends it cleanly. The relative `--config` is the caller's."""
    work = tmp_path / "work"
    root = tmp_path / "root"
    work.mkdir()
    root.mkdir()
    (work / "my_server.json").write_text(json.dumps({
        "network": {"bind_address": "127.0.0.1", "command_port": 0, "audio_input_port": 0, "audio_output_port": 0,
                    "music_port": 0},
        "scheduler": {"enabled": False},
    }))
    cmd = [_system_python(), str(MAIN), "server", "--debug", "--config", "my_server.json", "--root", str(root)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_plain_env(),
                            cwd=work)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "trixy server listening on 127.0.0.1" in line:
                break
        assert any("trixy server listening on 127.0.0.1" in line for line in lines), "".join(lines[-30:])
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        lines.append(rest)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = "".join(lines)
    assert "not installed" not in output
    assert proc.returncode in (0, 130), output[-3000:]
    assert (root / "logs").is_dir()  # the --root folder was used, not the repo
    assert json.loads((work / "my_server.json").read_text())["network"]["command_port"] == 0


def test_relative_path_options_are_the_callers(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("trixy_launcher_main", MAIN)
    assert spec is not None and spec.loader is not None
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    argv = ["server", "--config", "a.json", "--root=r", "--input-wav", "/abs.wav", "--set", "x.y=rel", "--debug"]
    assert launcher.absolute_path_options(argv, tmp_path) == [
        "server", "--config", str(tmp_path / "a.json"), f"--root={tmp_path / 'r'}", "--input-wav", "/abs.wav",
        "--set", "x.y=rel", "--debug"]
