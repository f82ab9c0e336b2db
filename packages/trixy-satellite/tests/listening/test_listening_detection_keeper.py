"""Keeping the audio around each wake-word detection (`audio.keep_detections`): what is written, when, how many,
and that a broken disk or a busy recorder changes nothing for the satellite."""

from __future__ import annotations

import logging
import time
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from satellite_test_doubles import LOUD, QUIET, FakeClient

from trixy_core.application import create_application
from trixy_satellite.listening import DetectionKeeper, WakeListener
from trixy_satellite.recorder import ConversationRecorder

CHUNK = 320  # 20 ms at 16 kHz
REPO = Path(__file__).resolve().parents[4]


def numbered(i: int) -> bytes:
    """A 20 ms chunk whose samples all hold `i`: the WAV shows which chunks it kept."""
    return np.full(CHUNK, i, "<i2").tobytes()


def read(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_a_detection_keeps_the_seconds_before_and_after_it(tmp_path: Path):
    keeper = DetectionKeeper(tmp_path, seconds_before=3.0, seconds_after=0.5)
    for i in range(200):
        keeper.feed(numbered(i))
    keeper.detected("trixy", 0.934)
    assert keeper.saved == []  # waits for the 0.5 s after the detection
    for i in range(200, 230):
        keeper.feed(numbered(i))
    [path] = keeper.saved
    assert path.parent == tmp_path / "trixy" and path.name.endswith("_0.934.wav")
    samples = read(path)
    assert samples.size == int(3.5 * 16000)
    chunks = samples.reshape(-1, CHUNK)[:, 0]
    assert chunks.tolist() == list(range(50, 225))  # 150 chunks up to the detection, 25 after it


def test_early_detection_keeps_what_there_is_and_odd_names_stay_in_the_folder(tmp_path: Path):
    keeper = DetectionKeeper(tmp_path, seconds_before=3.0, seconds_after=0.0)
    for i in range(10):
        keeper.feed(numbered(i))
    keeper.detected("../system command", 0.5)
    [path] = keeper.saved
    assert path.parent == tmp_path / "system_command"
    assert read(path).size == 10 * CHUNK


def test_only_the_newest_files_are_kept(tmp_path: Path):
    keeper = DetectionKeeper(tmp_path, seconds_before=0.1, seconds_after=0.0, max_files=3)
    for n in range(5):
        keeper.feed(numbered(n))
        keeper.detected("trixy", 0.9 + n / 100)
    left = sorted(tmp_path.glob("*/*.wav"))
    assert len(left) == 3 and set(left) == set(keeper.saved[-3:])


def test_an_unwritable_folder_is_a_warning_not_a_crash(tmp_path: Path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    keeper = DetectionKeeper(blocked, seconds_before=0.1, seconds_after=0.0)
    keeper.feed(numbered(1))
    with caplog.at_level(logging.WARNING):
        keeper.detected("trixy", 0.9)
    assert keeper.saved == [] and "cannot keep the detection audio" in caplog.text
    with pytest.raises(ValueError, match="keep_detections"):
        DetectionKeeper(tmp_path, seconds_before=0)


def test_the_listener_keeps_detections_while_the_recorder_is_busy(tmp_path: Path):
    class LoudDetector:
        def feed(self, chunk):
            loud = np.abs(np.frombuffer(chunk, "<i2")).max() > 1000
            return [SimpleNamespace(wakeword_id=0, name="trixy", score=0.97, loudness_dbfs=-10.0)] if loud else []

        def reset(self):
            pass

    client = FakeClient()
    recorder = ConversationRecorder(client)
    keeper = DetectionKeeper(tmp_path, seconds_before=1.0, seconds_after=0.2)
    listener = WakeListener(LoudDetector(), recorder, keeper=keeper)
    for chunk in [QUIET] * 60 + [LOUD]:
        recorder.feed(chunk)
        listener.feed(chunk)
    assert recorder.state != "idle" and keeper.saved == []  # reported to the server: detection paused...
    for _ in range(10):
        recorder.feed(QUIET)
        listener.feed(QUIET)
    [path] = keeper.saved  # ...but the keeper still got the audio after the detection
    samples = read(path)
    assert samples.size == int(1.2 * 16000) and np.abs(samples).max() > 1000


def test_the_satellite_app_keeps_detections_when_configured(tmp_path: Path):
    import trixy_satellite.config  # noqa: F401 - the client sections
    from trixy_satellite.app import SatelliteApp

    overrides = ["audio.input=silence", "audio.output=null", f"models.wakeword={REPO / 'models' / 'wakeword' / 'trixy'}",
                 "audio.keep_detections=heard", "audio.keep_detections_max=7"]
    config = create_application("client", root=tmp_path, setup_logging=False, overrides=overrides).config
    app = SatelliteApp(config, root=tmp_path)
    assert app.listener is not None, "the shipped wake-word model loads"
    assert app.listener.keeper is app.detection_keeper
    assert app.detection_keeper.folder == tmp_path / "heard" and app.detection_keeper.max_files == 7
    plain = SatelliteApp(create_application("client", root=tmp_path, setup_logging=False,
                                            overrides=overrides[:3]).config, root=tmp_path)
    assert plain.detection_keeper is None and plain.listener.keeper is None  # off by default


def test_kept_detections_are_listed_newest_first_and_sorted_into_the_trainer_folders(tmp_path: Path):
    from trixy_satellite.listening import kept_detections, sort_detection

    keeper = DetectionKeeper(tmp_path / "kept", seconds_before=0.1, seconds_after=0.0)
    for name, score in (("trixy", 0.934), ("system_command", 0.71), ("trixy", 0.991)):
        keeper.feed(numbered(1) * 5)
        keeper.detected(name, score)
        time.sleep(0.002)  # the names hold the time to the millisecond
    (tmp_path / "kept" / "trixy" / "odd name.wav").write_bytes((tmp_path / "kept" / "trixy").glob("*.wav").__next__().read_bytes())
    found = kept_detections(tmp_path / "kept")
    ours = [d for d in found if d.score is not None]
    assert [d.score for d in ours] == [0.991, 0.71, 0.934]  # newest first
    assert ours[0].wake_class == "trixy" and ours[0].when[:2] == "20" and len(ours[0].when) == 19
    [odd] = [d for d in found if d.score is None]
    assert odd.stamp == odd.when == "odd name"  # a foreign file is listed, not dropped

    raw = tmp_path / "trainer" / "data" / "wakeword" / "raw"
    wake = sort_detection(ours[0], "wake word", raw)
    assert wake == raw / "custom" / ours[0].path.name and not ours[0].path.exists()  # the first class: custom/
    command = sort_detection(ours[1], "wake word", raw)
    assert command.parent == raw / "system_command"
    false = sort_detection(ours[2], "false accept", raw)
    assert false == raw / "negative" / f"trixy_{ours[2].path.name}"
    assert read(wake).size == read(false).size == 1600  # the audio moved unchanged

    again = tmp_path / "kept" / "trixy" / wake.name  # the same name a second time never overwrites
    again.write_bytes(wake.read_bytes())
    assert sort_detection(again, "wake word", raw).name == wake.stem + "-1.wav"
    with pytest.raises(ValueError, match="verdict"):
        sort_detection(odd, "maybe", raw)
    assert sort_detection(odd, "wake word", raw, first_class="hey_jarvis").parent == raw / "trixy"


def test_near_misses_are_kept_apart_by_name_listed_as_such_and_pruned_on_their_own(tmp_path: Path):
    from trixy_satellite.listening import kept_detections, sort_detection

    keeper = DetectionKeeper(tmp_path, seconds_before=0.1, seconds_after=0.0, max_files=2, near_miss_floor=0.5)
    keeper.feed(numbered(1) * 5)
    keeper.detected("trixy", 0.95)
    for n in range(4):  # more near misses than max_files: they never push the detection out
        keeper.feed(numbered(2 + n) * 5)
        keeper.detected("trixy", 0.6 + n / 100, near_miss=True)
        time.sleep(0.002)
    left = sorted(tmp_path.glob("*/*.wav"))
    assert len(left) == 3 and sum(p.stem.endswith("_near") for p in left) == 2
    found = kept_detections(tmp_path)
    assert [(d.score, d.near_miss) for d in found] == [(0.63, True), (0.62, True), (0.95, False)]
    assert found[0].wake_class == "trixy" and found[0].path.name.endswith("_0.630_near.wav")

    raw = tmp_path / "raw"
    assert sort_detection(found[0], "wake word", raw).parent == raw / "custom"  # a miss the model should have heard
    assert sort_detection(found[1], "false accept", raw).parent == raw / "negative"  # or a hard negative
    with pytest.raises(ValueError, match="keep_near_misses"):
        DetectionKeeper(tmp_path, near_miss_floor=1.0)


def test_the_listener_keeps_the_real_detectors_near_misses_when_the_keeper_has_a_floor(tmp_path: Path, caplog):
    import shutil
    import subprocess

    from trixy_satellite.wakeword import DetectorSettings, WakewordDetector, load_wakeword_model

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    out = subprocess.run(["espeak-ng", "-v", "en-gb", "--stdout", "Trixie"], capture_output=True, check=True).stdout
    import io

    with wave.open(io.BytesIO(out)) as w:
        rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32)
    word = np.interp(np.arange(int(pcm.size * 16000 / rate)) * rate / 16000, np.arange(pcm.size), pcm) * 0.5
    rng = np.random.default_rng(1)
    audio = np.concatenate([rng.normal(0, 100, 40000), word, rng.normal(0, 100, 30000)]).astype("<i2").tobytes()
    model = load_wakeword_model(REPO / "models" / "wakeword" / "trixy" / "trixy.onnx")

    def listen(floor: float, keep: bool = True) -> WakeListener:
        recorder = ConversationRecorder(FakeClient())
        keeper = DetectionKeeper(tmp_path / f"kept{floor}", seconds_before=3.0, seconds_after=0.5, near_miss_floor=floor)
        listener = WakeListener(WakewordDetector(model, DetectorSettings(threshold=1.01)), recorder,
                                keeper=keeper if keep else None, near_miss_floor=None if keep else floor)
        for start in range(0, len(audio), 2 * CHUNK):
            recorder.feed(audio[start : start + 2 * CHUNK])
            listener.feed(audio[start : start + 2 * CHUNK])
        for _ in range(30):
            listener.feed(QUIET)
        return listener

    heard = listen(0.5)
    [path] = heard.keeper.saved  # the word scored over 0.5 but never reached the threshold: kept as a near miss
    assert path.parent.name == "trixy" and path.stem.endswith("_near") and heard.near_misses == 1
    assert np.abs(read(path)).max() > 1000  # the word is in it
    off = listen(0.0)
    assert off.keeper.saved == [] and off.near_misses == 0  # 0: near misses off
    with caplog.at_level(logging.INFO, logger="trixy_satellite.listening.wake_listener"):
        reported = listen(0.5, keep=False)  # without a keeper it is still reported, nothing is written
    assert reported.near_misses == 1 and "near miss: wake word 'trixy' scored" in caplog.text
    assert list((tmp_path / "kept0.5" / "trixy").glob("*")) == [path]  # only the first run's file


def test_the_satellite_app_keeps_near_misses_from_the_configured_score(tmp_path: Path):
    import trixy_satellite.config  # noqa: F401 - the client sections
    from trixy_satellite.app import SatelliteApp

    base = ["audio.input=silence", "audio.output=null", f"models.wakeword={REPO / 'models' / 'wakeword' / 'trixy'}",
            "audio.keep_detections=heard"]
    for extra, floor in (([], 0.6), (["audio.keep_near_misses=0.3"], 0.3), (["audio.keep_near_misses=0"], 0.0)):
        app = SatelliteApp(create_application("client", root=tmp_path, setup_logging=False,
                                              overrides=base + extra).config, root=tmp_path)
        assert app.detection_keeper.near_miss_floor == app.listener.near_miss_floor == floor
        assert app.detector.near_miss_floor == (floor or None)  # the listener set the detector up
    plain = SatelliteApp(create_application("client", root=tmp_path, setup_logging=False, overrides=base[:3]).config,
                         root=tmp_path)
    assert plain.detection_keeper is None and plain.detector.near_miss_floor == 0.6  # reported, not kept
    with pytest.raises(Exception, match="keep_near_misses"):
        create_application("client", root=tmp_path, setup_logging=False, overrides=[*base, "audio.keep_near_misses=1.5"])


def test_a_detector_that_arrives_by_update_reports_near_misses_as_configured(tmp_path: Path):
    import trixy_satellite.config  # noqa: F401 - the client sections
    from trixy_satellite.app import SatelliteApp
    from trixy_satellite.updates.wiring import load_detector, set_live_detector

    overrides = ["audio.input=silence", "audio.output=null", f"models.wakeword={tmp_path / 'none_yet'}",
                 "audio.keep_near_misses=0.7"]
    app = SatelliteApp(create_application("client", root=tmp_path, setup_logging=False, overrides=overrides).config,
                       root=tmp_path)
    assert app.listener is None  # no model yet
    set_live_detector(app, load_detector(REPO / "models" / "wakeword" / "trixy"))
    assert app.listener.near_miss_floor == 0.7 and app.detector.near_miss_floor == 0.7
