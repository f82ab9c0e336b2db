"""T-norm arithmetic and the ``score_norm`` metadata parser shared by the speaker trainer and the satellite."""

from __future__ import annotations

import numpy as np
import pytest

from trixy_core.speaker_score_norm import (
    MIN_COHORT,
    ScoreNorm,
    ScoreNormError,
    cohort_index_for,
    parse_score_norm,
    tnorm_scores,
)


def _unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    x = rng.normal(size=shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_tnorm_is_the_cosine_standardised_by_the_test_utterance_s_cohort_scores() -> None:
    rng = np.random.default_rng(1)
    emb, centres, cohort = _unit(rng, 5, 16), _unit(rng, 3, 16), _unit(rng, 30, 16)
    out = tnorm_scores(emb, centres, cohort)
    for n in range(5):
        against = cohort @ emb[n]
        expected = (centres @ emb[n] - against.mean()) / (against.std() + 1e-3)
        np.testing.assert_allclose(out[n], expected, rtol=1e-5)
    # the ranking of candidates outside the cohort is the cosine ranking
    assert (np.argmax(out, axis=1) == np.argmax(emb @ centres.T, axis=1)).all()


def test_candidates_inside_the_cohort_are_scored_without_their_own_row() -> None:
    rng = np.random.default_rng(3)
    cohort, emb = _unit(rng, 12, 8), _unit(rng, 2, 8)
    centres = np.vstack([cohort[4], _unit(rng, 8)])
    out = tnorm_scores(emb, centres, cohort, np.array([4, -1]))
    for n in range(2):
        rest = np.delete(cohort, 4, axis=0) @ emb[n]
        assert out[n, 0] == pytest.approx((centres[0] @ emb[n] - rest.mean()) / (rest.std() + 1e-3), rel=1e-5)
        full = cohort @ emb[n]
        assert out[n, 1] == pytest.approx((centres[1] @ emb[n] - full.mean()) / (full.std() + 1e-3), rel=1e-5)


def test_an_unfamiliar_voice_that_scores_high_against_everyone_is_pulled_down() -> None:
    rng = np.random.default_rng(5)
    common = _unit(rng, 16)
    cohort = _unit(rng, 40, 16) + 2.0 * common  # a crowd that all resembles "common"
    cohort /= np.linalg.norm(cohort, axis=1, keepdims=True)
    enrolled = _unit(rng, 16) + 2.0 * common
    enrolled /= np.linalg.norm(enrolled)
    stranger = common[None, :]  # close to every voice, the enrolled one included
    cosine = float((stranger @ enrolled)[0])
    normed = float(tnorm_scores(stranger, enrolled[None, :], cohort)[0, 0])
    assert cosine > 0.7 and normed < 1.0  # high cosine, but no higher than the crowd's


def test_cohort_index_maps_candidate_ids_to_cohort_rows() -> None:
    np.testing.assert_array_equal(cohort_index_for(5, (3, 0, 9)), [1, -1, -1, 0, -1])


def test_metadata_round_trip_and_none() -> None:
    norm = ScoreNorm(tuple(range(MIN_COHORT)))
    assert parse_score_norm(norm.to_metadata(), 20) == norm
    assert parse_score_norm(None, 20) is None
    assert parse_score_norm({"method": "none"}, 20) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], "must be an object"),
        ({"method": "snorm", "cohort": list(range(12))}, "unknown"),
        ({"cohort": None}, "list of speaker ids"),
        ({"cohort": [True] * 12}, "list of speaker ids"),
        ({"cohort": list(range(12)) + [3]}, "twice"),
        ({"cohort": list(range(15, 27))}, "outside"),
        ({"cohort": [-1, *range(11)]}, "outside"),
        ({"cohort": list(range(MIN_COHORT - 1))}, "at least"),
    ],
)
def test_bad_metadata_is_refused_with_what_is_wrong(value, message) -> None:
    with pytest.raises(ScoreNormError, match=message):
        parse_score_norm(value, 20)


def test_too_small_a_cohort_array_is_an_error() -> None:
    with pytest.raises(ScoreNormError, match="at least 2"):
        tnorm_scores(np.ones((1, 4)), np.ones((1, 4)), np.ones((1, 4)))
