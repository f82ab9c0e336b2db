"""Near misses: wake-word scores that reached a floor without firing (`WakewordDetector.watch_near_misses`), the
misses a household's own recordings are made of."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trixy_satellite.wakeword import DetectorSettings, NearMissTracker, WakewordDetector, load_wakeword_model

CLASSES = ["trixy", "system_command", "none"]
STEP = 1280  # 80 ms


def run(tracker: NearMissTracker, rows: list[tuple[float, float]], fired_at: int = -1, blocked: range = range(0)) -> list:
    for i, row in enumerate(rows):
        tracker.step(np.array(row, np.float32), (i + 1) * STEP, i in blocked, i == fired_at)
    return tracker.take()


def test_an_episode_over_the_floor_is_one_near_miss_with_its_highest_score_class_and_time():
    tracker = NearMissTracker(0.5, CLASSES, 16000)
    [miss] = run(tracker, [(0.1, 0.0), (0.55, 0.1), (0.8, 0.2), (0.7, 0.6), (0.2, 0.1), (0.1, 0.1)])
    assert (miss.wakeword_id, miss.name, miss.score) == (0, "trixy", pytest.approx(0.8))
    assert miss.stream_time_s == pytest.approx(3 * STEP / 16000)  # the row that scored 0.8 ends at step 3
    assert tracker.take() == []  # taken once
    [command] = run(tracker, [(0.1, 0.6), (0.3, 0.9), (0.0, 0.0)])
    assert command.name == "system_command" and command.score == pytest.approx(0.9)


def test_scores_under_the_floor_and_episodes_still_running_report_nothing():
    tracker = NearMissTracker(0.5, CLASSES, 16000)
    assert run(tracker, [(0.49, 0.49)] * 10) == []
    assert run(tracker, [(0.1, 0.0), (0.6, 0.0), (0.7, 0.0)]) == []  # not over yet
    assert [m.score for m in run(tracker, [(0.0, 0.0)])] == [pytest.approx(0.7)]


def test_an_episode_that_ends_in_a_detection_is_not_a_near_miss_nor_is_the_words_tail():
    tracker = NearMissTracker(0.5, CLASSES, 16000)
    rows = [(0.6, 0.0), (0.8, 0.0), (0.95, 0.0), (0.9, 0.0), (0.7, 0.0), (0.6, 0.0), (0.2, 0.0)]
    # fired on row 2; the refractory period covers rows 3-4; the score is still over the floor on row 5
    assert run(tracker, rows, fired_at=2, blocked=range(3, 5)) == []
    # once under the floor again, the next episode counts
    assert [m.score for m in run(tracker, [(0.65, 0.0), (0.1, 0.0)])] == [pytest.approx(0.65)]


def test_a_score_that_stays_over_the_floor_is_reported_once_after_the_longest_episode():
    tracker = NearMissTracker(0.5, CLASSES, 16000, max_episode_s=0.4)  # 5 steps
    misses = run(tracker, [(0.6, 0.0)] * 40)
    assert len(misses) == 1  # then it waits for the score to fall under the floor
    assert len(run(tracker, [(0.1, 0.0), (0.6, 0.0), (0.1, 0.0)])) == 1


def test_a_floor_outside_zero_to_one_is_refused():
    for floor in (0.0, 1.0, -0.2, 1.5):
        with pytest.raises(ValueError, match="near-miss floor"):
            NearMissTracker(floor, CLASSES, 16000)


def _quiet(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.003, n).astype(np.float32)


def test_the_detector_reports_a_spoken_wake_word_it_does_not_fire_on_as_a_near_miss(model_path: Path, speak) -> None:
    model = load_wakeword_model(model_path)
    audio = np.concatenate([_quiet(40000), speak("Trixie", "en-gb") * 0.5, _quiet(30000, 2)])

    firing = WakewordDetector(model)
    firing.watch_near_misses(0.5)
    assert [d.name for d in firing.feed(audio)] == ["trixy"]
    assert firing.take_near_misses() == []  # it fired: a detection, not a near miss

    strict = WakewordDetector(model, DetectorSettings(threshold=1.01))  # the same word, a threshold nothing reaches
    strict.watch_near_misses(0.5)
    assert strict.feed(audio) == []
    [miss] = strict.take_near_misses()
    assert miss.name == "trixy" and 0.5 <= miss.score <= 1.0
    word_end = (40000 + speak("Trixie", "en-gb").size) / 16000
    assert word_end - 0.2 < miss.stream_time_s < word_end + 1.3

    unwatched = WakewordDetector(model, DetectorSettings(threshold=1.01))
    assert unwatched.feed(audio) == [] and unwatched.take_near_misses() == []  # off unless asked for


def test_near_misses_are_dropped_by_prime_and_reset_and_quiet_audio_has_none(model_path: Path, speak) -> None:
    model = load_wakeword_model(model_path)
    audio = np.concatenate([_quiet(40000), speak("Trixie", "en-gb") * 0.5, _quiet(30000, 2)])
    detector = WakewordDetector(model, DetectorSettings(threshold=1.01))
    detector.watch_near_misses(0.5)
    detector.prime(audio)
    assert detector.take_near_misses() == []  # heard while paused: not kept
    detector.feed(audio)
    detector.reset()
    assert detector.take_near_misses() == []
    detector.feed(_quiet(5 * 16000, 3))
    assert detector.take_near_misses() == []
    detector.watch_near_misses(None)  # off again
    detector.feed(audio)
    assert detector.take_near_misses() == []
