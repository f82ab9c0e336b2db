"""`build_status`: the `SatelliteStatus` a satellite reports, merged from its parts' status providers.

Providers (wake-word listener, models, updates...) each return some `SatelliteStatus` fields; one that fails costs
its own fields, never the whole status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from trixy_protocol import SatelliteStatus
from trixy_satellite import __version__
from trixy_satellite.identity import hostname, platform_string

logger = logging.getLogger(__name__)


def build_status(uptime_s: float, conversation_active: bool,
                 providers: Iterable[Callable[[], dict[str, Any]]]) -> SatelliteStatus:
    """The status with this machine's identity, then each provider's fields (`extra` is merged, others set)."""
    status = SatelliteStatus(uptime_s=uptime_s, hostname=hostname(), platform=platform_string(),
                             version=__version__, conversation_active=conversation_active)
    for provider in list(providers):
        try:
            fields = provider()
        except Exception:  # a broken provider costs its fields, never the status
            logger.exception("status provider failed")
            continue
        for name, value in fields.items():
            if name == "extra":
                status.extra.update(value)
            else:
                setattr(status, name, value)
    return status
