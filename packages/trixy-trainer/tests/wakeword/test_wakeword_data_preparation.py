"""Preparation: constant-length chunks, voice-pure splits, untouched raw files, bad-file report, incremental runs."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import soundfile as sf

from trixy_trainer.data.prepare import prepare_wakeword_data
from trixy_trainer.data.synth import voice_of
from trixy_trainer.data.vad import speech_bounds


def _checksums(root: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_prepare_cuts_constant_chunks_and_never_touches_raw(tiny_raw: Path, tmp_path: Path, make_prepare_config) -> None:
    prepare_config = make_prepare_config
    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    (raw / "negative" / "empty.wav").write_bytes(b"")
    (raw / "negative" / "garbage.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    good = next((raw / "custom").glob("*.wav"))
    (raw / "custom" / "truncated.wav").write_bytes(good.read_bytes()[:30])
    audio, rate = sf.read(good, dtype="float32")
    stereo_44k = np.repeat(np.interp(np.arange(0, audio.size, 16000 / 44100), np.arange(audio.size), audio)[:, None], 2, axis=1)
    sf.write(raw / "custom" / "user_recording_stereo.wav", stereo_44k, 44100, subtype="PCM_16")
    before = _checksums(raw)

    chunked = tmp_path / "chunked"
    report = prepare_wakeword_data(prepare_config(raw, chunked))

    assert _checksums(raw) == before  # raw WAVs are never modified, moved or deleted
    assert {"negative/empty.wav", "negative/garbage.wav", "custom/truncated.wav"} <= set(report.bad_files)
    manifest = json.loads((chunked / "manifest.json").read_text())
    chunk = manifest["chunk_samples"]
    assert (chunk - 400) % 160 == 0
    lengths = set()
    for path in chunked.rglob("*.wav"):
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        lengths.add(info.frames)
    assert lengths == {chunk}
    converted = manifest["sources"]["custom/user_recording_stereo.wav"]["chunks"]
    assert len(converted) == 1
    # the whole word stays inside every positive chunk
    for path in (chunked / "train" / "custom").glob("*.wav"):
        data, _ = sf.read(path, dtype="float32")
        start, end = speech_bounds(data)
        assert end - start > 1600
    # no voice in two splits; the held-out voice only in test
    splits_by_voice: dict[str, set[str]] = {}
    for rel, entry in manifest["sources"].items():
        voice = voice_of(rel)
        if voice:
            splits_by_voice.setdefault(voice, set()).add(entry["split"])
    assert all(len(s) == 1 for s in splits_by_voice.values())
    assert all(s == {"test"} for v, s in splits_by_voice.items() if v.startswith("en-029"))
    assert any(s == {"train"} for s in splits_by_voice.values())

    again = prepare_wakeword_data(prepare_config(raw, chunked))
    assert again.processed == 0 and again.reused == report.processed + report.reused
    assert _checksums(raw) == before
