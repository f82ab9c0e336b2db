"""Music from the library through a real server to a real satellite over loopback (the music socket), ducked while
the assistant speaks and back to full volume after; the satellite's speaker is a WAV file we analyse."""

from __future__ import annotations

import asyncio
import shutil
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from music_fixtures import write_song

from trixy_core.application import create_application

REPO = Path(__file__).resolve().parents[2]
MUSIC_HZ, SPEECH_HZ = 1000.0, 300.0


def level(frames: np.ndarray, hz: float, rate: int = 48000) -> float:
    """Amplitude of one frequency in a block of the left channel (Goertzel by projection)."""
    t = np.arange(len(frames)) / rate
    return float(2 * np.abs(np.dot(frames, np.exp(-2j * np.pi * hz * t))) / len(frames))


async def wait_until(predicate, within_s: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_library_music_reaches_the_satellite_and_ducks_under_speech(tmp_path: Path):
    import trixy_satellite.config  # noqa: F401 - registers the client's config sections
    import trixy_server.config  # noqa: F401
    from trixy_satellite.app import SatelliteApp
    from trixy_server.component import SatelliteNetwork

    root = tmp_path / "server"
    shutil.copytree(REPO / "plugins" / "music", root / "plugins" / "music", ignore=shutil.ignore_patterns("__pycache__"))
    write_song(root / "music" / "tone.flac", freq=MUSIC_HZ, seconds=6.0, title="Tone")
    server = create_application("server", root=root, setup_logging=False, overrides={
        "network.bind_address": "127.0.0.1", "network.command_port": 0, "network.audio_input_port": 0,
        "network.audio_output_port": 0, "network.music_port": 0, "scheduler.enabled": False})
    SatelliteNetwork.from_application(server)
    speaker = tmp_path / "speaker.wav"
    async with server:
        server.satellite_manager.enter_registration_mode()
        client = create_application("client", root=tmp_path / "sat", setup_logging=False, overrides={
            "server.host": "127.0.0.1", "server.port": server.network.ports["command"],
            "server.retry_interval_s": 0.1, "satellite.mac": "aa:bb:cc:00:77:01", "satellite.room": "Kitchen",
            "audio.input": "silence", "audio.output": str(speaker), "audio.output_rate": 48000,
            "audio.output_channels": 2})
        satellite = SatelliteApp(client.config, root=tmp_path / "sat")
        await satellite.start()
        try:
            assert await satellite.client.wait_connected(5)
            sat = server.satellite_manager.satellites[0]
            await wait_until(lambda: len(server.network.server.sessions[sat.mac].streams) == 3, 10, "audio sockets")
            music = server.plugin_manager.get("music")
            await music.rescan()
            assert (await music.play(sat.id)).title == "Tone"
            await asyncio.sleep(1.2)
            t = np.arange(int(16000 * 1.0)) / 16000
            speech = (12000 * np.sin(2 * np.pi * SPEECH_HZ * t)).astype("<i2").tobytes()
            assert await sat.play(speech) is True  # the assistant speaks for 1 s
            await asyncio.sleep(2.5)
            await music.stop(sat.id)
        finally:
            await satellite.stop()
    with wave.open(str(speaker), "rb") as wav:
        out = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)[:, 0].astype(np.float64)
    blocks = [out[i:i + 4800] for i in range(0, len(out) - 4800, 4800)]  # 100 ms each
    music_level = np.array([level(b, MUSIC_HZ) for b in blocks])
    speech_level = np.array([level(b, SPEECH_HZ) for b in blocks])
    talking = speech_level > 3000
    full = music_level[(~talking) & (music_level > 1000)]
    assert talking.sum() >= 6, "the speech was played"
    assert len(full) >= 10, "the music was played before and after the speech"
    ducked = music_level[talking][1:-1]  # whole blocks inside the speech
    assert np.median(ducked) < 0.35 * np.median(full)  # duck_gain 0.2 by default
    after = music_level[np.nonzero(talking)[0][-1] + 3:][:5]
    assert np.min(after) > 0.8 * np.median(full)  # and back after
