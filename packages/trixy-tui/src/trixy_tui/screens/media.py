"""What the calendar and music plugins show on the F1 view: the next appointments, and what plays on each satellite.

Read by duck typing from the plugins (`calendar.upcoming(n)`, `music.now_playing()`), so the TUI needs neither
plugin installed: without one, its block stays hidden.
"""

from __future__ import annotations

from typing import Any

from trixy_tui.access import attr, component


def clock(seconds: Any) -> str:
    """75.4 -> "1:15"."""
    minutes, secs = divmod(max(0, int(float(seconds or 0))), 60)
    return f"{minutes}:{secs:02d}"


def active_plugin(application: Any, name: str) -> Any:
    """The plugin when it is loaded and active, else None."""
    manager = component(application, "plugin_manager")
    plugin = manager.get(name) if manager is not None and hasattr(manager, "get") else None
    if plugin is None or not manager.is_active(name):
        return None
    return plugin


def calendar_rows(application: Any, limit: int = 5) -> list[tuple[str, str]] | None:
    """(when, "summary (calendar, room)") of the next events; None when there is no calendar plugin."""
    plugin = active_plugin(application, "calendar")
    upcoming = getattr(plugin, "upcoming", None)
    if not callable(upcoming):
        return None
    rows = []
    for event in upcoming(limit):
        where = ", ".join(x for x in (str(event.get("calendar", "")), str(event.get("room", ""))) if x)
        rows.append((str(event.get("when", "")), f"{event.get('summary', '')}" + (f"  ({where})" if where else "")))
    return rows or [("(nothing coming up)", "")]


def music_rows(application: Any) -> list[tuple[str, str]] | None:
    """(satellite, "title - artist  state m:ss / m:ss  volume") per satellite that plays; None without music."""
    plugin = active_plugin(application, "music")
    now_playing = getattr(plugin, "now_playing", None)
    if not callable(now_playing):
        return None
    names = satellite_names(application)
    rows = []
    for satellite_id, item in sorted(now_playing().items()):
        artist = f" - {item['artist']}" if item.get("artist") else ""
        rows.append((names.get(satellite_id, satellite_id),
                     f"{item.get('title', '')}{artist}  {item.get('state', '')} "
                     f"{clock(item.get('position_s'))} / {clock(item.get('duration_s'))}  "
                     f"volume {round(100 * float(item.get('volume', 1)))} %  track {item.get('queue', '')}"))
    return rows or [("(no music playing)", "")]


def satellite_names(application: Any) -> dict[str, str]:
    """satellite id -> "alias (room)" for the satellites the manager knows."""
    manager = component(application, "satellite_manager")
    names = {}
    for sat in attr(manager, "satellites", default=[]) or []:
        alias, room = attr(sat, "alias") or "", attr(sat, "room") or ""
        names[str(attr(sat, "id"))] = f"{alias} ({room})" if alias and room else str(alias or room or attr(sat, "id"))
    return names
