"""How the views write values: durations, byte counts, times and the "not available" marker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

NOT_AVAILABLE = "not available"


def duration(seconds: float | None) -> str:
    """`3723` -> "1h 02m 03s"; None -> "not available"."""
    if seconds is None:
        return NOT_AVAILABLE
    total = max(0, int(round(float(seconds))))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def size(count: int | None) -> str:
    """`1536` -> "1.5 KiB"; None -> "not available"."""
    if count is None:
        return NOT_AVAILABLE
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover - loop always returns


def moment(value: Any) -> str:
    """A datetime, an ISO string or a Unix time as "YYYY-MM-DD HH:MM:SS"; None -> "never"."""
    if value is None or value == "":
        return "never"
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(float(value)).astimezone()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def text(value: Any) -> str:
    """Any value as one line; None and "" become "not available"."""
    if value is None or value == "":
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
