"""The corpus records where a command after the words starts ("Trixie, what time is it"), so that a benchmark can
score wake phrases with and without one apart; clips and cache keys do not change, and cache files made before the
record was kept still read (as "not recorded")."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_trainer.data.synth import espeak_binary
from trixy_trainer.wakeword.embedding_corpus import (
    ClipSet,
    CorpusConfig,
    join_clips,
    positive_clip,
    read_clips,
    write_clips,
)


def _config(tmp_path: Path, **kwargs) -> CorpusConfig:
    plain = {"voice_change_p": 0.0, "speed_p": 0.0, **kwargs}
    return CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, **plain)


def _clips(n: int, command_start: np.ndarray | None) -> ClipSet:
    lengths = np.arange(3, 3 + n, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    embeddings = np.arange(int(offsets[-1]) * 96, dtype=np.float16).reshape(-1, 96)
    return ClipSet(embeddings, offsets, np.zeros(n, np.int64), np.full(n, 30000, np.int64), [f"v{i}" for i in range(n)],
                   command_start)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_a_wake_phrase_records_the_command_after_it_and_the_clip_is_the_same(tmp_path: Path) -> None:
    binary = espeak_binary()
    audio, wake_end, _, command = positive_clip(_config(tmp_path, follow_command_p=1.0), "test", "trixy", 0, binary)
    assert wake_end + 0.05 * 16000 <= command <= wake_end + 0.5 * 16000  # 0.05-0.5 s of silence, then the command
    alone, alone_end, _, none = positive_clip(_config(tmp_path, follow_command_p=0.0), "test", "trixy", 0, binary)
    assert none == -1 and alone_end > 0
    again, _, _, same = positive_clip(_config(tmp_path, follow_command_p=1.0), "test", "trixy", 0, binary)
    np.testing.assert_allclose(audio, again, atol=1e-3)  # recording it changed nothing in the clip
    assert same == command


def test_the_cache_keeps_it_and_older_files_read_as_not_recorded(tmp_path: Path) -> None:
    starts = np.array([-1, 41000, -1], np.int64)
    write_clips(tmp_path / "with.npz", _clips(3, starts), seconds=np.array([1.0]))
    read, extra = read_clips(tmp_path / "with.npz")
    np.testing.assert_array_equal(read.command_start, starts)
    assert set(extra) == {"seconds"}  # not mistaken for an extra array
    write_clips(tmp_path / "old.npz", _clips(2, None))
    old, _ = read_clips(tmp_path / "old.npz")
    assert old.command_start is None
    joined = join_clips([read, read])
    np.testing.assert_array_equal(joined.command_start, np.concatenate([starts, starts]))
    assert join_clips([read, old]).command_start is None  # part of the clips unrecorded: none is claimed
