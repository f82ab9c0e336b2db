"""SpeakerIdentifier on the shipped model: metadata, enrolment at runtime, identification, unknown, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trixy_satellite.speaker import UNKNOWN_ID, SpeakerIdentifier, SpeakerModelError
from trixy_satellite.speaker.identifier import speakers_from_props, to_float_audio

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Please turn on the kitchen light and close the blinds.",
    "What is the weather going to be like tomorrow morning?",
    "Set a timer for ten minutes and remind me to call home.",
]
ALICE = ("en-us+f2", 75, 150)
BOB = ("de+m3", 20, 130)
CAROL = ("en-gb+klatt4", 50, 175)  # never enrolled


def test_metadata_gives_speakers_threshold_and_centroids(default_model: Path) -> None:
    ident = SpeakerIdentifier(default_model)
    assert len(ident.speakers) == int(ident.metadata["num_speaker"]) >= 10
    assert ident.speakers[0] == ident.metadata["speaker001"]
    assert ident.sample_rate == 16000
    assert ident.score_norm is None and 0.5 < ident.threshold < 1.0  # plain cosines (docs/speaker.md, score normalisation)
    assert ident.centroids.shape == (len(ident.speakers), ident.embedding_dim)


def test_enrolled_speakers_are_told_apart_and_a_stranger_scores_lower(default_model: Path, speak) -> None:
    ident = SpeakerIdentifier(default_model)
    alice = ident.enroll("alice", [speak(s, *ALICE) for s in SENTENCES[:3]])
    bob = ident.enroll("bob", [speak(s, *BOB) for s in SENTENCES[:3]])
    assert alice == len(ident.speakers) - 2 and bob == len(ident.speakers) - 1
    test_alice, test_bob = speak(SENTENCES[3], *ALICE), speak(SENTENCES[3], *BOB)
    a, b = ident.embed(test_alice), ident.embed(test_bob)
    assert ident.scores(a)[alice] > ident.scores(a)[bob]
    assert ident.scores(b)[bob] > ident.scores(b)[alice]
    stranger = ident.embed(speak(SENTENCES[3], *CAROL))
    assert ident.scores(stranger)[alice] < ident.scores(a)[alice]


def test_decision_uses_the_threshold_and_command_audio(default_model: Path, speak) -> None:
    ident = SpeakerIdentifier(default_model)
    sid = ident.enroll("alice", [speak(s, *ALICE) for s in SENTENCES[:3]])
    wake = speak("hey Trixie", *ALICE)
    command = speak(SENTENCES[0], *ALICE)
    known = ident.identify(wake, command)
    assert known.score > 0.0
    pcm16 = (np.clip(wake, -1, 1) * 32767).astype(np.int16)
    assert abs(ident.identify(pcm16).score - ident.identify(wake).score) < 0.01  # 16-bit quantisation only
    strict = SpeakerIdentifier(default_model, threshold=known.score + 1.0)
    strict.enroll("alice", [speak(s, *ALICE) for s in SENTENCES[:3]])
    unknown = strict.identify(wake)
    assert unknown.id == UNKNOWN_ID and not unknown.known and unknown.name == "unknown"
    relaxed = SpeakerIdentifier(default_model, threshold=-1.0)
    relaxed.enroll("alice", [speak(s, *ALICE) for s in SENTENCES[:3]])
    hit = relaxed.identify(wake, command)
    assert hit.known and hit.id >= 0 and hit.name == relaxed.speakers[hit.id]
    assert sid == len(ident.speakers) - 1


def test_bad_models_and_audio_give_clear_errors(default_model: Path, tmp_path: Path) -> None:
    with pytest.raises(SpeakerModelError, match="not found"):
        SpeakerIdentifier(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(SpeakerModelError, match="not a readable ONNX"):
        SpeakerIdentifier(junk)
    ident = SpeakerIdentifier(default_model)
    with pytest.raises(SpeakerModelError, match="too short"):
        ident.embed(np.zeros(100, np.float32))
    with pytest.raises(SpeakerModelError, match="Hz"):
        ident.embed(np.zeros(16000, np.float32), sample_rate=8000)
    with pytest.raises(SpeakerModelError, match="1-D"):
        to_float_audio(np.zeros((2, 2, 2)))


def test_speaker_list_keys_are_checked() -> None:
    assert speakers_from_props({"num_speaker": 2, "speaker001": "a", "speaker002": "b"}) == ["a", "b"]
    with pytest.raises(SpeakerModelError, match="speaker002"):
        speakers_from_props({"num_speaker": 2, "speaker001": "a"})
    with pytest.raises(SpeakerModelError, match="num_speaker"):
        speakers_from_props({})


def test_synthetic_training_voices_are_never_matched_by_default(default_model: Path, speak) -> None:
    ident = SpeakerIdentifier(default_model)
    assert set(ident.metadata["speaker_source"]) == {"synthetic"}
    assert ident.identify(speak(SENTENCES[0], *ALICE)).id == UNKNOWN_ID  # nobody enrolled yet
    everyone = SpeakerIdentifier(default_model, include_synthetic=True, threshold=-1.0)
    assert everyone.identify(speak(SENTENCES[0], *ALICE)).known


def _telephone(audio: np.ndarray) -> np.ndarray:
    """300-3400 Hz, as a phone line passes it (FFT mask: another filter than the enrolment views' soft edges)."""
    f = np.fft.rfftfreq(audio.size, 1 / 16000)
    return np.fft.irfft(np.fft.rfft(audio) * ((f >= 300) & (f <= 3400)), n=audio.size).astype(np.float32)


def test_enrolment_views_make_the_centre_hold_on_another_microphone(default_model: Path, speak) -> None:
    plain, viewed = SpeakerIdentifier(default_model), SpeakerIdentifier(default_model)
    enrolment = [speak(s, *ALICE) for s in SENTENCES[:3]]
    a = plain.enroll("alice", enrolment, views=False)
    b = viewed.enroll("alice", enrolment)  # views on by default
    mean = np.stack([plain.embed(u) for u in enrolment]).mean(axis=0)
    np.testing.assert_allclose(plain.centroids[a], mean / np.linalg.norm(mean), atol=1e-5)  # without: the plain mean
    assert not np.allclose(viewed.centroids[b], plain.centroids[a], atol=1e-3)
    np.testing.assert_allclose(viewed.enrolment_centre(enrolment), viewed.centroids[b], atol=1e-6)  # seeded: repeatable
    # Alice on the phone: the centre made with views is nearer to her than the one made from the recordings alone
    on_phone = [viewed.embed(_telephone(speak(s, *ALICE))) for s in SENTENCES[3:]]
    assert np.mean([e @ viewed.centroids[b] for e in on_phone]) > np.mean([e @ plain.centroids[a] for e in on_phone])
    with pytest.raises(SpeakerModelError, match="Hz"):
        viewed.enroll("bob", [speak(SENTENCES[0], *BOB)], sample_rate=8000)
