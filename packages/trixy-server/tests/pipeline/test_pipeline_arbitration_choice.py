"""Arbitration: the loudest satellite wins; one round collects every detection of its window."""

import asyncio

import pytest

from trixy_server.pipeline import WakeArbiter, WakeCandidate, choose_loudest


def candidate(satellite_id, loudness_db, score=0.9, received_at=0.0):
    return WakeCandidate(satellite_id, 0, "trixy", -1, "", score, loudness_db, 0, False, received_at)


def test_loudest_wins_then_score_then_first_arrival():
    kitchen, living = candidate("kitchen", -12.0), candidate("living", -25.0)
    assert choose_loudest([living, kitchen]) is kitchen
    sure, unsure = candidate("a", -20.0, 0.99), candidate("b", -20.0, 0.6)
    assert choose_loudest([unsure, sure]) is sure
    early, late = candidate("a", -20.0, received_at=1.0), candidate("b", -20.0, received_at=2.0)
    assert choose_loudest([late, early]) is early
    with pytest.raises(ValueError, match="no wake-word candidates"):
        choose_loudest([])


async def test_round_waits_for_the_window_and_decides_once_with_every_candidate():
    decided = []

    async def decide(candidates):
        decided.append(sorted(c.satellite_id for c in candidates))

    arbiter = WakeArbiter(0.15, decide)
    arbiter.offer(candidate("kitchen", -12.0))
    await asyncio.sleep(0.05)
    arbiter.offer(candidate("living", -25.0))
    arbiter.offer(candidate("living", -30.0))  # a second report of one satellite keeps the louder one
    assert decided == [] and arbiter.open
    await asyncio.sleep(0.25)
    assert decided == [["kitchen", "living"]] and not arbiter.open
    arbiter.offer(candidate("office", -10.0))  # a later detection opens a new round
    await asyncio.sleep(0.25)
    assert decided[-1] == ["office"] and arbiter.rounds == 2


async def test_a_failing_decision_is_logged_and_the_next_round_still_runs(caplog):
    calls = []

    async def decide(candidates):
        calls.append(len(candidates))
        if len(calls) == 1:
            raise RuntimeError("boom")

    arbiter = WakeArbiter(0.01, decide)
    arbiter.offer(candidate("kitchen", -12.0))
    await asyncio.sleep(0.1)
    arbiter.offer(candidate("kitchen", -12.0))
    await asyncio.sleep(0.1)
    assert calls == [1, 1] and "wake-word decision failed" in caplog.text
