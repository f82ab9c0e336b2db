"""`NearMissTracker`: wake-word scores that came close without firing, the misses worth keeping for training.

A person the model hears badly is usually scored *something*: of 150 held-out espeak-ng "Trixie" clips in rooms,
the shipped model missed 34 at its stored threshold, and 16 of those still reached 0.6 (`benchmarks/wakeword_bench.py`,
"near misses"). Keeping the audio around those moments (`audio.keep_near_misses`) gives the household's own misses
to sort in the TUI and train on, which kept detections alone never can. An episode starts when a wake class's smoothed score reaches the floor
outside the detector's refractory period and ends when every class is below the floor again (or after
``max_episode_s``); it is reported with its highest score unless a detection happened during it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True, frozen=True)
class WakewordNearMiss:
    """A wake-word score that reached the near-miss floor and stayed below the class's threshold."""

    wakeword_id: int  # index into the model's classes
    name: str  # class name
    score: float  # the episode's highest smoothed probability
    stream_time_s: float  # end of the window that scored it, in seconds of audio fed so far


class NearMissTracker:
    """Turns the detector's smoothed wake scores, step by step, into near-miss episodes."""

    def __init__(self, floor: float, classes: list[str], sample_rate: int, max_episode_s: float = 2.0) -> None:
        if not 0.0 < floor < 1.0:
            raise ValueError(f"near-miss floor must be between 0 and 1, got {floor}")
        self.floor = float(floor)
        self.classes = classes
        self.sample_rate = sample_rate
        self.max_episode = int(max_episode_s * sample_rate)
        self.found: list[WakewordNearMiss] = []
        self.reset()

    def reset(self) -> None:
        """Forget the episode in progress and the near misses not yet taken."""
        self.found.clear()
        self._start = -1  # sample where the episode began; -1: none
        self._best = (-1, 0.0, 0)  # class, score, sample
        self._latched = False  # an episode hit max_episode: wait until the scores fall below the floor

    def step(self, wake: np.ndarray, at: int, blocked: bool, fired: bool) -> None:
        """One smoothed row of wake-class scores ending at sample ``at``; ``blocked``: inside the refractory period
        after a detection (the same word's tail), ``fired``: this row made a detection."""
        if fired or blocked:  # and a score still over the floor after the refractory period is that word's tail
            self._start, self._latched = -1, True
            return
        best = int(np.argmax(wake))
        score = float(wake[best])
        if score < self.floor:
            if self._start >= 0:
                self._report()
            self._start, self._latched = -1, False
            return
        if self._latched:
            return
        if self._start < 0:
            self._start, self._best = at, (best, score, at)
        elif score > self._best[1]:
            self._best = (best, score, at)
        if at - self._start >= self.max_episode:
            self._report()
            self._start, self._latched = -1, True

    def _report(self) -> None:
        cls, score, at = self._best
        self.found.append(WakewordNearMiss(cls, self.classes[cls], score, at / self.sample_rate))

    def take(self) -> list[WakewordNearMiss]:
        """The near misses completed since the last call (oldest first)."""
        found, self.found = self.found, []
        return found
