"""The README demo: the spec's pizza conversation, spoken by espeak-ng, through the whole assistant on loopback.

`python3 main.py standalone --debug --demo` -> `run_demo(args)`: a server application (the shipped plugins,
conversations, the network on 127.0.0.1 port 0, the voice pipeline) and two in-process satellites ("kitchen" hears
the user loudly, "living room" quietly) whose microphones are fed with WAVs that espeak-ng makes at run time in a
temp folder. Every step is shown; exit status 0 when the order was placed, 1 otherwise.

`LoopbackAssistant` is the composition used by the demo, `benchmarks/pipeline_bench.py` and the end-to-end tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import subprocess
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trixy_core.application_protocol import TrixyApplication
from trixy_core.logging import debug_print

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[4]
"""The checkout holding plugins/ and models/ (the demo runs from its sources)."""


WAKE_WORD_SPELLING = "Trixie"
"""espeak-ng reads "Trixy" as "try-xy"; "Trixie" is how the wake-word corpus spells it (docs/wakeword.md)."""


def espeak_wav(text: str, path: Path, *, voice: str = "en-us", speed: int = 165) -> Path:
    """Speak `text` with espeak-ng into a 16 kHz mono WAV (resampled here with numpy; no sox needed)."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed: sudo apt-get install espeak-ng")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], capture_output=True,
                   check=True)
    with wave.open(str(path), "rb") as wav:
        rate, data = wav.getframerate(), np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if rate != 16000:
        positions = np.arange(int(len(data) * 16000 / rate)) * rate / 16000
        data = np.interp(positions, np.arange(len(data)), data.astype(np.float64)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(data.tobytes())
    return path


def wav_pcm(path: Path, *, trim: bool = True) -> bytes:
    """The PCM frames of a 16 kHz mono WAV, without espeak-ng's leading/trailing digital silence."""
    with wave.open(str(path), "rb") as wav:
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if trim:
        loud = np.nonzero(np.abs(data) > 300)[0]
        if loud.size:
            data = data[max(0, loud[0] - 800): loud[-1] + 800]
    return data.tobytes()


def silence(seconds: float) -> bytes:
    """Digital silence (the satellite's microphone source adds its own room noise between pushes)."""
    return b"\x00\x00" * int(16000 * seconds)


@dataclass(slots=True)
class LoopbackSatellite:
    """One in-process satellite: its app, its microphone (a PushSource) and the speech it received."""

    name: str
    app: TrixyApplication
    microphone: Any
    satellite_id: str
    speech_bytes: int = 0
    speech_chunks: list[tuple[float, int]] = field(default_factory=list)
    """(perf_counter time, bytes) of every piece of speech that arrived."""

    def heard_speech(self, data: bytes) -> None:
        self.speech_bytes += len(data)
        self.speech_chunks.append((time.perf_counter(), len(data)))


class LoopbackAssistant:
    """Server application + network + pipeline + satellites, all on 127.0.0.1 in this process."""

    def __init__(self, root: Path, *, repo: Path = REPO_ROOT, settings: Any = None, mic_speed: float = 1.0,
                 overrides: dict[str, Any] | None = None, debug: bool = False, use_models: bool = True) -> None:
        import trixy_satellite.config  # noqa: F401 - client config sections
        import trixy_server.config  # network config section
        import trixy_server.pipeline.config  # noqa: F401 - pipeline config section
        from trixy_core.application import create_application

        self.root, self.repo, self.mic_speed, self.use_models = Path(root), Path(repo), mic_speed, use_models
        values = {"paths.plugins": str(self.repo / "plugins"), "paths.models": str(self.repo / "models"),
                  "network.bind_address": "127.0.0.1", "network.command_port": 0, "network.audio_input_port": 0,
                  "network.audio_output_port": 0, "network.music_port": 0, "network.encryption": True,
                  "scheduler.enabled": False, **(overrides or {})}
        self.app = create_application("standalone", root=self.root, overrides=values, debug=debug,
                                      setup_logging=False)
        self.settings = settings
        self.satellites: dict[str, LoopbackSatellite] = {}
        self.events: list[tuple[float, str, Any]] = []
        self.detections: list[tuple[str, Any]] = []
        """(satellite id, WakeWordDetected) as the server received them."""
        self.network: Any = None
        self.pipeline: Any = None

    @property
    def wakeword_model(self) -> Path | None:
        """The shipped wake-word model (models/wakeword/trixy/*.onnx), or None."""
        found = sorted(p for p in (self.repo / "models" / "wakeword" / "trixy").glob("*.onnx")
                       if not p.name.endswith(".stream.onnx"))
        return found[0] if found and self.use_models else None

    async def start(self) -> None:
        """Build and start the server side (plugins load here: the STT grammar is compiled)."""
        from trixy_protocol import WakeWordDetected
        from trixy_server.component import SatelliteNetwork
        from trixy_server.pipeline import VoicePipeline

        self.network = SatelliteNetwork.from_application(self.app)
        self.network.server.add_command_handler(WakeWordDetected,
                                                lambda sat, command: self.detections.append((sat.id, command)))
        self.pipeline = VoicePipeline.from_application(self.app, self.settings)
        self.app.event_handler.subscribe("*", self._record, threaded=False, priority=10_000, owner="loopback")
        await self.app.start()

    def _record(self, event_name: str, data: Any) -> None:
        self.events.append((time.perf_counter(), event_name, data))

    def of(self, event_name: str) -> list[Any]:
        """Data of every recorded event with this name, oldest first."""
        return [data for _, name, data in self.events if name == event_name]

    async def add_satellite(self, name: str, room: str, mac: str) -> LoopbackSatellite:
        """Register and start a satellite whose microphone is a PushSource; waits until it is connected."""
        from trixy_core.config import Config
        from trixy_satellite.app import SatelliteApp
        from trixy_satellite.audio.format import SPEECH_FORMAT
        from trixy_satellite.audio.sinks import NullSink
        from trixy_satellite.listening import PushSource

        record = self.network.manager.register(mac, room, name).record
        missing = self.root / "no-model"
        config = Config.load(self.root / f"client_{name}.json", "client", overrides={
            "server.host": "127.0.0.1", "server.port": self.network.ports["command"], "server.retry_interval_s": 0.2,
            "satellite.mac": record.mac, "satellite.id": record.id, "satellite.secret": record.secret,
            "satellite.room": room, "satellite.alias": name, "audio.output": "null",
            "models.wakeword": str(self.wakeword_model or missing),
            "models.voice_recognition": str(self.repo / "models" / "voice_recognition" / "default"
                                            if self.use_models else missing)})
        microphone = PushSource(speed=self.mic_speed, seed=len(self.satellites))
        app = SatelliteApp(config, source=microphone, sink=NullSink(SPEECH_FORMAT), root=self.repo)
        satellite = LoopbackSatellite(name, app, microphone, record.id)
        app.client.speech_recorder = satellite.heard_speech
        self.satellites[name] = satellite
        await app.start()
        await self.wait_until(lambda: self.network.manager.get(record.id).connected, 10, f"{name} to connect")
        return satellite

    async def wait_until(self, condition: Any, within_s: float, what: str) -> None:
        """Poll `condition()` every 20 ms; TimeoutError naming `what` after `within_s`."""
        deadline = time.monotonic() + within_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {within_s:g} s waiting for {what}")
            await asyncio.sleep(0.02)

    def trigger_wake_word(self, names: list[str]) -> None:
        """Without a wake-word model: the server asks these satellites to act as if they had detected it."""
        from trixy_protocol import TriggerWakeWord

        for name in names:
            self.network.manager.get(self.satellites[name].satellite_id).send(TriggerWakeWord(wake_word_name="trixy"))

    async def stop(self) -> None:
        """Stop the satellites, then the server application."""
        for satellite in self.satellites.values():
            await satellite.app.stop()
        await self.app.stop()


async def say_wake_word(assistant: LoopbackAssistant, wake: bytes, gains: dict[str, float], show: Any) -> list[str]:
    """Play the wake word into the satellites' microphones; returns the satellites whose model detected it.

    The others (no model, or the model did not fire on this audio) get the wake word triggered by the server
    (TriggerWakeWord) at once, while the arbitration round is still open; each still measures the loudness of the
    audio it heard, so the arbitration runs on real levels. The output says which path each satellite took.
    """
    model = assistant.wakeword_model
    detectors = [getattr(assistant.satellites[n].app, "detector", None) for n in gains]
    await assistant.wait_until(lambda: all(d is None or d.warmed_up for d in detectors), 10,
                               "the detectors to hear a whole window of room sound")  # ~2 s after they start
    for name, gain in gains.items():
        assistant.satellites[name].microphone.push(wake, gain)
    await assistant.wait_until(lambda: all(assistant.satellites[n].microphone.pending_s < 0.01 for n in gains), 10,
                               "the wake word to be played")
    await asyncio.sleep(1.0)  # the detector decides within about 0.7 s of the word's end (320 ms blocks, smoothing)
    detected = {satellite_id for satellite_id, _ in assistant.detections}
    by_model = [n for n in gains if assistant.satellites[n].satellite_id in detected]
    missing = [n for n in gains if n not in by_model]
    if by_model:
        show(f"wake word detected by the model {model} on: {', '.join(by_model)}")
    if missing:
        why = "no wake-word model in models/wakeword/trixy" if model is None else (
            f"the wake-word model did not fire on this espeak-ng audio in: {', '.join(missing)}")
        show(f"{why}; the server triggers the wake word there (TriggerWakeWord), each satellite measuring the "
             "loudness of what it heard")
        assistant.trigger_wake_word(missing)
    return by_model


async def pizza_conversation(assistant: LoopbackAssistant, workdir: Path, *, loud: str = "kitchen",
                             quiet: str = "living room", quiet_gain: float = 0.3, show: Any = None) -> dict[str, Any]:
    """Say "Trixy (spelt Trixie for espeak-ng), please order a pizza" to both satellites, answer "a spicy one"; returns the order written."""
    show = show or (lambda _text: None)
    wake = wav_pcm(espeak_wav(WAKE_WORD_SPELLING, workdir / "trixy.wav"))
    command = wav_pcm(espeak_wav("please order a pizza", workdir / "order.wav"), trim=False)
    answer = wav_pcm(espeak_wav("a spicy one", workdir / "answer.wav"), trim=False)
    show(f"espeak-ng made {workdir}/trixy.wav, order.wav, answer.wav")
    louder, quieter = assistant.satellites[loud], assistant.satellites[quiet]
    await say_wake_word(assistant, wake, {loud: 1.0, quiet: quiet_gain}, show)
    for sat, gain in ((louder, 1.0), (quieter, quiet_gain)):
        sat.microphone.push(silence(0.25) + command + silence(0.2), gain)
    await assistant.wait_until(lambda: any(d.expect_answer for d in assistant.of("tts received")), 60,
                               "the question (tts received)")
    await assistant.wait_until(lambda: louder.app.recorder.state == "streaming" and louder.app.recorder.turn >= 1,
                               30, "the satellite to listen for the answer")
    show(f"{loud} listens again without a wake word (turn {louder.app.recorder.turn})")
    louder.microphone.push(silence(0.3) + answer + silence(0.2))
    await assistant.wait_until(lambda: assistant.of("conversation ended"), 60, "the end of the conversation")
    spoken = sum(len(d.pcm) for d in assistant.of("tts received") if d.satellite_id == louder.satellite_id)
    await assistant.wait_until(lambda: louder.speech_bytes >= spoken, 15, "the last answer to reach the satellite")
    orders = assistant.root / "data" / "pizza_orders.jsonl"
    lines = orders.read_text().splitlines() if orders.exists() else []
    return json.loads(lines[-1]) if lines else {}


async def _demo(args: argparse.Namespace, workdir: Path) -> int:
    from trixy_core.logging import set_debug
    from trixy_server.pipeline import PipelineSettings, describe_event

    set_debug(bool(getattr(args, "debug", False)))
    show = debug_print
    overrides = {}
    for item in getattr(args, "overrides", None) or []:
        key, _, value = item.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    settings = PipelineSettings(silence_s=1.5)
    assistant = LoopbackAssistant(workdir / "root", settings=settings, overrides=overrides,
                                  debug=getattr(args, "debug", False))
    started = time.monotonic()
    await assistant.start()
    try:
        if not assistant.app.debug:  # in --debug the pipeline prints these lines itself
            assistant.app.event_handler.subscribe(
                "*", lambda name, data: (line := describe_event(name, data)) and show(f"[{name}] {line}"),
                threaded=False, priority=9_000, owner="demo")
        show(f"server on 127.0.0.1:{assistant.network.ports['command']}, plugins: "
             f"{', '.join(assistant.app.plugin_manager.names)}")
        await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:de:00:01")
        await assistant.add_satellite("living room", "Living room", "aa:bb:cc:de:00:02")
        show("two satellites connected: kitchen hears the user loudly, living room quietly")
        order = await pizza_conversation(assistant, workdir, show=show)
    finally:
        await assistant.stop()
    for satellite in assistant.satellites.values():
        show(f"speech received by {satellite.name}: {satellite.speech_bytes} bytes")
    if order.get("kind"):
        show(f"order placed: {order['kind']} pizza (conversation {order['conversation_id']}) in "
             f"{time.monotonic() - started:.1f} s")
        return 0
    show("no order was placed")
    return 1


def run_demo(args: argparse.Namespace) -> int:
    """Run the pizza conversation end to end; 0 when the order was placed, 1 when not, 2 when it cannot run."""
    with tempfile.TemporaryDirectory(prefix="trixy-demo-") as tmp:
        try:
            return asyncio.run(_demo(args, Path(tmp)))
        except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
            debug_print(f"demo failed: {exc}")
            return 1 if isinstance(exc, TimeoutError) else 2
