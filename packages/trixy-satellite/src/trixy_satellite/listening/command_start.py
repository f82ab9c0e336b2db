"""Where the command's recording starts after a wake word: the quietest moment just before the window that fired.

The detector reports a wake word some time after it was said (the window that fired ends 0.03-0.5 s after the
word, later for voices it scores lower, and the report comes at the end of a 320 ms block). Starting the recording
where that window ended cut the first syllables of a command that had already begun ("what time is it" heard as
"i eat"); starting a fixed time earlier put the wake word's tail in front of the command, which a grammar recogniser
also mishears. The gap between the two words is what separates them, so the recording starts at the quietest
30 ms of the ``search_s`` before the fired window's end: in a pause that is the pause, wherever in it the detector
fired, and when it fired late, after the command had begun, it is the pause before the command. Measured with
`benchmarks/wake_command_bench.py` (docs/pipeline.md).
"""

from __future__ import annotations

import numpy as np

#: how far before the end of the window that fired the quiet moment is looked for
SEARCH_S = 0.3
#: ... and how far after it (looking 50 ms past it too lost 5 of 27 commands said right after the wake word)
AFTER_S = 0.0
#: the length of the quiet moment, and the step it is looked for in
QUIET_S = 0.03
STEP_S = 0.005


def command_start_s(recent: np.ndarray, sample_rate: int, since_fired_s: float, *, search_s: float = SEARCH_S,
                    after_s: float = AFTER_S) -> float:
    """Seconds before the end of ``recent`` (the latest microphone samples, any dtype) where the command's recording
    should start: the middle of the quietest ``QUIET_S`` between ``search_s`` before and ``after_s`` after the end
    of the window that fired, which ended ``since_fired_s`` before the end of ``recent``. The earliest of equally
    quiet moments wins (in digital silence: right after the wake word). Falls back to ``since_fired_s`` when
    ``recent`` is too short to search."""
    since_fired_s = max(0.0, float(since_fired_s))
    samples = np.asarray(recent, dtype=np.float64).ravel()
    fired = samples.size - int(round(since_fired_s * sample_rate))
    high = min(samples.size, fired + int(after_s * sample_rate))
    low = max(0, fired - int(search_s * sample_rate))
    window, step = max(1, int(QUIET_S * sample_rate)), max(1, int(STEP_S * sample_rate))
    if fired <= 0 or high - low < window:
        return since_fired_s
    power = np.concatenate([[0.0], np.cumsum(samples[low:high] ** 2)])
    starts = np.arange(0, high - low - window + 1, step)
    quietest = int(starts[np.argmin(power[starts + window] - power[starts])])
    middle = low + quietest + window // 2
    return (samples.size - middle) / sample_rate
