"""`SatelliteApp`: the satellite's parts wired together — microphone pump, player, client, recorder.

Registered in the core Application as `satellite` (start/stop follow the application's lifecycle). A wake-word
detector plugs in with `app.pump.add_consumer(detector.feed)` and reports with
`app.recorder.wake_word_detected(...)`; `app.trigger_wake_word()` does the same by hand. `app.last_wake_word` is the
latest reported wake word; it and the models in use travel to the server in every `SatelliteStatus`.
"""

from __future__ import annotations

import asyncio
import logging
import wave
from pathlib import Path
from typing import Any

from trixy_core.config import Config
from trixy_core.errors import TrixyError
from trixy_core.logging import debug_print
from trixy_core.shipped import resolve_data_path
from trixy_protocol import (
    AudioStream,
    ConfigRequest,
    ConfigUpdate,
    ErrorCommand,
    PlaybackFinished,
    Registered,
    SatelliteConfig,
)
from trixy_satellite.audio.format import SPEECH_FORMAT, AudioFormat
from trixy_satellite.audio.player import AudioPlayer
from trixy_satellite.audio.sinks import AudioSink, NullSink, open_sink
from trixy_satellite.audio.sources import AudioSource, open_source
from trixy_satellite.client import SatelliteClient
from trixy_satellite.config import ClientSettings, store_identity
from trixy_satellite.connection import LinkLost
from trixy_satellite.errors import AudioDeviceError
from trixy_satellite.listening import (
    TRAINER_RAW_DIR,
    DetectionKeeper,
    KeptDetection,
    SpeakerWindow,
    WakeListener,
    kept_detections,
    load_speaker_identifier,
    sort_detection,
)
from trixy_satellite.pump import MicrophonePump
from trixy_satellite.recorder import ConversationRecorder, LastWakeWord

logger = logging.getLogger(__name__)

PROTECTED_KEYS = frozenset({"satellite.id", "satellite.secret", "satellite.mac"})
"""Identity keys the server may not change over the wire."""


class SpeechRecording:
    """Writes every received speech byte into a WAV (config `audio.record_speech`), for debugging and tests."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._wav = wave.open(str(path), "wb")
        self._wav.setnchannels(SPEECH_FORMAT.channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SPEECH_FORMAT.sample_rate)
        self(b"")  # write the header now: the file is a valid (empty) WAV from the start

    def __call__(self, data: bytes) -> None:
        self._wav.writeframes(data)
        self._wav._file.flush()  # keep the file readable while the satellite runs

    def close(self) -> None:
        self._wav.close()


def model_label(model: Any) -> str:
    """"<file> (<technology>, trained <date>)" for a loaded model (anything with `path` and `metadata`); "" if none."""
    path = getattr(model, "path", None)
    if path is None:
        return ""
    meta = getattr(model, "metadata", None) or {}
    details = [str(meta[key]) for key in ("name", "version", "technology") if meta.get(key)]
    if meta.get("training_date"):
        details.append(f"trained {str(meta['training_date'])[:10]}")
    return f"{Path(path).name} ({', '.join(details)})" if details else Path(path).name


class SatelliteApp:
    """Owns the satellite's tasks; `start()` connects, `stop()` says goodbye and releases the audio devices."""

    def __init__(self, config: Config, *, source: AudioSource | None = None, sink: AudioSink | None = None,
                 root: Path | None = None, detector: Any = None) -> None:
        self.config = config
        self.settings = ClientSettings.from_config(config)
        audio = config.section("audio")
        root = root or Path.cwd()
        self.root = root
        if source is None:
            spec = audio["input"]
            if spec.lower().endswith(".wav") and not Path(spec).is_absolute():
                spec = str(root / spec)
            source = open_source(spec, chunk_ms=audio["chunk_ms"])
        if sink is None:
            sink = self._open_sink(audio["output"], AudioFormat(audio["output_rate"], audio["output_channels"]))
        self.source = source
        self.player = AudioPlayer(sink, duck_gain=audio["duck_gain"], music_mode=audio["music_mode"])
        self.speech_recording: SpeechRecording | None = None
        if audio["record_speech"]:
            path = Path(audio["record_speech"])
            self.speech_recording = SpeechRecording(path if path.is_absolute() else root / path)
        self.client = SatelliteClient(self.settings, player=self.player, on_registered=self._registered,
                                      speech_recorder=self.speech_recording)
        self.pump = MicrophonePump(source)
        self.recorder = ConversationRecorder(self.client)
        self.pump.add_consumer(self.recorder.feed)
        self.detector = detector if detector is not None else self._load_detector(config, root)
        self.listener: WakeListener | None = None
        self.speaker = SpeakerWindow(load_speaker_identifier(config.get("models.voice_recognition"), root))
        self.recorder.identify_speaker = self.speaker.identify
        self.detection_keeper: DetectionKeeper | None = None
        #: near misses from this wake score are reported (and kept with `detection_keeper`); 0: off
        self.near_miss_floor = float(audio["keep_near_misses"])
        if audio["keep_detections"]:
            folder = Path(audio["keep_detections"])
            self.detection_keeper = DetectionKeeper(folder if folder.is_absolute() else root / folder,
                                                    max_files=audio["keep_detections_max"],
                                                    near_miss_floor=self.near_miss_floor)
            logger.info("keeping the audio around each wake-word detection in %s%s", self.detection_keeper.folder,
                        f" (and near misses from score {audio['keep_near_misses']:.2f})" if audio["keep_near_misses"] else "")
        if self.detector is not None:
            self.listener = WakeListener(self.detector, self.recorder, speaker=self.speaker,
                                         connected=lambda: self.client.connected, keeper=self.detection_keeper,
                                         near_miss_floor=self.near_miss_floor)
            self.pump.add_consumer(self.listener.feed)
        else:
            self.pump.add_consumer(self.speaker.feed)
        self._tasks: list[asyncio.Task] = []
        self.client.connected_callbacks.append(
            lambda c: debug_print(f"connected to {c.settings.host}:{c.settings.port} as {c.satellite_id} "
                             f"(room {c.settings.room})"))
        self.client.disconnected_callbacks.append(lambda c, reason: debug_print(f"disconnected from the server: {reason}"))
        begin = getattr(source, "begin", None)
        if begin is not None:  # a WAV file as the microphone starts once the satellite is connected and listening
            self.client.connected_callbacks.append(lambda c: begin())
        self.player.on_speech_finished = self._speech_finished
        self.client.on(ConfigRequest, lambda _command: self.client.send(self.config_report()))
        self.client.on(ConfigUpdate, self._update_config)
        self.client.status_providers.append(self.status_fields)
        self.recorder.on_wake_word.append(self._wake_word_reported)

    @property
    def last_wake_word(self) -> LastWakeWord | None:
        """The latest wake word reported to the server (detected or triggered by hand); None = none yet."""
        return self.recorder.last_wake_word

    def trigger_wake_word(self, wake_word_name: str = "custom") -> bool:
        """Behave as if `wake_word_name` was heard (what the server's `TriggerWakeWord` does); False when the
        satellite is not connected or a conversation is running."""
        return self.recorder.trigger_wake_word(wake_word_name)

    @property
    def trainer_raw_dir(self) -> Path:
        """Where sorted detections go: this root's trainer folders for your own recordings."""
        return self.root / TRAINER_RAW_DIR

    def kept_detections(self) -> list[KeptDetection]:
        """The audio kept around detections (`audio.keep_detections`), newest first; empty when that is off."""
        return kept_detections(self.detection_keeper.folder) if self.detection_keeper is not None else []

    def sort_detection(self, path: str | Path, verdict: str) -> Path:
        """Move a kept detection into this root's trainer folders as "wake word" or "false accept"; returns the new
        path (`trixy_satellite.listening.sort_detection`; the model's first wake class goes to `custom/`)."""
        classes = getattr(getattr(self.detector, "model", None), "classes", None)
        first = str(classes[0]) if isinstance(classes, list | tuple) and classes else None
        return sort_detection(Path(path), verdict, self.trainer_raw_dir, first_class=first)

    def _wake_word_reported(self, _last: LastWakeWord) -> None:
        """Send the server a fresh status, so its TUI shows the new last wake word at once."""
        try:
            self.client.send(self.client.status())
        except LinkLost:
            pass

    def status_fields(self) -> dict[str, Any]:
        """The `SatelliteStatus` fields this app knows: models in use and the last wake word."""
        fields: dict[str, Any] = {"wakeword_model": model_label(getattr(self.detector, "model", None)),
                                  "voice_model": model_label(getattr(self, "speaker_identifier", None)
                                                             or self.speaker.identifier)}
        last = self.recorder.last_wake_word
        if last is not None:
            fields.update(last_wake_word_us=int(last.timestamp * 1_000_000), last_wake_word=last.wake_word_name,
                          last_speaker=last.speaker_name, extra={"last_wake_word": last.as_dict()})
        return fields

    def _speech_finished(self) -> None:
        """Tell the server the speech it sent has been played (the pipeline may then listen for an answer)."""
        if not self.client.connected:
            return
        try:
            self.client.send(PlaybackFinished(stream=AudioStream.OUTPUT, played_bytes=self.player.speech.played_bytes))
        except LinkLost:
            pass

    def config_report(self) -> SatelliteConfig:
        """The effective configuration for the server's TUI, without the secret."""
        values = self.config.as_dict()
        values.get("satellite", {}).pop("secret", None)
        return SatelliteConfig(values=values)

    def _update_config(self, command: ConfigUpdate) -> None:
        """Apply the server's config changes all-or-nothing, save, and answer with the new config (or an error)."""
        refused = [k for k in command.values if k in PROTECTED_KEYS]
        if refused:
            self.client.send(ErrorCommand(code="not_allowed", message=f"{', '.join(refused)} cannot be set remotely"))
            return
        before = {key: self.config.get(key, None) for key in command.values}
        try:
            for key, value in command.values.items():
                self.config.set(key, value)
        except TrixyError as exc:
            for key, value in before.items():
                if value is not None:
                    self.config.set(key, value)
            self.client.send(ErrorCommand(code="config_invalid", message=str(exc)))
            return
        self.config.save()
        logger.info("configuration changed by the server: %s", ", ".join(command.values))
        self.client.send(self.config_report())

    @staticmethod
    def _load_detector(config: Config, root: Path) -> Any:
        """The streaming wake-word detector for `models.wakeword` (a .onnx file or a folder holding one), or None."""
        path = resolve_data_path(root, config.get("models.wakeword"))  # <root>/models/..., else trixy-models'
        if path.is_dir():
            candidates = sorted(p for p in path.glob("*.onnx") if not p.name.endswith(".stream.onnx"))
            path = candidates[0] if candidates else path / "model.onnx"
        if not path.is_file():
            logger.info("no wake-word model at %s: the wake word can only be triggered by the server", path)
            return None
        try:
            from trixy_satellite.wakeword import WakewordDetector, WakewordError, load_wakeword_model
        except ImportError as exc:  # the detector package is optional for the connection side
            logger.warning("wake-word detection unavailable: %s", exc)
            return None
        try:
            detector = WakewordDetector(load_wakeword_model(path))
        except (WakewordError, OSError) as exc:
            logger.error("cannot load the wake-word model %s: %s", path, exc)
            return None
        logger.info("wake-word model %s loaded (classes %s)", path, ", ".join(detector.classes))
        return detector

    @staticmethod
    def _open_sink(spec: str, fmt: AudioFormat) -> AudioSink:
        try:
            return open_sink(spec, fmt)
        except AudioDeviceError as exc:
            logger.warning("no speaker (%s): audio from the server is counted and dropped", exc)
            return NullSink(fmt)

    def _registered(self, message: Registered) -> None:
        store_identity(self.config, message.satellite_id, bytes(message.secret), room=message.room,
                       alias=message.alias)
        logger.info("stored satellite id %s and its secret in %s", message.satellite_id, self.config.path)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.player.start()
        self._tasks = [loop.create_task(self.client.run(), name="trixy-client"),
                       loop.create_task(self.pump.run(), name="trixy-mic")]

    async def stop(self) -> None:
        await self.client.stop()
        self.pump.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.player.stop()
        if self.speech_recording is not None:
            self.speech_recording.close()
