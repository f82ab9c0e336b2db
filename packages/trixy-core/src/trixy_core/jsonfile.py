"""Reading and atomically writing JSON files (config, plugin config, schedules, registrations): a crash never leaves
half a file, and a write keeps the file's mode (0600 only for secrets). The one JSON writer of every package."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class JsonFileError(ValueError):
    """A JSON file cannot be read: the message names the file and, for syntax errors, the line and column."""


def read_json(path: Path) -> Any:
    """Parse a JSON file; raises `JsonFileError` naming the file (and line/column) when it is not valid JSON."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise JsonFileError(f"{path}: not UTF-8 text ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFileError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def _process_umask() -> int:
    """The process's umask, read without changing it where /proc allows (changing it races with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


PRIVATE_MODE = 0o600
"""Secrets (satellite registrations with their keys): readable by the owner only."""


def write_json_atomic(
    path: Path, data: Any, *, indent: int = 2, private: bool = False, sort_keys: bool = False
) -> None:
    """Write `data` as JSON to `path` through a temporary file in the same folder and an atomic rename.

    The file mode is what the file had (an edit never changes who may read it); a new file gets the usual mode
    (0666 minus the umask), and `private=True` (secrets) always 0600. Without this, the temporary file's 0600 from
    `mkstemp` would silently replace the mode of every config file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        mode = PRIVATE_MODE
    else:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_process_umask()
    text = json.dumps(data, indent=indent, ensure_ascii=False, sort_keys=sort_keys) + "\n"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
