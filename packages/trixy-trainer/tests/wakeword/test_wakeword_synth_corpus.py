"""The synthetic corpus: every file has its own random stream, so counts can grow without changing what exists."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from trixy_trainer.data.synth import SynthConfig, synthesize_corpus, voice_of


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.wav"))}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_corpus_is_the_same_whatever_the_workers_and_growing_counts_only_adds(tmp_path: Path) -> None:
    small = SynthConfig(
        out_dir=tmp_path / "a", custom_count=3, system_count=2, confusable_count=2, sentence_count=2,
        background_count=2, background_seconds=1.0, voices=["en-us", "de"], variants=["", "f3"], seed=5,
    )
    synthesize_corpus(small, workers=1)
    first = _digests(tmp_path / "a")
    assert len(first) == 11 and all(voice_of(name) for name in first if not name.startswith("background/"))

    synthesize_corpus(dataclasses.replace(small, out_dir=tmp_path / "b"), workers=3)
    assert _digests(tmp_path / "b") == first  # parallelism changes nothing

    grown = dataclasses.replace(small, custom_count=5, sentence_count=3)
    counts = synthesize_corpus(grown, workers=2)
    after = _digests(tmp_path / "a")
    assert counts == {"custom": 2, "negative": 1}
    assert {k: after[k] for k in first} == first  # existing files untouched, new ones added
    assert len(after) == 14


def test_negatives_never_string_confusables_into_a_wake_phrase() -> None:
    from trixy_trainer.data.synth import _job
    from trixy_trainer.data.synth_texts import says_wake_phrase

    assert says_wake_phrase("the system commander") and says_wake_phrase("Systems, commands!") and says_wake_phrase("Trixie")
    assert not says_wake_phrase("system error command") and not says_wake_phrase("Trixter") and not says_wake_phrase("sister come on")
    assert not says_wake_phrase("system comment")  # a genuine confusable stays a negative
    cfg = SynthConfig(out_dir=Path("unused"), seed=1234)
    texts = [_job(cfg, "confusable", i)[1] for i in range(3000)]
    assert not any(says_wake_phrase(t) for t in texts)
    assert sum(" " in t for t in texts) > 500  # pairs are still made
