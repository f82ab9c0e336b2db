"""After a conversation the wake listener resumes with a detector primed by the last window of real microphone audio
(not the digital silence of a reset), and what was said while it was paused is never reported."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from satellite_test_doubles import FakeClient

from trixy_protocol import StartStreaming, WakeWordDetected
from trixy_satellite.listening import WakeListener
from trixy_satellite.recorder import ConversationRecorder
from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model

MODEL = Path(__file__).resolve().parents[4] / "models" / "wakeword" / "trixy" / "trixy.onnx"
CHUNK = 320  # 20 ms, as the microphone pump delivers


def espeak(text: str) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    out = subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "--stdout", text], capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(out)) as wav:
        rate = wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float32)
    return np.interp(np.arange(int(pcm.size * 16000 / rate)) * rate / 16000, np.arange(pcm.size), pcm).astype(np.float32)


class CountingDetector(WakewordDetector):
    """The real detector, counting how it is restarted."""

    def __init__(self, model) -> None:
        self.primed: list[int] = []
        self.resets = 0
        super().__init__(model)

    def reset(self) -> None:
        self.resets += 1
        super().reset()

    def prime(self, pcm) -> int:
        self.primed.append(len(pcm))
        return super().prime(pcm)


def chunks(audio: np.ndarray):
    pcm = np.clip(audio, -32768, 32767).astype("<i2")
    for start in range(0, pcm.size - CHUNK + 1, CHUNK):
        yield pcm[start : start + CHUNK].tobytes()


def test_resuming_after_a_conversation_primes_the_detector_and_drops_what_was_said_meanwhile() -> None:
    rng = np.random.default_rng(7)
    room = lambda seconds: rng.normal(0, 40, int(round(seconds * 16000))).astype(np.float32)  # noqa: E731
    word = espeak("Trixie") * 0.6
    client = FakeClient()
    recorder = ConversationRecorder(client)
    detector = CountingDetector(load_wakeword_model(MODEL))
    listener = WakeListener(detector, recorder)
    window = detector.model.chunk_samples

    def feed(audio: np.ndarray) -> None:  # a microphone: room noise under everything
        for chunk in chunks(audio + room(audio.size / 16000)):
            recorder.feed(chunk)  # the pump's order: recorder first, then the listener
            listener.feed(chunk)

    feed(np.concatenate([room(2.5), word, room(0.6)]))
    assert [c.wake_word_name for c in client.sent if isinstance(c, WakeWordDetected)] == ["trixy"]
    client.fire(StartStreaming(conversation_id="c1", silence_s=0.8, max_duration_s=6))
    # the command, then the wake word while the recording still runs (the user repeating it): it is in the last
    # window of audio that primes the detector, and is never reported
    feed(np.concatenate([espeak("what time is it") * 0.6, room(0.3), word]))
    assert recorder.state != "idle"
    feed(room(1.0))
    assert recorder.state == "idle"
    assert len([c for c in client.sent if isinstance(c, WakeWordDetected)]) == 1

    # detection resumed on the first idle chunk: reset once, primed with the last model window of audio
    assert detector.resets >= 2 and detector.primed and detector.primed[0] >= window - CHUNK
    assert detector.warmed_up
    feed(room(1.5))
    assert len([c for c in client.sent if isinstance(c, WakeWordDetected)]) == 1  # the paused word never fires
    feed(np.concatenate([word, room(0.6)]))
    assert [c.wake_word_name for c in client.sent if isinstance(c, WakeWordDetected)] == ["trixy", "trixy"]


def test_a_new_detector_from_a_model_update_is_primed_with_the_recent_audio() -> None:
    model = load_wakeword_model(MODEL)
    listener = WakeListener(CountingDetector(model), ConversationRecorder(FakeClient()))
    for chunk in chunks(np.random.default_rng(1).normal(0, 60, 3 * 16000)):
        listener.feed(chunk)
    fresh = CountingDetector(model)
    listener.use_detector(fresh)
    listener.feed(next(chunks(np.zeros(CHUNK, np.float32))))
    assert listener.detector is fresh and fresh.primed and fresh.primed[0] >= model.chunk_samples - CHUNK
    assert fresh.warmed_up


class ReportingDetector(WakewordDetector):
    """The real detector, keeping its detections and how much audio it had been fed when it reported them."""

    def __init__(self, model) -> None:
        self.reports: list[tuple[float, float]] = []  # (end of the window that fired, audio fed at the report), s
        super().__init__(model)

    def feed(self, pcm):
        found = super().feed(pcm)
        self.reports += [(d.stream_time_s, self.stream_time_s) for d in found]
        return found


def test_the_buffer_starts_in_the_pause_before_the_window_that_fired_ended_not_when_the_block_was_scored() -> None:
    model = load_wakeword_model(MODEL)
    word = espeak("Trixie") * 0.6
    tone = 4000 * np.sin(np.arange(16000) / 3).astype(np.float32)
    latencies = []
    for lead in (2.5, 2.58, 2.66, 2.74):  # the word at four places within the detector's 320 ms blocks
        rng = np.random.default_rng(11)
        room = lambda seconds: rng.normal(0, 40, int(round(seconds * 16000))).astype(np.float32)  # noqa: E731, B023
        client = FakeClient()
        recorder = ConversationRecorder(client)
        detector = ReportingDetector(model)
        listener = WakeListener(detector, recorder)
        fed = 0
        # "Trixie" then, after 0.2 s, the command (a tone here): it may start before the detector reports
        for chunk in chunks(np.concatenate([room(lead), word + room(word.size / 16000), room(0.2), tone + room(1.0)])):
            recorder.feed(chunk)
            listener.feed(chunk)
            fed += len(chunk) // 2
        [(fired_end, reported_at)] = detector.reports
        latencies.append(reported_at - fired_end)
        client.fire(StartStreaming(conversation_id="c1", silence_s=1.0, max_duration_s=5))
        streamed = np.frombuffer(b"".join(client.audio), "<i2")
        sent = streamed[client.sent[0].command_lead_ms * 16:]  # the lead before the cut is told apart (ms at 16 kHz)
        start, fired = fed - sent.size, round(fired_end * 16000)
        # buffered and sent from the quietest moment of the 0.3 s before the window that fired ended (to within a
        # microphone chunk): in the pause, so the whole command and none of the wake word's sound
        assert fired - round(0.3 * 16000) - CHUNK <= start <= fired, lead
        assert start <= round(lead * 16000) + word.size + round(0.2 * 16000), lead  # the command's start is sent
        assert np.abs(sent[:CHUNK]).max() < 300, lead  # room noise (std 40), not the word
    assert max(latencies) >= 0.16  # the detector reported up to a block after the window that fired
