"""The speech-embedding recipe end to end on a tiny real corpus: pretrained front end, corpus cache, training,
thresholds, export, and the satellite's streaming detector on the exported files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata, read_pth
from trixy_trainer.config import load_config
from trixy_trainer.errors import ConfigError, TrainerError
from trixy_trainer.pretrained.speech_embedding import load_speech_frontend, model_dir
from trixy_trainer.wakeword.embedding_corpus import CorpusConfig, build_clips, window_labels
from trixy_trainer.wakeword.train import train_wakeword

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def test_rebuilt_front_end_matches_openwakeword_reference_runtime() -> None:
    """Our torch modules, built from the wheel's TFLite weights, give openWakeWord's own embeddings."""
    from pyopen_wakeword import OpenWakeWordFeatures

    mel, embedding = load_speech_frontend()
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 3) / 16000
    audio = (0.05 * rng.standard_normal(t.size) + 0.2 * np.sin(2 * np.pi * 300 * t * (1 + 0.2 * np.sin(3 * t)))).astype(np.float32)
    pcm = (audio * 32767).astype(np.int16)
    reference = OpenWakeWordFeatures.from_builtin()
    expected = [e.reshape(-1) for i in range(0, pcm.size, 1280) for e in reference.process_streaming(pcm[i : i + 1280].tobytes())]
    with torch.no_grad():
        ours = embedding(mel(torch.from_numpy(pcm.astype(np.float32) / 32768.0)[None]))[0].numpy()
    # openWakeWord's frames lag ours by a whole number of 80 ms steps: find that lag, then all ten must agree
    worst = [max(np.max(np.abs(expected[-1 - i] - ours[-1 - lag - i])) for i in range(10)) for lag in range(3)]
    assert min(worst) < 1e-3 * np.max(np.abs(expected[-1]))


def test_missing_package_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrainerError, match="melspectrogram"):
        load_speech_frontend(tmp_path)
    assert (model_dir() / "embedding_model.tflite").is_file()


def _tiny_corpus(tmp_path: Path) -> list[str]:
    return [
        f"data.cache_dir={tmp_path / 'cache'}",
        "data.workers=1",
        "data.speech_seconds=3.0",
        "data.counts.train={trixy: 6, system_command: 4, confusable: 4, speech: 3, noise: 2}",
        "data.counts.calibration={trixy: 2, system_command: 2, confusable: 2, speech: 2, noise: 0}",
        "data.counts.test={trixy: 2, system_command: 2, confusable: 2, speech: 2, noise: 0}",
        "data.batch_size=32",
        "data.steps_per_epoch=4",
        "data.mine_every=1",
        "data.mine_top=50",
        "trainer.max_epochs=2",
        "trainer.accelerator=cpu",
        "trainer.devices=1",
        f"run_dir={tmp_path / 'run'}",
        f"output_dir={tmp_path / 'out'}",
        "export.password=test-pw",
    ]


def test_corpus_is_cached_per_clip_seed_and_labels_windows_around_the_wake_phrase(tmp_path: Path) -> None:
    # Praat's PSOLA resynthesis is not bit-reproducible, so this check of the per-clip seeds leaves it out
    cfg = CorpusConfig(cache_dir=tmp_path, classes=["trixy", "none"], phrases={"trixy": ["Trixie"]}, workers=1, speech_seconds=3.0, voice_change_p=0.0)
    first = build_clips(cfg, "train", "trixy", 2)
    again = build_clips(cfg, "train", "trixy", 2)
    assert np.array_equal(first.embeddings, again.embeddings) and first.clips == 2
    more = build_clips(cfg, "train", "trixy", 3)  # the first two clips are the same clips
    same = more.embeddings[: first.embeddings.shape[0]].astype(np.float32) - first.embeddings.astype(np.float32)
    assert np.max(np.abs(same)) < 0.01 * np.max(np.abs(first.embeddings.astype(np.float32)))  # float16, thread order
    ends, labels = window_labels(first, 16, 1)
    assert (labels == 0).sum() >= 2 * 4 and (labels == 1).sum() > 0
    test = build_clips(cfg, "test", "trixy", 2)
    assert all(v.split("+")[0] in cfg.test_voices for v in test.voices)
    assert not any(v.split("+")[0] in cfg.test_voices for v in more.voices)


@pytest.mark.parametrize("members", [1, 2])
def test_recipe_trains_exports_and_streams_on_the_satellite(tmp_path: Path, members: int) -> None:
    from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model

    cfg = load_config("wakeword", [*_tiny_corpus(tmp_path), f"model.params.members={members}"], CONFIG_DIR)
    reports = []
    result = train_wakeword(cfg, progress=reports.append)
    assert [r.epoch for r in reports] == list(range(1, 2 * members + 1))  # members train one after another
    assert {r.max_epochs for r in reports} == {2 * members}
    onnx_path = result.files["onnx"]
    assert result.files["stream_onnx"].is_file()
    meta = read_metadata(onnx_path, required=WAKEWORD_REQUIRED_KEYS)
    assert meta["technology"] == "oww-embedding" and meta["pretrained"]["package"] == "pyopen-wakeword"
    assert set(meta["class_thresholds"]) == {"trixy", "system_command"} and "test" in meta["results"]
    graph = onnx.load(str(onnx_path)).graph
    assert [i.name for i in graph.input] == ["audio"] and [o.name for o in graph.output] == ["probabilities", "window_probabilities"]
    pth_meta, head = read_pth(result.files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    assert pth_meta["classes"] == ["trixy", "system_command", "none"] and pth_meta["architecture"]["params"]["members"] == members
    layout = {k.split(".")[0] for k in head}
    assert layout == ({"layers"} if members == 1 else {"members"})  # one head keeps the layout of every older model
    if members > 1:
        assert {k.split(".")[1] for k in head} == {str(i) for i in range(members)}
        first = {k[len("members.0."):]: v for k, v in head.items() if k.startswith("members.0.")}
        second = {k[len("members.1."):]: v for k, v in head.items() if k.startswith("members.1.")}
        assert any(not torch.equal(first[k], second[k]) for k in first)  # own seeds: the members differ

    model = load_wakeword_model(onnx_path)
    streaming, full = WakewordDetector(model), WakewordDetector(load_wakeword_model(onnx_path, use_stream=False))
    assert streaming.streaming and not full.streaming
    rng = np.random.default_rng(1)
    audio = (0.05 * rng.standard_normal(16000 * 3)).astype(np.float32)
    hop = streaming.settings.hop_samples
    diffs = []
    for start in range(0, audio.size - hop, hop):
        streaming.feed(audio[start : start + hop])
        full.feed(audio[start : start + hop])
        diffs.append(float(np.max(np.abs(streaming.last_scores() - full.last_scores()))))
    assert len(diffs) >= 8 and max(diffs) < 1e-4  # one comparison per 320 ms block


def test_finetune_starts_each_member_from_its_own_weights_and_refuses_another_head_shape(tmp_path: Path) -> None:
    base = _tiny_corpus(tmp_path)
    first = train_wakeword(load_config("wakeword", [*base, "model.params.members=2", "trainer.max_epochs=1"], CONFIG_DIR))
    _, before = read_pth(first.files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    again = [*base, f"finetune_from={first.files['pth']}", "trainer.max_epochs=1", "optimizer.lr=1e-12", "optimizer.weight_decay=0",
             f"output_dir={tmp_path / 'again'}", "data.feature_noise=0"]
    second = train_wakeword(load_config("wakeword", [*again, "model.params.members=2"], CONFIG_DIR))
    _, after = read_pth(second.files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    assert before.keys() == after.keys()
    assert all(torch.allclose(before[k], after[k], atol=1e-6) for k in before)  # member i went on from member i
    with pytest.raises(ConfigError, match="does not fit model.params"):
        train_wakeword(load_config("wakeword", [*again, "model.params.members=1"], CONFIG_DIR))
