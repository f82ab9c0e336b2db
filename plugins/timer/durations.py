"""Durations from timer slots, and spoken back in words ("five minutes", "one hour and ten minutes")."""

from __future__ import annotations

from typing import Any


def seconds_from_slots(slots: dict[str, Any]) -> float:
    """hours/minutes/seconds slots (numbers) -> total seconds; missing slots count as 0."""
    total = 0.0
    for key, factor in (("hours", 3600), ("minutes", 60), ("seconds", 1)):
        value = slots.get(key)
        if value is None or value == "":
            continue
        total += float(value) * factor
    return total


def spoken_duration(seconds: float) -> str:
    """A duration as a short phrase: 300 -> "5 minutes", 3725 -> "1 hour, 2 minutes and 5 seconds"."""
    seconds = int(round(seconds))
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    if not parts:
        return "0 seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def short_duration(seconds: float) -> str:
    """The adjective form for "your 5 minute timer": singular units."""
    return spoken_duration(seconds).replace("hours", "hour").replace("minutes", "minute").replace("seconds", "second")
