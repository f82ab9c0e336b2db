"""Components and user interfaces contributed by other installed packages, found through entry points.

The core never imports the packages above it. Instead:
- `trixy.components`: each entry point is a callable `install(application) -> None` that may register components
  for the application's mode (trixy-trainer registers `trainers` on servers and standalones, for example);
- `trixy.ui`: a callable `run(application, mode) -> int` that runs the application inside a user interface
  (trixy-tui registers the Textual TUI).
A broken extension is logged and skipped; it never stops the program.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from trixy_core.application_protocol import TrixyApplication

logger = logging.getLogger(__name__)

COMPONENT_GROUP = "trixy.components"
UI_GROUP = "trixy.ui"

UiRunner = Callable[[Any, str], int]


def _entry_points(group: str) -> list[EntryPoint]:
    return sorted(entry_points(group=group), key=lambda ep: ep.name)


def install_component_extensions(application: TrixyApplication) -> list[str]:
    """Run every installed `trixy.components` installer on `application`; returns the names that succeeded."""
    installed: list[str] = []
    for ep in _entry_points(COMPONENT_GROUP):
        try:
            ep.load()(application)
        except Exception:  # an extension must never take the program down
            logger.exception("component extension %r (%s) failed to install; skipped", ep.name, ep.value)
            continue
        installed.append(ep.name)
    return installed


def find_ui(name: str | None = None) -> UiRunner | None:
    """The installed user interface called `name` (or the first one), or None when none is installed."""
    for ep in _entry_points(UI_GROUP):
        if name is None or ep.name == name:
            try:
                return ep.load()
            except Exception:
                logger.exception("user interface %r (%s) failed to load", ep.name, ep.value)
                return None
    return None
