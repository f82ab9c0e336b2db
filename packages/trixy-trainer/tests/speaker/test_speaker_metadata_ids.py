"""The speaker list in metadata: speaker001 is id 0, ids stay stable when speakers are added."""

from __future__ import annotations

import pytest

from trixy_trainer.speaker.errors import SpeakerMetadataError
from trixy_trainer.speaker.speakers import (
    extend_speakers,
    speaker_key,
    speaker_metadata,
    speakers_from_metadata,
)


def test_speaker001_is_id_zero_and_round_trips() -> None:
    meta = speaker_metadata(["alice", "bob", "carol"])
    assert meta["num_speaker"] == 3
    assert meta["speaker001"] == "alice" and meta["speaker003"] == "carol"
    assert meta["speaker"] == ["alice", "bob", "carol"]
    assert speaker_key(0) == "speaker001" and speaker_key(122) == "speaker123"
    assert speakers_from_metadata(meta) == ["alice", "bob", "carol"]


def test_adding_speakers_never_moves_existing_ids() -> None:
    grown = extend_speakers(["zoe", "adam"], ["adam", "bert", "zoe", "anna"])
    assert grown[:2] == ["zoe", "adam"]
    assert grown[2:] == ["anna", "bert"]


@pytest.mark.parametrize(
    "meta",
    [
        {"speaker001": "a"},
        {"num_speaker": 2, "speaker001": "a"},
        {"num_speaker": 1, "speaker001": "a", "speaker002": "b"},
        {"num_speaker": 2, "speaker001": "a", "speaker002": "a"},
        {"num_speaker": -1},
    ],
)
def test_inconsistent_speaker_lists_are_rejected(meta: dict) -> None:
    with pytest.raises(SpeakerMetadataError):
        speakers_from_metadata(meta)


def test_speakers_from_the_synth_generator_are_marked_synthetic(tmp_path) -> None:
    import json

    from omegaconf import OmegaConf

    from trixy_trainer.speaker.train import speaker_sources

    (tmp_path / "voices.json").write_text(json.dumps([{"name": "spk000-de-m3"}]))
    cfg = OmegaConf.create({"data": {"raw_dir": str(tmp_path)}})
    assert speaker_sources(cfg, ["spk000-de-m3", "grandma"]) == ["synthetic", "trained"]
    # re-voiced twins of a synthetic voice stay synthetic even when the list no longer names them; a person's don't
    assert speaker_sources(cfg, ["spk000-de-m3~rv1", "grandma~rv1"]) == ["synthetic", "trained"]


def test_asking_for_more_synthetic_speakers_keeps_the_first_ones() -> None:
    from trixy_trainer.speaker.synth import COHORT, make_speakers

    few = make_speakers(COHORT, "train", seed=7)
    many = make_speakers(COHORT * 2 + 5, "train", seed=7)
    assert many[:COHORT] == few
    assert len({(v.base, v.variant) for v in many}) == len(many) == COHORT * 2 + 5
    assert [v.name[:6] for v in many[COHORT : COHORT + 2]] == ["spk100", "spk101"]
