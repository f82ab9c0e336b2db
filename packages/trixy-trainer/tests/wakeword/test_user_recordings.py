"""Users' own recordings in the speech-embedding recipe: real audio files in the spec's raw/ layout, the real frozen
front end, the cache, bad files, and a training run that uses them."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from trixy_core.modelfiles import read_metadata
from trixy_trainer.config import load_config
from trixy_trainer.data.audio_io import SAMPLE_RATE, write_wav
from trixy_trainer.data.synth import speak
from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import HOP, WINDOW_END_OFFSET, ClipSet, Embedder, window_labels
from trixy_trainer.wakeword.embedding_evaluate import load_head
from trixy_trainer.wakeword.embedding_train import merge_user_recordings
from trixy_trainer.wakeword.train import train_wakeword
from trixy_trainer.wakeword.user_recordings import (
    UserRecordingsConfig,
    folder_kind,
    load_user_recordings,
    repeats,
)

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
CLASSES = ["trixy", "system_command", "none"]


def _say(text: str, voice: str = "en-us", pitch: int = 50) -> np.ndarray:
    audio = speak(text, voice, pitch, 160)
    return np.concatenate([np.zeros(SAMPLE_RATE // 2, np.float32), audio, np.zeros(SAMPLE_RATE // 2, np.float32)])


def _raw(tmp_path: Path, wake: int = 6, talk_seconds: float = 20.0) -> Path:
    raw = tmp_path / "raw"
    voices = ["en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+klatt", "en-gb+f2", "en-us+m7", "en-gb+f4"]
    for i in range(wake):
        write_wav(raw / "custom" / f"take{i}.wav", _say("Trixie", voices[i % len(voices)], 30 + 7 * i))
    write_wav(raw / "system command" / "one.wav", _say("system command"))
    talk = np.concatenate([_say("the kettle is on and the cat is asleep on the sofa", v) for v in voices[:4]])
    reps = int(np.ceil(talk_seconds * SAMPLE_RATE / talk.size))
    write_wav(raw / "negative" / "kitchen.wav", np.tile(talk, reps)[: int(talk_seconds * SAMPLE_RATE)])
    rng = np.random.default_rng(0)
    write_wav(raw / "background" / "fan.wav", (0.05 * rng.standard_normal(6 * SAMPLE_RATE)).astype(np.float32))
    return raw


def test_folders_map_to_classes_and_settings_are_checked() -> None:
    assert folder_kind("custom", CLASSES) == "trixy"
    assert folder_kind("trixy", CLASSES) == "trixy"
    assert folder_kind("System Command", CLASSES) == "system_command"
    assert folder_kind("negative", CLASSES) == "speech" and folder_kind("background", CLASSES) == "noise"
    assert folder_kind("holiday photos", CLASSES) is None
    assert UserRecordingsConfig.from_mapping({"raw_dir": None}).raw_dir is None
    for bad in ({"copies": 0}, {"share": 1.0}, {"calibration_fraction": -0.1}, {"copies": "many"}, {"cpoies": 3}):
        with pytest.raises(ConfigError, match="user_recordings"):
            UserRecordingsConfig.from_mapping({"raw_dir": "raw", **bad})
    assert repeats(10, 1000, 0.25) == 34 and repeats(10, 0, 0.25) == 1 and repeats(1, 10**6, 0.5) == 50


def test_recordings_become_labelled_clips_cached_per_file_and_bad_files_are_skipped(tmp_path: Path, caplog) -> None:
    raw = _raw(tmp_path, wake=6)
    (raw / "custom" / "broken.wav").write_bytes(b"RIFF not really a wave file")
    write_wav(raw / "custom" / "silence.wav", np.zeros(SAMPLE_RATE, np.float32))
    write_wav(raw / "custom" / "a_whole_story.wav", np.concatenate([_say("Trixie, once upon a time there was a very "
                                                                         "long story about a dragon and a castle")]))
    write_wav(raw / "negative" / "blip.wav", _say("hm")[: SAMPLE_RATE])
    (raw / "holiday photos").mkdir()
    settings = UserRecordingsConfig(raw_dir=raw, copies=3, negative_copies=2, calibration_fraction=0.5,
                                    min_calibration_files=5, voice_change_p=0.0)
    embedder = Embedder(threads=None)
    with caplog.at_level(logging.WARNING):
        corpus = load_user_recordings(settings, CLASSES, tmp_path / "cache", 8.0, embedder)

    report = corpus.summary()
    assert set(report["custom"]["skipped"]) == {"custom/broken.wav", "custom/silence.wav", "custom/a_whole_story.wav"}
    assert "unreadable" in report["custom"]["skipped"]["custom/broken.wav"]
    assert "no speech" in report["custom"]["skipped"]["custom/silence.wav"]
    assert "negative/" in report["custom"]["skipped"]["custom/a_whole_story.wav"]
    assert "shorter than" in report["negative"]["skipped"]["negative/blip.wav"]
    assert report["custom"]["train_files"] + report["custom"]["calibration_files"] == 6
    assert report["custom"]["calibration_files"] >= 1 and report["custom"]["train_files"] >= 1  # 6 files: both splits
    assert report["system command"]["train_files"] == 1 and report["system command"]["calibration_files"] == 0
    assert report["negative"] == {"kind": "speech", "train_files": 1, "calibration_files": 0, "seconds": 20.0,
                                  "skipped": {"negative/blip.wav": report["negative"]["skipped"]["negative/blip.wav"]}}
    assert "holiday photos" in caplog.text and "broken.wav" in caplog.text

    wake = corpus.splits["train"]["trixy"]
    assert wake.clips == 3 * report["custom"]["train_files"] and set(wake.voices) == {"user:custom"}
    assert np.all(wake.labels == 0) and np.all(wake.wake_end > 0)
    _, labels = window_labels(wake, 16, 2)
    assert (labels == 0).sum() >= wake.clips * 4  # windows around each recording's end are positive
    assert np.all(wake.command_start == -1)  # nothing is added after a recording: the command rule leaves it alone
    np.testing.assert_array_equal(window_labels(wake, 16, 2, command_after=3200)[1], labels)
    for i in range(wake.clips):  # the wake word ends inside its clip, with every positive window after it
        last_window_end = (wake.offsets[i + 1] - wake.offsets[i] - 1) * HOP + WINDOW_END_OFFSET
        assert 1.0 * SAMPLE_RATE < wake.wake_end[i] and wake.wake_end[i] + 6400 <= last_window_end
    assert corpus.splits["train"]["system_command"].labels.tolist() == [1, 1, 1]
    talk = corpus.splits["train"]["speech"]
    assert talk.clips == 3 * 2 and np.all(talk.labels == 2) and np.all(talk.wake_end == -1)  # 8 + 8 + 4 s, x2 rooms
    assert corpus.splits["train"]["noise"].clips == 2

    cached = sorted((tmp_path / "cache" / "user").glob("*.npz"))
    assert len(cached) == 6 + 1 + 1 + 1  # one file per usable recording
    stamps = {p: p.stat().st_mtime_ns for p in cached}
    write_wav(raw / "custom" / "take_new.wav", _say("Trixie", "en-gb+m2"))
    again = load_user_recordings(settings, CLASSES, tmp_path / "cache", 8.0, embedder)
    assert {p: p.stat().st_mtime_ns for p in cached} == stamps  # nothing recomputed...
    assert len(list((tmp_path / "cache" / "user").glob("*.npz"))) == len(cached) + 1  # ...but the new file
    assert np.array_equal(again.splits["train"]["speech"].embeddings, talk.embeddings)
    assert np.all(again.splits["train"]["trixy"].command_start == -1)  # read back from the cache the same


def test_a_missing_folder_means_a_synthetic_only_corpus(tmp_path: Path) -> None:
    corpus = load_user_recordings(UserRecordingsConfig(raw_dir=tmp_path / "nothing"), CLASSES, tmp_path, 8.0)
    assert corpus.empty and corpus.summary() == {}
    assert load_user_recordings(UserRecordingsConfig(raw_dir=None), CLASSES, tmp_path, 8.0).empty


def test_training_uses_the_recordings_and_reports_them(tmp_path: Path) -> None:
    raw = _raw(tmp_path, wake=6, talk_seconds=10.0)
    overrides = [
        f"data.cache_dir={tmp_path / 'cache'}", "data.workers=1", "data.speech_seconds=3.0",
        "data.counts.train={trixy: 4, system_command: 2, confusable: 2, speech: 2, noise: 1}",
        "data.counts.calibration={trixy: 2, system_command: 2, confusable: 2, speech: 2, noise: 0}",
        "data.counts.test={trixy: 2, system_command: 2, confusable: 2, speech: 2, noise: 0}",
        "data.batch_size=32", "data.steps_per_epoch=3", "data.mine_every=1", "data.mine_top=50",
        "trainer.max_epochs=1", "model.params.members=1", f"run_dir={tmp_path / 'run'}", f"output_dir={tmp_path / 'out'}",
        f"data.user_recordings.raw_dir={raw}", "data.user_recordings.copies=2", "data.user_recordings.voice_change_p=0",
        "data.user_recordings.min_calibration_files=3", "data.user_recordings.calibration_fraction=0.5",
    ]
    result = train_wakeword(load_config("wakeword", overrides))
    meta = read_metadata(result.files["onnx"])
    used = meta["user_recordings"]
    assert used["custom"]["kind"] == "trixy" and used["custom"]["train_files"] + used["custom"]["calibration_files"] == 6
    assert used["negative"]["seconds"] == 10.0 and used["background"]["kind"] == "noise"
    assert used["custom"]["calibration_files"] >= 1
    assert "user:custom" in meta["results"]["calibration"]["per_voice"]["trixy"]  # scored where thresholds are chosen
    assert "user:custom" not in meta["results"]["test"]["per_voice"]["trixy"]     # the held-out split stays synthetic
    stored, head = load_head(result.files["pth"], "trixy-default-model")  # what the benchmarks score
    assert stored["user_recordings"] == used and len(head.mlps) == 1 and not head.training


def _synthetic(kind_label: int, clips: int, rows: int = 20) -> ClipSet:
    rng = np.random.default_rng(clips)
    return ClipSet(
        embeddings=rng.standard_normal((clips * rows, 96)).astype(np.float16),
        offsets=np.arange(clips + 1, dtype=np.int64) * rows, labels=np.full(clips, kind_label), wake_end=np.full(clips, -1),
        voices=["en-us"] * clips,
    )


def test_every_training_corpus_gets_the_recordings_and_calibration_gets_them_once(tmp_path: Path) -> None:
    raw = _raw(tmp_path, wake=6, talk_seconds=10.0)
    cfg = load_config("wakeword", [
        f"data.cache_dir={tmp_path / 'cache'}", f"data.user_recordings.raw_dir={raw}", "data.user_recordings.copies=2",
        "data.user_recordings.voice_change_p=0", "data.user_recordings.min_calibration_files=3",
        "data.user_recordings.calibration_fraction=0.5",
    ])
    first = {"train": {"trixy": _synthetic(0, 40), "speech": _synthetic(2, 30)}, "calibration": {"trixy": _synthetic(0, 5)}}
    second = {"trixy": _synthetic(0, 50), "speech": _synthetic(2, 30)}
    user = merge_user_recordings(cfg, first, CLASSES, [second])
    wake = user.splits["train"]["trixy"].clips
    assert wake > 0 and user.splits["calibration"]["trixy"].clips > 0
    assert first["train"]["trixy"].clips > 40 and (first["train"]["trixy"].clips - 40) % wake == 0
    assert second["trixy"].clips > 50 and (second["trixy"].clips - 50) % wake == 0  # the extra corpus's members hear them too
    assert second["speech"].clips > 30
    assert first["calibration"]["trixy"].clips == 5 + user.splits["calibration"]["trixy"].clips
