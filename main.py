"""Trixy launcher: `python3 main.py server|client|standalone [--debug] [--config FILE]`.

Runs the same command-line interface as the installed `trixy` script, from any working directory. When started by a
Python that does not have the workspace installed (a plain `python3`), it re-executes itself with the repo's `.venv`
(made by `make setup`). Whether we already run inside that venv is decided by `sys.prefix`, not by comparing
interpreter paths: `python3 -m venv` makes `.venv/bin/python` a symlink to the very interpreter a user types, so
the resolved paths are equal although only the venv's one sees the installed packages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REEXEC_FLAG = "TRIXY_LAUNCHER_REEXEC"
PATH_OPTIONS = ("--config", "--input-wav", "--root")
"""Options whose value is a path: made absolute against the caller's folder before we change into ROOT."""


def _in_venv(venv: Path) -> bool:
    try:
        return Path(sys.prefix).resolve() == venv.resolve()
    except OSError:
        return False


def absolute_path_options(argv: list[str], cwd: Path) -> list[str]:
    """`--config x.json` typed in /home/me means /home/me/x.json, also after the launcher changed into ROOT."""
    out: list[str] = []
    expect_path = False
    for arg in argv:
        if expect_path:
            out.append(str(cwd / arg) if arg and not Path(arg).is_absolute() else arg)
            expect_path = False
            continue
        name, eq, value = arg.partition("=")
        if name in PATH_OPTIONS and eq:
            out.append(f"{name}={cwd / value}" if value and not Path(value).is_absolute() else arg)
            continue
        expect_path = arg in PATH_OPTIONS
        out.append(arg)
    return out


def _main() -> int:
    try:
        from trixy_core.cli import main
    except ImportError:
        venv_python = VENV / "bin" / "python"
        if venv_python.exists() and not _in_venv(VENV) and not os.environ.get(REEXEC_FLAG):
            os.environ[REEXEC_FLAG] = "1"  # a venv that cannot import trixy either must not loop
            # The unresolved venv path: the interpreter finds .venv/pyvenv.cfg beside it and uses the venv's packages.
            os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
        sys.stderr.write("trixy: the workspace is not installed; run `make setup` first (see README.md)\n")
        return 2
    os.environ.pop(REEXEC_FLAG, None)  # processes we start (satellite tools, trainers) launch afresh
    argv = absolute_path_options(sys.argv[1:], Path.cwd())
    os.chdir(ROOT)
    return main(argv)


if __name__ == "__main__":
    sys.exit(_main())
