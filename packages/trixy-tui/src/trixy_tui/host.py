"""`TuiHost`: what a view needs of the Textual app it runs in, as a Protocol.

The views must not import `trixy_tui.app` (the app imports every view: that made an import circle through all the
screens). A view types `self.app` as this Protocol instead; `TrixyApp` fits it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from trixy_core.application_protocol import TrixyApplication
from trixy_tui.hostinfo import HostInfo


class TuiHost(Protocol):
    """The app-level facts a view shows: the application, the title, the host, the root folder and the up-time."""

    application: TrixyApplication
    base_title: str
    host_info: HostInfo

    @property
    def root(self) -> Path:
        """The application's root folder (paths are shown relative to it)."""
        ...

    def uptime_s(self) -> float | None:
        """Seconds since the application started (None before)."""
        ...
