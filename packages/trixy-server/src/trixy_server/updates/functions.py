"""`update_satellites`: the update push as an internal function, so a schedule can keep a fleet current.

    {"name": "new voice model to every satellite that connects",
     "triggers": [{"type": "event", "event": "satellite connected"}],
     "actions": [{"type": "function", "function": "update_satellites", "args": {"kind": "voice_model"}}]}

A headless, pip-installed server has no TUI for the F5 buttons; this is the same push from a schedule or a plugin.
One satellite that refuses (or is gone) is logged and reported; the others still get the update.
"""

from __future__ import annotations

import logging
from typing import Any

from trixy_protocol import UpdateKind
from trixy_server.errors import UpdatePushError

logger = logging.getLogger(__name__)

KINDS = ("wakeword_model", "voice_model", "assets", "plugins", "scripts")


def register_update_functions(app: Any, pusher: Any) -> None:
    """Register `update_satellites` on the application's function registry (when it has one)."""
    functions = getattr(app, "functions", None)
    if functions is None:
        return

    async def update_satellites(kind: str = "voice_model", satellites: list[str] | None = None) -> list[str]:
        """Push the newest `kind` to every connected satellite (or those whose id, MAC or alias is listed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown update kind {kind!r}; use one of {', '.join(KINDS)}")
        manager = app.get("satellite_manager")
        if manager is None:
            raise ValueError("no satellite manager: update_satellites runs on a server or standalone")
        wanted = set(satellites or ())
        targets = [s for s in manager.connected
                   if not wanted or wanted & {s.id, s.mac, getattr(s, "alias", "")}]
        report = []
        for satellite in targets:
            try:
                if kind in ("wakeword_model", "voice_model"):
                    result = await pusher.push_model(satellite, None, UpdateKind(kind))
                elif kind == "assets":
                    result = await pusher.push_assets(satellite)
                elif kind == "plugins":
                    result = await pusher.push_plugins(satellite)
                else:
                    result = await pusher.push_scripts(satellite)
            except (UpdatePushError, OSError) as exc:
                logger.warning("update_satellites: %s to %s failed: %s", kind, satellite.id, exc)
                report.append(f"{satellite.id}: failed: {exc}")
                continue
            message = "; ".join(r.message for r in result) if isinstance(result, list) else result.message
            logger.info("update_satellites: %s installed on %s (%s)", kind, satellite.id, message)
            report.append(f"{satellite.id}: {message}")
        return report

    functions.register("update_satellites", update_satellites,
                       "Push the newest model/assets/plugins/scripts to connected satellites (kind=..., satellites=[...]).",
                       replace=True)
