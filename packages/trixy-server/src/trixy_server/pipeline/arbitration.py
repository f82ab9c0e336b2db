"""Wake-word arbitration: several satellites hear one wake word; after a short window the loudest one wins.

Sans-IO at its core (`choose_loudest`), with a small asyncio round (`WakeArbiter`) that opens on the first
detection, collects the others for `window_s`, then hands every candidate to the pipeline's decision callback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class WakeCandidate:
    """One satellite's "wake word detected", as the server received it."""

    satellite_id: str
    wake_word_id: int
    wake_word_name: str
    speaker_id: int
    """-1 when the satellite could not identify the speaker."""
    speaker_name: str
    score: float
    loudness_db: float
    """dBFS of the wake word as the satellite heard it: the arbitration key."""
    timestamp_us: int
    """When the satellite detected it (its clock, microseconds since the epoch)."""
    system_command: bool
    received_at: float
    """Server monotonic time of arrival (ties go to the first)."""
    command_lead_ms: int = 0
    """How much of the satellite's buffered audio comes before the command (``WakeWordDetected.command_lead_ms``)."""


def choose_loudest(candidates: Sequence[WakeCandidate]) -> WakeCandidate:
    """The loudest candidate; equal loudness: higher score, then the earliest arrival."""
    if not candidates:
        raise ValueError("no wake-word candidates to choose from")
    return max(candidates, key=lambda c: (c.loudness_db, c.score, -c.received_at))


Decision = Callable[[list[WakeCandidate]], Awaitable[None]]


class WakeArbiter:
    """Collects detections for `window_s` after the first, then calls `decide(candidates)` once per round."""

    def __init__(self, window_s: float, decide: Decision, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.decide = decide
        self.clock = clock
        self._round: dict[str, WakeCandidate] = {}
        self._task: asyncio.Task[Any] | None = None
        self.rounds = 0

    @property
    def open(self) -> bool:
        """True while a round collects candidates."""
        return self._task is not None

    def offer(self, candidate: WakeCandidate) -> None:
        """Add a detection (a satellite that reports twice in one round keeps its louder report)."""
        old = self._round.get(candidate.satellite_id)
        if old is None or candidate.loudness_db > old.loudness_db:
            self._round[candidate.satellite_id] = candidate
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._close_round(), name="trixy-wake-arbitration")
            logger.debug("arbitration round opened by %s (%.1f dBFS)", candidate.satellite_id, candidate.loudness_db)

    async def _close_round(self) -> None:
        try:
            await asyncio.sleep(self.window_s)
        finally:
            candidates, self._round, self._task = list(self._round.values()), {}, None
        self.rounds += 1
        try:
            await self.decide(candidates)
        except Exception:
            logger.exception("wake-word decision failed for %s", ", ".join(c.satellite_id for c in candidates))

    async def close(self) -> None:
        """Drop an open round (server shutdown)."""
        task, self._task = self._task, None
        self._round = {}
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
