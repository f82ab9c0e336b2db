"""Trixy launcher: `python3 main.py server|client|standalone [--debug] [--config FILE]`.

Runs the same command-line interface as the installed `trixy` script. When started by a Python that does not have
the workspace installed, it re-executes itself with the repo's `.venv` (made by `make setup`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _main() -> int:
    try:
        from trixy_core.cli import main
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
            os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
        sys.stderr.write("trixy: the workspace is not installed; run `make setup` first (see README.md)\n")
        return 2
    os.chdir(ROOT)
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
