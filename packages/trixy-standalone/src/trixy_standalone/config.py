"""The standalone's own config sections in `config/standalone_config.json`: `standalone` (the local satellite:
microphone, speaker, models) and `sync` (the server it syncs with every `interval_s`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trixy_core.config import ConfigField, ConfigSection, register_section
from trixy_satellite.config import AUDIO_DEVICE_FIELDS

STANDALONE_SECTION = ConfigSection(
    "standalone",
    "The local satellite of the standalone: microphone, speaker, wake-word and speaker models.",
    (
        *AUDIO_DEVICE_FIELDS,
        ConfigField("wakeword_model", str, "models/wakeword/trixy", "Wake-word model folder or .onnx file."),
        ConfigField("voice_model", str, "models/voice_recognition/default", "Speaker model folder or .onnx file."),
        ConfigField("room", str, "living room", "Room of the local satellite."),
        ConfigField("alias", str, "standalone", "Name of the local satellite."),
        ConfigField("local_mac", str, "02:74:72:78:79:01",
                    "MAC the local satellite registers with on the built-in server (a locally administered one)."),
        ConfigField("serve_satellites", bool, False,
                    "Also serve other satellites on the `network` ports; false: loopback only, free ports."),
    ),
    modes=("standalone",),
)

SYNC_SECTION = ConfigSection(
    "sync",
    "Syncing with a Trixy server: models, assets and plugin data. The server is optional.",
    (
        ConfigField("enabled", bool, True, "Try to reach the server at all."),
        ConfigField("host", str, "127.0.0.1", "The server's host name or address."),
        ConfigField("port", int, 2101, "The server's command port.", minimum=1, maximum=65535),
        ConfigField("interval_s", float, 30.0, "Try to reach the server, and sync while connected, this often.",
                    minimum=0.05),
        ConfigField("connect_timeout_s", float, 5.0, "Give up one connection attempt after this long.", minimum=0.05),
        ConfigField("reply_timeout_s", float, 30.0, "Wait for the server's answer to one sync request.", minimum=0.1),
        ConfigField("models", str, "both", "Newer ML models flow: both, pull (server -> here), push, off.",
                    choices=("both", "pull", "push", "off")),
        ConfigField("assets", str, "pull", "Assets (default + our profile) flow: both, pull, push, off.",
                    choices=("both", "pull", "push", "off")),
        ConfigField("plugins", bool, True, "Sync the data of plugins that declare it (notes, address book...)."),
        ConfigField("music", str, "pull", "Mirror the server's music library here (by content): pull or off.",
                    choices=("pull", "off")),
        ConfigField("music_folders", list, [], "Only these folders of the server's library (empty: all of it)."),
        ConfigField("max_kbytes_per_s", int, 0, "Bandwidth cap for sync transfers in kB/s (0: none).", minimum=0),
        ConfigField("chunk_bytes", int, 1024 * 1024, "Bytes per file slice.", minimum=1024,
                    maximum=4 * 1024 * 1024 - 4096),
        ConfigField("room", str, "standalone", "Room announced to the server at registration."),
        ConfigField("alias", str, "", "Name announced to the server (default: the host name)."),
        ConfigField("mac", str, "", "MAC announced to the server (default: this machine's)."),
        ConfigField("id", str, "", "Id given by the server at registration (written automatically)."),
        ConfigField("secret", str, "", "Secret given by the server at registration (written automatically)."),
    ),
    modes=("standalone",),
)

for _section in (STANDALONE_SECTION, SYNC_SECTION):
    register_section(_section)


@dataclass(slots=True)
class SyncSettings:
    """Typed `sync` section."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 2101
    interval_s: float = 30.0
    connect_timeout_s: float = 5.0
    reply_timeout_s: float = 30.0
    models: str = "both"
    assets: str = "pull"
    plugins: bool = True
    music: str = "pull"
    music_folders: list[str] = field(default_factory=list)
    max_kbytes_per_s: int = 0
    chunk_bytes: int = 1024 * 1024
    room: str = "standalone"
    alias: str = ""
    mac: str = ""
    id: str = ""
    secret: str = ""

    @classmethod
    def from_config(cls, config: Any) -> SyncSettings:
        """Read the `sync` section."""
        section = config.section("sync")
        return cls(**{k: v for k, v in section.items() if k in cls.__dataclass_fields__})
