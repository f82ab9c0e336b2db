"""The speaker trainer's learning-rate schedule survives every step count a short (fine-)tuning run produces."""

from __future__ import annotations

import math

import pytest
import torch

from trixy_trainer.schedules import one_cycle_schedule


@pytest.mark.parametrize("warmup", [0.0, 0.05, 0.1, 0.25, 0.5, 1.0])
def test_one_cycle_schedule_steps_through_every_short_run(warmup: float) -> None:
    for total in range(1, 61):
        param = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.AdamW([param], lr=3e-3)
        scheduler = one_cycle_schedule(optimizer, 3e-3, total, warmup)
        rates = []
        for _ in range(total):
            optimizer.step()
            scheduler.step()
            rates.append(optimizer.param_groups[0]["lr"])
        assert all(math.isfinite(r) and 0 <= r <= 3e-3 + 1e-12 for r in rates), (total, warmup)
        if total >= 4:  # a real one-cycle: it reaches the peak, then comes down again
            peak = rates.index(max(rates))
            assert rates[peak] == pytest.approx(3e-3, rel=1e-6) and rates[-1] < rates[peak]
