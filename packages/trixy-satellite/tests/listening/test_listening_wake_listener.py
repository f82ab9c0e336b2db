"""The satellite's wake -> record loop: detection only while idle, speaker named, detector reset afterwards;
the push microphone plays pushed audio then room noise at the asked pace."""

import asyncio
import time
from types import SimpleNamespace

import numpy as np
from satellite_test_doubles import LOUD, QUIET, FakeClient

from trixy_protocol import StartStreaming, WakeWordDetected
from trixy_satellite.listening import PushSource, SpeakerWindow, WakeListener
from trixy_satellite.recorder import ConversationRecorder, chunk_dbfs


class LoudChunkDetector:
    """Scripted detector: fires on every loud chunk (the trained model is tested by its own package)."""

    def __init__(self):
        self.fed, self.resets = 0, 0

    def feed(self, chunk):
        self.fed += 1
        level = float(np.sqrt(np.mean(np.frombuffer(chunk, "<i2").astype(np.float64) ** 2)))
        if level < 1000:
            return []
        return [SimpleNamespace(wakeword_id=1, name="system_command", score=0.93, loudness_dbfs=-14.0)]

    def reset(self):
        self.resets += 1


class EchoIdentifier:
    """Stands in for the ONNX speaker model: names whoever is loud enough 'Johannes'."""

    def __init__(self):
        self.seen = 0

    def identify(self, audio, sample_rate=None):
        self.seen = len(audio)
        return SimpleNamespace(id=0, name="Johannes", score=0.81, known=True)


def test_detection_reports_speaker_pauses_while_busy_and_resumes_after_the_recording():
    client = FakeClient()
    recorder = ConversationRecorder(client)
    detector, identifier = LoudChunkDetector(), EchoIdentifier()
    listener = WakeListener(detector, recorder, speaker=SpeakerWindow(identifier, seconds=0.1))

    def feed(chunk):  # the pump's consumer order: recorder first, then the listener
        recorder.feed(chunk)
        listener.feed(chunk)

    for _ in range(10):
        feed(QUIET)
    feed(LOUD)
    [wake] = [c for c in client.sent if isinstance(c, WakeWordDetected)]
    assert (wake.wake_word_name, wake.speaker_id, wake.speaker_name) == ("system_command", 0, "Johannes")
    assert abs(wake.loudness_db - chunk_dbfs(LOUD)) < 0.01  # the recorder's measure: loudest chunk of the last 1 s
    assert wake.system_command and identifier.seen == 1600  # the last 0.1 s
    fed = detector.fed
    feed(LOUD)  # waiting for the server: detection paused
    client.fire(StartStreaming(conversation_id="c1", silence_s=0.04, max_duration_s=5))
    feed(LOUD)
    assert detector.fed == fed and recorder.state == "streaming"
    for _ in range(2):  # 0.04 s of silence after speech
        feed(QUIET)
    assert recorder.state == "idle" and detector.resets == 1
    feed(QUIET)
    assert detector.fed == fed + 2  # detection resumed with the chunk that ended the recording


def test_without_a_speaker_model_the_speaker_is_unknown_and_disconnected_means_no_detection():
    client = FakeClient()
    recorder = ConversationRecorder(client)
    detector = LoudChunkDetector()
    online = [False]
    listener = WakeListener(detector, recorder, connected=lambda: online[0])
    listener.feed(LOUD)
    assert client.sent == [] and detector.fed == 0
    online[0] = True
    listener.feed(LOUD)
    assert client.sent[0].speaker_id is None and client.sent[0].speaker_name == ""


async def test_push_source_plays_pushed_audio_then_noise_at_the_asked_speed():
    source = PushSource(chunk_ms=20, speed=4.0, noise=20.0)
    assert source.push(LOUD * 3, gain=0.5) == 0.06
    chunks = []
    started = time.monotonic()
    async for chunk in source.chunks():
        chunks.append(chunk)
        if len(chunks) == 20:
            source.close()
    elapsed = time.monotonic() - started
    assert len(chunks) == 20 and all(len(c) == 640 for c in chunks)
    first = np.frombuffer(chunks[0], "<i2")
    assert np.array_equal(first, (np.frombuffer(LOUD, "<i2") * 0.5).astype("<i2"))
    assert 0 < np.abs(np.frombuffer(chunks[5], "<i2")).max() < 200 and source.pending_s == 0
    assert elapsed >= 19 * 0.005 * 0.9  # 4x real time: 5 ms per 20 ms chunk
    await asyncio.sleep(0)
