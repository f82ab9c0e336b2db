"""Event data the pipeline adds to the core's catalogue (subclasses, so handlers of the core types still match)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trixy_core.events.data import WakewordReceived
from trixy_server.pipeline.arbitration import WakeCandidate


@dataclass(slots=True)
class ArbitratedWakeword(WakewordReceived):
    """`wakeword received` after arbitration: the chosen satellite's detection plus every candidate of the round."""

    candidates: list[WakeCandidate] = field(default_factory=list)
    """All satellites that reported this wake word, chosen one included."""
