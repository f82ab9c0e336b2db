"""A wake-word detector plugged into the satellite app reaches the server as WakeWordDetected, and the server's
StartStreaming then gets the buffered audio (in-process satellite app, real sockets)."""

import asyncio
from types import SimpleNamespace

import numpy as np

import trixy_satellite.config  # noqa: F401 - registers the client sections
from trixy_core.config import Config
from trixy_protocol import PlaybackFinished, RecordingDone, StartStreaming, WakeWordDetected
from trixy_satellite.app import SatelliteApp
from trixy_satellite.audio.format import SPEECH_FORMAT
from trixy_satellite.audio.sinks import NullSink
from trixy_satellite.audio.sources import WavFileSource


class LoudnessDetector:
    """Stands in for the trained model: 'detects' the first chunk louder than -30 dBFS."""

    classes = ["trixy", "system_command", "none"]

    def __init__(self):
        self.fired = False
        self.resets = 0

    def feed(self, chunk):
        level = np.sqrt(np.mean(np.frombuffer(chunk, "<i2").astype(np.float64) ** 2)) / 32768
        if self.fired or level < 0.03:
            return []
        self.fired = True
        return [SimpleNamespace(wakeword_id=0, name="trixy", score=0.97, loudness_dbfs=20 * np.log10(level))]

    def reset(self):
        self.resets += 1


async def test_detector_hook_sends_wake_word_and_buffered_audio(network, tools, tmp_path):
    record = network.manager.register("aa:bb:cc:00:07:01", "Kitchen", "Hook").record
    wav = tools.write_tone(tmp_path / "voice.wav", 500, 3)
    config = Config.load(tmp_path / "client_config.json", "client", overrides={
        "server.port": network.ports["command"], "satellite.mac": record.mac, "satellite.id": record.id,
        "satellite.secret": record.secret, "server.retry_interval_s": 0.2})
    detector = LoudnessDetector()
    app = SatelliteApp(config, source=WavFileSource(wav, chunk_ms=20), sink=NullSink(SPEECH_FORMAT),
                       root=tmp_path, detector=detector)
    heard = asyncio.get_running_loop().create_future()
    done = asyncio.get_running_loop().create_future()
    network.server.add_command_handler(WakeWordDetected, lambda s, c: heard.done() or heard.set_result((s, c)))
    network.server.add_command_handler(RecordingDone, lambda s, c: done.done() or done.set_result(c))
    await app.start()
    try:
        sat, wake = await asyncio.wait_for(heard, 10)
        assert sat.id == record.id and wake.wake_word_name == "trixy" and wake.loudness_db > -30
        capture = network.server.capture(sat)
        sat.send(StartStreaming(conversation_id="hook", max_duration_s=0.5))
        result = await asyncio.wait_for(done, 10)
        pcm = await capture.wait_for(result.audio_bytes)
        assert len(pcm) == result.audio_bytes > 0 and abs(tools.dominant_hz(pcm) - 500) < 5
        await tools.async_wait_until(lambda: detector.resets >= 1, 5, "the detector to be reset after the recording")
        finished = asyncio.get_running_loop().create_future()
        network.server.add_command_handler(PlaybackFinished, lambda s, c: finished.done() or finished.set_result(c))
        await sat.play(b"\x00\x10" * 1600)
        report = await asyncio.wait_for(finished, 10)
        assert report.played_bytes >= 3200
    finally:
        await app.stop()
