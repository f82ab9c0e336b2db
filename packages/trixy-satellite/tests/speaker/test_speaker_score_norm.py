"""The satellite scores with the model's T-norm (metadata ``score_norm``), as the trainer chose its threshold."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trixy_satellite.speaker import SpeakerIdentifier, SpeakerModelError

onnx = pytest.importorskip("onnx")  # only to write test copies of the model; the satellite itself does not need it

SENTENCES = [
    "Please turn on the kitchen light and close the blinds.",
    "What is the weather going to be like tomorrow morning?",
    "Set a timer for ten minutes and remind me to call home.",
    "The quick brown fox jumps over the lazy dog.",
]


def _with_metadata(source: Path, target: Path, **changes: object) -> Path:
    """A copy of ``source`` whose metadata keys are changed (None removes a key)."""
    model = onnx.load(str(source))
    props = {p.key: p.value for p in model.metadata_props}
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value if isinstance(value, str) else json.dumps(value)
    del model.metadata_props[:]
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(target))
    return target


def test_a_model_with_score_norm_scores_in_tnorm_units_against_its_synthetic_cohort(default_model: Path, tmp_path: Path, speak) -> None:
    # the shipped model scores plain cosines since 2026-12-08; its 100 synthetic voices serve as a T-norm cohort here
    base = SpeakerIdentifier(default_model)
    synthetic = [i for i, s in enumerate(base.metadata["speaker_source"]) if s == "synthetic"]
    tnorm = _with_metadata(default_model, tmp_path / "tnorm.onnx", score_norm={"method": "tnorm", "cohort": synthetic},
                           unknown_threshold="2.5")
    ident = SpeakerIdentifier(tnorm)
    sources = ident.metadata["speaker_source"]
    assert ident.score_norm is not None and len(ident.score_norm.cohort) >= 10
    assert all(sources[i] == "synthetic" for i in ident.score_norm.cohort)
    alice = ident.enroll("alice", [speak(s, "en-us+f2", 75, 150) for s in SENTENCES[:3]])
    bob = ident.enroll("bob", [speak(s, "de+m3", 20, 130) for s in SENTENCES[:3]])
    emb = ident.embed(speak(SENTENCES[3], "en-us+f2", 75, 150))
    scores = ident.scores(emb)
    # by hand: (cosine - mean over the cohort) / std over the cohort
    cohort_cos = ident.centroids[list(ident.score_norm.cohort)] @ emb
    expected = (ident.centroids[alice] @ emb - cohort_cos.mean()) / (cohort_cos.std() + 1e-3)
    assert scores[alice] == pytest.approx(expected, rel=1e-4)
    # the best speaker is the same as by cosine; the synthetic voices stay out of the candidates
    cosine = ident.centroids @ emb
    assert int(np.argmax(scores)) == alice and cosine[alice] > cosine[bob]
    match = ident.match(emb)
    assert match.name == "alice" and match.known == (scores[alice] >= ident.threshold)


def test_the_shipped_model_scores_plain_cosines(default_model: Path, speak) -> None:
    plain = SpeakerIdentifier(default_model)
    assert plain.score_norm is None and 0.5 < plain.threshold < 1.0  # a cosine threshold
    sid = plain.enroll("alice", [speak(s, "en-us+f2", 75, 150) for s in SENTENCES[:3]])
    emb = plain.embed(speak(SENTENCES[3], "en-us+f2", 75, 150))
    assert plain.scores(emb)[sid] == pytest.approx(float(plain.centroids[sid] @ emb), abs=1e-6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tnorm", "must be an object"),
        ({"method": "znorm", "cohort": list(range(20))}, "unknown"),
        ({"method": "tnorm", "cohort": "synthetic"}, "list of speaker ids"),
        ({"method": "tnorm", "cohort": [0, 1, 2]}, "at least"),
        ({"method": "tnorm", "cohort": list(range(95, 105))}, "outside"),
        ({"method": "tnorm", "cohort": [0] * 12}, "twice"),
    ],
)
def test_a_bad_score_norm_is_refused_with_what_is_wrong(default_model: Path, tmp_path: Path, value, message) -> None:
    bad = _with_metadata(default_model, tmp_path / "bad.onnx", score_norm=value)
    with pytest.raises(SpeakerModelError, match=message):
        SpeakerIdentifier(bad)


def test_method_none_is_plain_cosine(default_model: Path, tmp_path: Path) -> None:
    ident = SpeakerIdentifier(_with_metadata(default_model, tmp_path / "none.onnx", score_norm={"method": "none"}))
    assert ident.score_norm is None
