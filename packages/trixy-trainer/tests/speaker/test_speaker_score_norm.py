"""``score_norm`` in the speaker trainer: the T-norm cohort, its config errors, and a threshold in T-norm units
that the satellite applies the same way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import trixy_core.speaker_score_norm as core_norm
import trixy_trainer.speaker.score_norm as trainer_norm
from trixy_trainer.errors import ConfigError
from trixy_trainer.speaker.cli import main
from trixy_trainer.speaker.score_norm import check_settings, choose_cohort


def _centres(count: int) -> np.ndarray:
    x = np.random.default_rng(0).normal(size=(count, 8))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_the_cohort_is_the_synthetic_voices_or_every_trained_speaker() -> None:
    sources = ["synthetic"] * 12 + ["trained"] * 3 + ["enrolled"]
    cohort = choose_cohort({"method": "tnorm", "cohort": "synthetic"}, sources, _centres(16))
    assert cohort is not None and cohort.ids == tuple(range(12))
    np.testing.assert_allclose(np.linalg.norm(cohort.vectors, axis=1), 1.0, rtol=1e-6)
    everyone = choose_cohort({"method": "tnorm", "cohort": "all"}, sources, _centres(16))
    assert everyone is not None and everyone.ids == tuple(range(15))  # enrolled people are never impostors
    assert everyone.to_score_norm().to_metadata() == {"method": "tnorm", "cohort": list(range(15))}
    np.testing.assert_array_equal(everyone.index_for(3, extra=2), [0, 1, 2, -1, -1])


def test_too_few_voices_or_method_none_means_plain_cosines(caplog: pytest.LogCaptureFixture) -> None:
    assert choose_cohort({"method": "none"}, ["synthetic"] * 50, _centres(50)) is None
    assert choose_cohort(None, ["synthetic"] * 50, _centres(50)) is None  # the default: plain cosines
    assert choose_cohort({"method": "tnorm"}, ["synthetic"] * 4, _centres(4)) is None
    assert "T-norm needs" in caplog.text


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "znorm"}, "method"),
        ({"cohort": "people"}, "cohort"),
        ({"method": "tnorm", "size": 3}, "unknown keys"),
        ("tnorm", "section"),
    ],
)
def test_bad_settings_are_config_errors(settings, message) -> None:
    with pytest.raises(ConfigError, match=message):
        check_settings(settings)


def test_a_bad_score_norm_stops_train_and_evaluate_with_exit_2(corpus: Path, prepared: Path, tmp_path: Path, speaker_overrides) -> None:
    assert main(["train", *speaker_overrides(corpus, tmp_path / "m"), "score_norm.method=snorm"]) == 2
    assert not (tmp_path / "m" / "tiny.pth").exists()  # stopped before training


def test_recalibrated_model_stores_its_cohort_and_the_satellite_scores_like_the_trainer(
    trained, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the tiny test model has 4 voices; let a cohort that small through for this test only
    monkeypatch.setattr(core_norm, "MIN_COHORT", 2)
    monkeypatch.setattr(trainer_norm, "MIN_COHORT", 2)
    model = tmp_path / "m" / "tiny.pth"
    model.parent.mkdir()
    for suffix in (".pth", ".onnx"):
        shutil.copy(Path(trained.files["pth"]).with_suffix(suffix), model.with_suffix(suffix))
    common = [f"export.model={model}", "export.password=test-password", f"data.chunked_dir={corpus / 'chunked'}",
              f"data.calibration_dir={corpus / 'heldout'}"]
    assert main(["evaluate", *common, "score_norm.method=none"]) == 0
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # the tiny corpus's voices count as trained speakers (no voices.json): "all" makes them the cohort
    assert main(["evaluate", *common, "evaluate.update_model=true", "score_norm.method=tnorm", "score_norm.cohort=all"]) == 0
    normed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (plain["score_norm"], normed["score_norm"]) == ("none", "tnorm")
    assert normed["unknown_threshold"] != plain["unknown_threshold"]
    from trixy_core.modelfiles import read_pth_metadata

    stored = read_pth_metadata(model, "test-password")
    assert stored["score_norm"] == {"method": "tnorm", "cohort": [0, 1, 2, 3]}
    assert stored["unknown_threshold"] == normed["unknown_threshold"]

    from trixy_satellite.speaker import SpeakerIdentifier
    from trixy_trainer.data.audio_io import read_audio

    ident = SpeakerIdentifier(model.with_suffix(".onnx"))
    assert ident.score_norm is not None and ident.score_norm.cohort == (0, 1, 2, 3)
    assert ident.threshold == pytest.approx(normed["unknown_threshold"])
    emb = ident.embed(read_audio(sorted((corpus / "heldout").glob("*/*.wav"))[0]))
    by_hand = core_norm.tnorm_scores(emb[None], ident.centroids, ident.centroids, np.arange(4))[0]
    np.testing.assert_allclose(ident.scores(emb), by_hand, rtol=1e-5)
    # re-calibrating without it takes the cohort out again
    assert main(["evaluate", *common, "evaluate.update_model=true", "score_norm.method=none"]) == 0
    assert "score_norm" not in read_pth_metadata(model, "test-password")


def test_re_enrolling_a_cohort_voice_takes_it_out_of_the_cohort() -> None:
    from trixy_trainer.speaker.enroll import _leave_cohort
    from trixy_trainer.speaker.errors import EnrolmentError

    meta = {"score_norm": {"method": "tnorm", "cohort": list(range(12))}}
    _leave_cohort(meta, 5, "eve")
    assert meta["score_norm"]["cohort"] == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    _leave_cohort(meta, 40, "zed")  # not a cohort voice: nothing changes
    assert len(meta["score_norm"]["cohort"]) == 11
    small = {"score_norm": {"method": "tnorm", "cohort": list(range(10))}}
    with pytest.raises(EnrolmentError, match="new name"):
        _leave_cohort(small, 0, "eve")
