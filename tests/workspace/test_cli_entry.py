"""`python3 main.py server|client|standalone` and the installed `trixy` script parse the same arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trixy_core.cli import MODES, build_parser, find_mode_runner

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_main_py_help_lists_the_three_modes() -> None:
    out = _run("--help")
    assert out.returncode == 0
    for mode in ("server", "client", "standalone"):
        assert mode in out.stdout


def test_unknown_mode_is_refused_with_usage() -> None:
    out = _run("toaster")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_missing_mode_is_refused() -> None:
    out = _run()
    assert out.returncode == 2
    assert "required" in out.stderr


@pytest.mark.parametrize("mode", ["server", "client", "standalone"])
def test_each_mode_parses_debug_config_and_overrides(mode: str) -> None:
    args = build_parser().parse_args([mode, "--debug", "--config", "x.json", "--set", "a.b=1", "--set", "c=2"])
    assert args.mode == mode and args.debug and args.config == "x.json"
    assert args.overrides == ["a.b=1", "c=2"]


@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_has_an_installed_runner(mode: str) -> None:
    assert callable(find_mode_runner(mode))


def test_installed_trixy_script_parses_like_main_py() -> None:
    script = Path(sys.executable).parent / "trixy"
    assert script.exists(), "the trixy console script is not installed"
    out = subprocess.run([str(script), "client", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "--config" in out.stdout and "--debug" in out.stdout
