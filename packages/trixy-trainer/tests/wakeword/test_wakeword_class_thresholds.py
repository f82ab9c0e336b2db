"""Per-class thresholds: the pair with the lowest mean false-reject rate whose false accepts together meet the target."""

from __future__ import annotations

import numpy as np

from trixy_trainer.wakeword.detection import choose_class_thresholds


def test_the_budget_goes_to_the_class_where_it_buys_most() -> None:
    # thresholds ascending: false accepts fall, false rejects rise
    fa = np.array([[4.0, 2.0, 1.0, 0.0], [3.0, 1.0, 0.0, 0.0]])
    frr = np.array([[0.00, 0.02, 0.05, 0.60], [0.00, 0.10, 0.20, 0.90]])
    assert choose_class_thresholds(fa, frr, 1.0) == [2, 2]  # 0.05 + 0.20 beats 0.60 + 0.10
    assert choose_class_thresholds(fa, frr, 3.0) == [1, 1]  # 2 + 1 FA/h, 0.02 + 0.10
    assert choose_class_thresholds(fa, frr, 0.0) == [3, 2]


def test_no_feasible_pair_gives_the_strictest_thresholds_and_one_class_works() -> None:
    fa = np.array([[5.0, 4.0], [5.0, 3.0]])
    frr = np.zeros((2, 2))
    assert choose_class_thresholds(fa, frr, 1.0) == [1, 1]
    assert choose_class_thresholds(np.array([[3.0, 1.0, 0.0]]), np.array([[0.0, 0.1, 0.5]]), 1.0) == [1]
    three = choose_class_thresholds(np.array([[2.0, 0.5, 0.0]] * 3), np.array([[0.0, 0.1, 0.3]] * 3), 1.5)
    assert three == [1, 1, 1]  # each class gets 0.5 FA/h
