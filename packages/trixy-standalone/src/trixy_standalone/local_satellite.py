"""`LocalSatellite`: the standalone's own microphone and speaker as a real trixy-satellite `SatelliteApp`,
connected to the built-in server over loopback — so wake word, speaker id, recording, arbitration and TTS playback
are exactly the server's and the satellite's code, not a copy.

It registers itself on the built-in server at build time (no registration dialogue needed) and connects once the
server's sockets are bound (port 0 = any free port).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_core.config import Config
from trixy_satellite.app import SatelliteApp
from trixy_satellite.audio.sources import open_source
from trixy_satellite.updates.wiring import load_detector, set_live_detector, set_live_speaker, speaker_file

logger = logging.getLogger(__name__)


def client_config_for(app: TrixyApplication, record: Any, *, input_spec: str | None = None) -> Config:
    """A client-mode Config (in memory) for the local satellite, from the `standalone` section."""
    import trixy_satellite.config  # noqa: F401 - the client sections must exist

    s = app.config.section("standalone")
    if record is None:  # registered when the server starts (events need the running loop)
        record = _Unregistered(s["room"], s["alias"], s["local_mac"])
    data = {
        "general": {"profile": app.config.get("general.profile"), "name": app.config.get("general.name")},
        "server": {"host": "127.0.0.1", "port": 2101, "retry_interval_s": 1.0, "retry_max_s": 2.0,
                   "connect_timeout_s": 5.0},  # the server is in this process: no long back-off
        "satellite": {"room": record.room, "alias": record.alias, "mac": record.mac, "id": record.id,
                      "secret": record.secret},
        "audio": {"input": input_spec or s["input"], "output": s["output"], "output_rate": s["output_rate"],
                  "output_channels": s["output_channels"], "chunk_ms": s["chunk_ms"],
                  "keep_detections": s["keep_detections"], "keep_detections_max": s["keep_detections_max"],
                  "keep_near_misses": s["keep_near_misses"]},
        "models": {"wakeword": s["wakeword_model"], "voice_recognition": s["voice_model"]},
    }
    path = app.config.path.with_name(f".{app.config.path.stem}.local_satellite.json")
    return Config(path, "client", data)


class _Unregistered:
    def __init__(self, room: str, alias: str, mac: str) -> None:
        self.room, self.alias, self.mac, self.id, self.secret = room, alias, mac, "", ""


class LocalSatellite:
    """Application component `satellite` of the standalone."""

    def __init__(self, app: TrixyApplication, network: Any, *, input_wav: str | None = None, source: Any = None,
                 sink: Any = None, detector: Any = None) -> None:
        s = app.config.section("standalone")
        satellite = network.manager.find(s["local_mac"])
        self.record = satellite.record if satellite is not None else None
        self.section = s
        self.network = network
        self.root = Path(app.root)
        self.config = client_config_for(app, self.record)
        if source is None and input_wav:
            source = open_source(input_wav, chunk_ms=s["chunk_ms"])
        self.app = SatelliteApp(self.config, source=source, sink=sink, root=self.root, detector=detector)

    @classmethod
    def from_application(cls, app: TrixyApplication, network: Any, **kwargs: Any) -> LocalSatellite:
        """Build and register as the `satellite` component (after the network, so it starts after it)."""
        local = cls(app, network, **kwargs)
        app.register("satellite", local)
        return local

    @property
    def client(self) -> Any:
        return self.app.client

    async def start(self) -> None:
        """Register on the built-in server (first start only) and connect to its real port."""
        settings = self.app.settings
        if self.record is None:
            s = self.section
            self.record = self.network.manager.register(s["local_mac"], s["room"], s["alias"]).record
            settings.satellite_id, settings.secret = self.record.id, self.record.secret_bytes
        settings.port = self.network.ports["command"]
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()

    def _folder(self, spec: str) -> Path:
        path = Path(spec)
        path = path if path.is_absolute() else self.root / path
        return (path.parent if path.suffix else path).resolve()

    def files_pulled(self, area: str, paths: list[Path]) -> None:
        """After sync pulled models into our model folders: reload them live (no restart)."""
        if area != "models":
            return
        folders = {p.parent.resolve() for p in paths}
        wakeword = self._folder(self.config.get("models.wakeword"))
        voice = self._folder(self.config.get("models.voice_recognition"))
        if wakeword in folders:
            set_live_detector(self.app, load_detector(wakeword))
        if voice in folders:
            from trixy_satellite.speaker import SpeakerIdentifier

            set_live_speaker(self.app, SpeakerIdentifier(speaker_file(voice)))
