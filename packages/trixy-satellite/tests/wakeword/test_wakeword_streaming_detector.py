"""Streaming detector: equals full-window scoring, detects real speech, refractory period, loudness, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trixy_satellite.wakeword import (
    DetectorSettings,
    WakewordDetector,
    WakewordModelError,
    load_wakeword_model,
)


def _scene(speech: np.ndarray, seconds_around: float = 1.0, noise_db: float = -60.0) -> np.ndarray:
    rng = np.random.default_rng(3)
    pad = np.zeros(int(seconds_around * 16000), np.float32)
    audio = np.concatenate([pad, speech * 0.5, pad])
    return (audio + rng.normal(0, 10 ** (noise_db / 20), audio.size)).astype(np.float32)


def test_model_metadata_follows_the_fixed_interface(model_path: Path) -> None:
    model = load_wakeword_model(model_path)
    assert model.classes == ["trixy", "system_command", "none"]
    assert model.sample_rate == 16000 and 0 < model.threshold < 1
    assert model.stream_session is not None
    assert model.predict(np.zeros((2, model.chunk_samples), np.float32)).shape == (2, 3)
    # both graphs carry the frozen speech-embedding front end (1.3 MB of it): small enough for a Pi
    assert model_path.stat().st_size + model_path.with_name("trixy.stream.onnx").stat().st_size < 12_000_000
    assert model.metadata["technology"] == "oww-embedding" and model.stream_metadata["graph"] == "speech-embedding"
    # the full window's probabilities are smoothed as the detector smooths (the score the thresholds were chosen on)
    assert model.metadata["features"]["full_window_smoothing_hops"] == model.metadata["detector"]["smoothing_hops"]


def test_streaming_scores_equal_full_window_scores(model_path: Path, speak) -> None:
    audio = _scene(speak("Tricksy, what time is it"), 0.5, -50.0)
    streaming = WakewordDetector(load_wakeword_model(model_path))
    full = WakewordDetector(load_wakeword_model(model_path, use_stream=False))
    assert streaming.streaming and not full.streaming
    hop = streaming.settings.hop_samples
    differences = []
    for start in range(0, audio.size - hop, hop):
        streaming.feed(audio[start : start + hop])
        full.feed(audio[start : start + hop])
        differences.append(np.max(np.abs(streaming.last_scores() - full.last_scores())))
    assert len(differences) > 5 and max(differences) < 1e-4  # one comparison per 320 ms block


def test_detects_spoken_wake_words_with_id_name_and_loudness(model_path: Path, speak) -> None:
    detector = WakewordDetector(load_wakeword_model(model_path))
    found = []
    audio = _scene(speak("Tricksy"))
    for start in range(0, audio.size, 1000):  # block size unrelated to the hop
        found += detector.feed((audio[start : start + 1000] * 32767).astype(np.int16).tobytes())
    assert [d.wakeword_id for d in found] == [0] and found[0].name == "trixy"
    assert found[0].score >= detector.thresholds[0]
    assert -40.0 < found[0].loudness_dbfs < -3.0 and found[0].peak_dbfs <= 0.0
    assert 1.0 < found[0].stream_time_s < audio.size / 16000 + 0.1

    detector.reset()
    found = detector.feed(_scene(speak("system command")))
    assert [d.name for d in found] == ["system_command"] and found[0].wakeword_id == 1


def test_silence_noise_and_other_speech_do_not_trigger(model_path: Path, speak) -> None:
    detector = WakewordDetector(load_wakeword_model(model_path))
    rng = np.random.default_rng(0)
    assert detector.feed(np.zeros(16000 * 3, np.float32)) == []
    assert detector.feed((rng.normal(0, 0.05, 16000 * 3)).astype(np.float32)) == []
    assert detector.feed(_scene(speak("please turn on the kitchen lights"))) == []


def test_refractory_period_suppresses_repeated_triggers(model_path: Path) -> None:
    model = load_wakeword_model(model_path)
    always = WakewordDetector(model, DetectorSettings(hop_samples=1280, smoothing_hops=1, refractory_s=1.0, threshold=0.0))
    detections = always.feed(np.zeros(16000 * 5, np.float32))
    times = [d.stream_time_s for d in detections]
    assert len(times) == 5 and all(b - a > 1.0 for a, b in zip(times, times[1:], strict=False))


def test_per_class_thresholds_from_the_metadata_decide_each_wake_word(tmp_path: Path, model_path: Path) -> None:
    import shutil

    from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata, write_onnx_metadata

    meta = read_metadata(model_path, required=WAKEWORD_REQUIRED_KEYS)
    for always, never in (("trixy", "system_command"), ("system_command", "trixy")):
        copy = tmp_path / always / "trixy.onnx"
        copy.parent.mkdir()
        shutil.copy(model_path, copy)
        write_onnx_metadata(copy, {**meta, "class_thresholds": {always: 0.0, never: 1.01}}, WAKEWORD_REQUIRED_KEYS)
        model = load_wakeword_model(copy)
        assert model.class_thresholds == ([0.0, 1.01] if always == "trixy" else [1.01, 0.0])
        found = WakewordDetector(model).feed(np.zeros(16000 * 4, np.float32))
        assert found and {d.name for d in found} == {always}
        # an explicit threshold overrides the per-class ones
        assert WakewordDetector(model, DetectorSettings(threshold=1.01)).feed(np.zeros(16000 * 4, np.float32)) == []
    meta.pop("class_thresholds", None)
    plain = tmp_path / "plain.onnx"
    shutil.copy(model_path, plain)
    write_onnx_metadata(plain, meta, WAKEWORD_REQUIRED_KEYS)
    assert load_wakeword_model(plain).class_thresholds == [meta["threshold"]] * 2  # older models: one threshold


def test_bad_models_give_clear_errors(tmp_path: Path, model_path: Path) -> None:
    with pytest.raises(WakewordModelError, match="not found"):
        load_wakeword_model(tmp_path / "missing.onnx")
    with pytest.raises(WakewordModelError, match=".onnx"):
        load_wakeword_model(tmp_path / "model.pth")
    (tmp_path / "broken.onnx").write_bytes(model_path.read_bytes()[:500])
    with pytest.raises(WakewordModelError, match="cannot load"):
        load_wakeword_model(tmp_path / "broken.onnx")


def test_satellite_wakeword_never_imports_torch() -> None:
    code = "import sys, trixy_satellite.wakeword; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"technology": "tflite"}, "pip install ai-edge-litert"),
        ({"technology": "torch"}, "trixy-satellite\\[torch\\]"),
        ({"technology": "kws-next", "runtime_requires": ["no-such-runtime>=2.0"]}, "pip install 'no-such-runtime>=2.0'"),
    ],
)
def test_a_model_of_a_technology_the_satellite_cannot_run_is_refused_with_what_to_install(
    tmp_path: Path, model_path: Path, extra: dict, says: str
) -> None:
    import shutil

    from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_onnx_metadata, write_onnx_metadata

    meta = read_onnx_metadata(model_path, WAKEWORD_REQUIRED_KEYS)
    odd = tmp_path / "odd.onnx"
    shutil.copy(model_path, odd)
    write_onnx_metadata(odd, {**meta, **extra}, WAKEWORD_REQUIRED_KEYS)
    with pytest.raises(WakewordModelError, match=says):
        load_wakeword_model(odd)
    assert load_wakeword_model(model_path).metadata["technology"] == meta["technology"]  # the shipped one loads


def test_warmed_up_after_a_whole_window_of_audio_and_again_after_a_reset(model_path: Path) -> None:
    detector = WakewordDetector(load_wakeword_model(model_path))
    window = detector.model.chunk_samples
    noise = (np.random.default_rng(0).normal(0, 300, window + 2 * detector.settings.hop_samples)).astype("<i2")
    assert not detector.warmed_up
    detector.feed(noise[: window - detector.settings.hop_samples].tobytes())
    assert not detector.warmed_up  # the window still holds some of the silence it starts from
    detector.feed(noise[window - detector.settings.hop_samples :].tobytes())
    assert detector.warmed_up
    detector.reset()
    assert not detector.warmed_up


def test_prime_follows_the_audio_but_drops_its_detections(model_path: Path, speak) -> None:
    model = load_wakeword_model(model_path)
    hop = 1280
    rng = np.random.default_rng(3)
    word = speak("Trixie", "en-gb") * 0.5
    heard = np.concatenate([rng.normal(0, 0.003, 40000), word, rng.normal(0, 0.003, 2 * hop)]).astype(np.float32)
    listened = WakewordDetector(model)
    assert [d.name for d in listened.feed(heard)] == ["trixy"]  # this audio holds a wake word

    primed = WakewordDetector(model)
    assert primed.prime(heard) == 1  # the same detection, dropped
    assert primed.warmed_up
    # the scores, smoothing and refractory period followed the primed audio: the word heard while paused does not
    # fire on the next hops, and the next wake word is detected as in a stream listened to all along
    tail = rng.normal(0, 0.003, 6 * hop).astype(np.float32)
    assert primed.feed(tail) == [] and listened.feed(tail) == []
    again = np.concatenate([word, rng.normal(0, 0.003, 4 * hop)]).astype(np.float32)
    assert [d.name for d in primed.feed(again)] == [d.name for d in listened.feed(again)] == ["trixy"]


def _detected(detector: WakewordDetector, audio: np.ndarray) -> list[str]:
    found = []
    for start in range(0, audio.size, 1000):
        found += [d.name for d in detector.feed(audio[start : start + 1000])]
    return found


def test_clean_words_framed_by_digital_silence_are_detected_and_both_graphs_agree(model_path: Path, speak) -> None:
    """Text-to-speech files and noise-gated microphones give exact zeros; the graphs' dither makes them a quiet room
    (without it, 50 % of such clean clips were detected, against 95 % with a noise floor under them)."""
    model = load_wakeword_model(model_path)
    assert model.metadata["features"]["dither_dbfs"] < -100
    full_model = load_wakeword_model(model_path, use_stream=False)
    for voice, speed in (("en-us", 160), ("en-gb+f3", 130), ("en-gb-x-rp", 190)):
        word = speak("Trixie, what time is it", voice, speed)
        audio = np.concatenate([np.zeros(24000, np.float32), word / np.abs(word).max() * 0.4, np.zeros(16000, np.float32)])
        streaming = WakewordDetector(model)
        assert _detected(streaming, audio) == ["trixy"], voice
        full = WakewordDetector(full_model)
        assert _detected(full, audio) == ["trixy"], voice
    # digital silence alone is a quiet room: "none", and equal in both graphs
    streaming, full = WakewordDetector(model), WakewordDetector(full_model)
    assert _detected(streaming, np.zeros(16000 * 3, np.float32)) == [] and streaming.last_scores()[-1] > 0.9
    _detected(full, np.zeros(16000 * 3, np.float32))
    assert np.max(np.abs(streaming.last_scores() - full.last_scores())) < 1e-4


def test_without_the_streaming_file_the_full_window_graph_scores_every_80_ms_step(model_path: Path) -> None:
    streaming = WakewordDetector(load_wakeword_model(model_path))
    full = WakewordDetector(load_wakeword_model(model_path, use_stream=False))
    assert streaming.settings.hop_samples == 5120 and len(streaming.last_rows()) == 0
    assert full.settings.hop_samples == 1280  # the metadata's 5120 is the streaming block: four steps, four rows
    assert full.settings.smoothing_hops == streaming.settings.smoothing_hops


def test_flush_scores_the_end_of_a_file_that_stops_right_after_the_wake_word(model_path: Path, speak) -> None:
    """The detector scores whole 320 ms blocks: without flush() the last part of a file is never scored."""
    model = load_wakeword_model(model_path)
    hop = WakewordDetector(model).settings.hop_samples
    assert hop == 5120  # four 80 ms steps per call of the streaming graph
    missed_without = 0
    for voice in ("en-us", "en-gb", "en-gb-x-rp"):
        word = speak("Trixie", voice)
        loud = np.flatnonzero(np.abs(word) > 1e-3)
        word = word[loud[0] : loud[-1] + 1]
        audio = np.concatenate([np.zeros(24000, np.float32), word / np.abs(word).max() * 0.5, np.zeros(800, np.float32)])
        detector = WakewordDetector(model)
        before = _detected(detector, audio)
        missed_without += not before
        after = [d.name for d in detector.flush()]
        assert before + after == ["trixy"], voice  # found once, by the stream or by the flush
        assert detector.stream_time_s * 16000 % hop == 0  # the flush completed the block with silence
        assert detector.flush() == []  # nothing pending any more
    assert missed_without >= 1  # the flush is what found at least one of them
    assert WakewordDetector(model).flush() == []  # a detector that heard nothing


def test_one_padded_window_of_a_short_file_finds_the_word_wherever_it_sits(model_path: Path, speak) -> None:
    """A tool without the stream graph scores a short file as one ``chunk_samples`` window through the contract's
    ``probabilities``: the graph also scores the windows that end up to 1.2 s earlier when the end is silence, so a
    word at the start of the window (a file padded after it) is found; the stream's own row would miss it."""
    model = load_wakeword_model(model_path)
    size, threshold = model.chunk_samples, model.class_thresholds[0]
    assert model.window_output == "window_probabilities"
    for voice in ("en-us", "en-gb", "en-gb-x-rp"):
        word = speak("Trixie", voice)
        loud = np.flatnonzero(np.abs(word) > 1e-3)
        word = word[loud[0] : loud[-1] + 1] / np.abs(word).max() * 0.5
        placed = {}
        for name, start in (("start", 800), ("middle", (size - word.size) // 2), ("end", size - 6400 - word.size)):
            window = np.zeros(size, np.float32)
            window[start : start + word.size] = word
            placed[name] = window
            assert model.predict(window[None])[0, 0] >= threshold, (voice, name)
        assert model.predict_last_window(placed["start"][None])[0, 0] < threshold, voice  # the last window alone
    # a window cut out of talk (sound up to its last sample) is scored by its last window, alone or smoothed with
    # the window before it as the stream smooths (the more wake-like of the two); no earlier window counts
    talk = np.concatenate([speak("what a lovely day it is, and tomorrow too", "en-us")] * 2)[:size] * 0.5
    last = model.predict_last_window(talk[None])[0]
    before = model.predict_last_window(np.concatenate([np.zeros(1280, np.float32), talk[:-1280]])[None])[0]
    assert model.metadata["features"]["full_window_smoothing_hops"] == 2
    candidates = np.stack([last, (last + before) / 2])
    np.testing.assert_allclose(model.predict(talk[None])[0], candidates[np.argmin(candidates[:, -1])], atol=1e-5)
