"""Preparation: slices of the chunk length, whole recordings per split, raw files untouched, bad files reported."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from trixy_core.modelfiles import write_pth
from trixy_trainer.speaker.errors import SpeakerDatasetError
from trixy_trainer.speaker.prepare import PrepareConfig, prepare_speakers, resolve_chunk_samples, slice_speech


def _checksums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_prepare_slices_splits_by_recording_and_never_touches_raw(corpus: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(corpus / "raw", raw)
    (raw / "spk000-broken").mkdir(exist_ok=True)
    (raw / "spk000-broken" / "empty.wav").write_bytes(b"")
    (raw / "spk000-broken" / "garbage.wav").write_bytes(b"RIFF....not really a wav")
    sf.write(raw / "spk000-broken" / "silence.wav", np.zeros(16000, np.int16), 16000)
    before = _checksums(raw)
    out = tmp_path / "chunked"
    report = prepare_speakers(PrepareConfig(raw, out, 8000, val_fraction=0.2, test_fraction=0.2))
    assert _checksums(raw) == before
    assert set(report.bad_files) == {"spk000-broken/empty.wav", "spk000-broken/garbage.wav", "spk000-broken/silence.wav"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert "spk000-broken" in manifest["speakers"]  # listed (stable ids) even without usable audio
    split_of_source: dict[str, set[str]] = {}
    for item in manifest["items"]:
        split_of_source.setdefault(item["source"], set()).add(item["split"])
        audio, rate = sf.read(out / item["path"])
        assert rate == 16000 and audio.shape == (8000,)
    assert all(len(s) == 1 for s in split_of_source.values())
    assert sum(report.slices.values()) > report.recordings  # sentences are longer than 0.5 s: many slices each
    again = prepare_speakers(PrepareConfig(raw, out, 8000, val_fraction=0.2, test_fraction=0.2))
    assert again.skipped_unchanged == again.recordings


def test_new_speakers_are_appended_to_the_manifest_list(corpus: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = sorted(p.name for p in (corpus / "raw").iterdir() if p.is_dir())[:2]
    for name in first:
        shutil.copytree(corpus / "raw" / name, raw / name)
    out = tmp_path / "chunked"
    assert prepare_speakers(PrepareConfig(raw, out, 8000)).speakers == first
    shutil.copytree(corpus / "raw" / first[0], raw / "aaa-newcomer")
    assert prepare_speakers(PrepareConfig(raw, out, 8000)).speakers == [*first, "aaa-newcomer"]


def test_long_recording_gives_many_slices_and_short_is_padded() -> None:
    rng = np.random.default_rng(0)
    quiet = rng.normal(0, 1e-4, 8000)
    long = np.concatenate([quiet, rng.normal(0, 0.1, 16000 * 5), quiet]).astype(np.float32)
    assert len(slice_speech(long, 16000, 0.5, 0.4, 16000)) >= 8
    short = np.concatenate([np.zeros(4000), rng.normal(0, 0.1, 9000), np.zeros(4000)]).astype(np.float32)
    pieces = slice_speech(short, 16000, 0.5, 0.4, 16000)
    assert len(pieces) == 1 and pieces[0].shape == (16000,)


def test_chunk_length_comes_from_argument_else_wakeword_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIXY_MODEL_PASSWORD", "pw")
    model_dir = tmp_path / "wakeword"
    write_pth(model_dir / "trixy.pth", {"sample_rate": 16000, "technology": "repcnn", "chunk_samples": 25680}, b"weights")
    assert resolve_chunk_samples(20000, model_dir) == 20000
    assert resolve_chunk_samples(None, model_dir) == 25680
    with pytest.raises(SpeakerDatasetError, match="chunk_samples"):
        resolve_chunk_samples(None, None)
    with pytest.raises(SpeakerDatasetError, match="no wake-word model"):
        resolve_chunk_samples(None, tmp_path / "empty_dir_is_made" if (tmp_path / "empty_dir_is_made").mkdir() is None else None)


def test_missing_raw_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpeakerDatasetError, match="synth"):
        prepare_speakers(PrepareConfig(tmp_path / "nope", tmp_path / "out", 8000))
