"""Thresholds: a confusable clip that wakes the assistant through any wake class counts once against the shared
1-in-40 budget (``evaluation.max_confusable_rate``), as the false accepts on speech already did."""

from __future__ import annotations

import numpy as np

from trixy_trainer.wakeword.embedding_evaluate import THRESHOLDS, share_confusable_budget

WAKE = ["trixy", "system_command"]


def _any_fires(thresholds: dict[str, float], peaks: np.ndarray) -> float:
    return float((peaks >= np.array([thresholds[w] for w in WAKE])).any(axis=1).mean())


def test_two_classes_each_within_the_budget_are_raised_until_their_union_is() -> None:
    peaks = np.zeros((40, 2))
    peaks[0, 0] = 0.9  # one confusable fires "trixy" at 0.85
    peaks[1, 1] = 0.7  # another fires "system command" at 0.6
    chosen = {"trixy": 0.85, "system_command": 0.6}
    assert _any_fires(chosen, peaks) == 2 / 40  # each class alone: 1 in 40, both together: 2 in 40
    shared = share_confusable_budget(chosen, WAKE, peaks, 1 / 40)
    assert _any_fires(shared, peaks) <= 1 / 40
    assert shared["trixy"] >= 0.85 and shared["system_command"] >= 0.6
    assert shared != chosen and all(t in THRESHOLDS for t in shared.values())
    # only as far as needed: one step lower would break the budget again
    raised = [w for w in WAKE if shared[w] > chosen[w]]
    assert len(raised) == 1
    lower = dict(shared)
    lower[raised[0]] = float(THRESHOLDS[THRESHOLDS < shared[raised[0]]][-1])
    assert _any_fires(lower, peaks) > 1 / 40


def test_thresholds_within_the_budget_are_left_alone_and_saturated_clips_end_the_search() -> None:
    peaks = np.zeros((40, 2))
    peaks[0, 0] = 0.9
    chosen = {"trixy": 0.85, "system_command": 0.5}
    assert share_confusable_budget(chosen, WAKE, peaks, 1 / 40) == chosen
    stuck = np.ones((40, 2))  # every clip scores 1.0 on both: nothing can fix it, the search must still end
    out = share_confusable_budget(chosen, WAKE, stuck, 1 / 40)
    assert out["trixy"] == float(THRESHOLDS[-1]) and out["system_command"] == float(THRESHOLDS[-1])
    assert share_confusable_budget(chosen, WAKE, np.zeros((0, 2)), 1 / 40) == chosen
