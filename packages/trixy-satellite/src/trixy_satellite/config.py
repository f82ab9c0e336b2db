"""The satellite's config sections (`server`, `satellite`, `audio`, `models` in `config/client_config.json`).

They are registered in trixy-core's schema at import time; `ClientSettings` is the typed view the client uses.
The satellite's id and secret are written back into the `satellite` section after registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trixy_core.config import Config, ConfigField, ConfigSection, register_section
from trixy_satellite.errors import ClientConfigError

SERVER_SECTION = ConfigSection(
    "server",
    "Where the satellite's server is and how it keeps the connection.",
    (
        ConfigField("host", str, "127.0.0.1", "Server host name or address."),
        ConfigField("port", int, 2101, "Server command port.", minimum=1, maximum=65535),
        ConfigField("retry_interval_s", float, 5.0,
                    "First reconnect comes within this long after a failed or lost connection (jittered).",
                    minimum=0.05),
        ConfigField("retry_max_s", float, 60.0,
                    "Longest wait between reconnect attempts (the wait doubles per failure, with jitter).",
                    minimum=0.05),
        ConfigField("connect_timeout_s", float, 5.0, "Give up one connection attempt after this long.", minimum=0.05),
        ConfigField("keepalive_s", float, 10.0, "Send TRXINOOP when idle this long.", minimum=0.05),
        ConfigField("dead_after_s", float, 35.0, "Reconnect when the server is silent this long.", minimum=0.1),
        ConfigField("audio_send_buffer_s", float, 2.0,
                    "Microphone audio held while the network is slow before the oldest is dropped.", minimum=0.1),
    ),
    modes=("client",),
)

SATELLITE_SECTION = ConfigSection(
    "satellite",
    "Who this satellite is. `id` and `secret` are filled in by registration; keep this file private.",
    (
        ConfigField("room", str, "living room", "Room this satellite stands in."),
        ConfigField("alias", str, "", "Name of this satellite (default: the host name)."),
        ConfigField("mac", str, "", "MAC address to announce (default: this machine's)."),
        ConfigField("id", str, "", "Satellite id given by the server at registration."),
        ConfigField("secret", str, "", "Hex secret given by the server at registration (never sent again)."),
    ),
    modes=("client",),
)

AUDIO_DEVICE_FIELDS = (
    ConfigField("input", str, "device",
                "Microphone: 'device', 'device:<name|index>', a .wav file, '-' (raw 16 kHz s16le on stdin), "
                "or 'silence'."),
    ConfigField("output", str, "device", "Speaker: 'device', 'device:<name|index>', a .wav file, or 'null'."),
    ConfigField("output_rate", int, 48000, "Sample rate of the mixed speaker output.", minimum=8000),
    ConfigField("output_channels", int, 2, "Channels of the mixed speaker output.", minimum=1, maximum=2),
    ConfigField("chunk_ms", int, 20, "Microphone chunk length.", minimum=5, maximum=200),
    ConfigField("keep_detections", str, "",
                "Keep the audio around each wake-word detection as WAVs in this folder, to train on your own voices "
                "(empty: off; see docs/wakeword.md)."),
    ConfigField("keep_detections_max", int, 500, "Most detection WAVs kept (the oldest go first; as many near misses).",
                minimum=1),
    ConfigField("keep_near_misses", float, 0.6,
                "Near misses: a wake word scored at least this without firing. Reported in the log and debug output, "
                "and with keep_detections kept as WAVs too, to sort and train on (0: off).", minimum=0, maximum=0.99),
)
"""Microphone and speaker fields, shared by the client's `audio` section and the standalone's local satellite."""

AUDIO_SECTION = ConfigSection(
    "audio",
    "Microphone and speaker.",
    (
        *AUDIO_DEVICE_FIELDS,
        ConfigField("music_mode", str, "duck", "While speech plays or a conversation runs: duck or pause music.",
                    choices=("duck", "pause")),
        ConfigField("duck_gain", float, 0.2, "Music volume while ducked (0..1).", minimum=0, maximum=1),
        ConfigField("record_speech", str, "", "Also write every received speech byte into this WAV (debugging)."),
    ),
    modes=("client",),
)

MODELS_SECTION = ConfigSection(
    "models",
    "Wake-word and voice-recognition models (folders under models/).",
    (
        ConfigField("wakeword", str, "models/wakeword/trixy", "Wake-word model folder or file."),
        ConfigField("voice_recognition", str, "models/voice_recognition/default", "Speaker model folder or file."),
    ),
    modes=("client",),
)

for _section in (SERVER_SECTION, SATELLITE_SECTION, AUDIO_SECTION, MODELS_SECTION):
    register_section(_section)


@dataclass(slots=True)
class ClientSettings:
    """Everything the client connection needs, read from a `Config` (or built directly in tests)."""

    host: str = "127.0.0.1"
    port: int = 2101
    room: str = "living room"
    alias: str = ""
    mac: str = ""
    satellite_id: str = ""
    secret: bytes = b""
    retry_interval_s: float = 5.0
    retry_max_s: float = 60.0
    connect_timeout_s: float = 5.0
    keepalive_s: float = 10.0
    dead_after_s: float = 35.0
    audio_send_buffer_s: float = 2.0

    @classmethod
    def from_config(cls, config: Config) -> ClientSettings:
        """Read the `server` and `satellite` sections; a malformed secret is a ClientConfigError."""
        server: dict[str, Any] = config.section("server")
        sat: dict[str, Any] = config.section("satellite")
        try:
            secret = bytes.fromhex(sat.get("secret") or "")
        except ValueError:
            raise ClientConfigError(
                f"{config.path}: satellite.secret is not hex; clear satellite.id and satellite.secret and register "
                "the satellite again"
            ) from None
        return cls(
            host=server["host"], port=server["port"], room=sat["room"], alias=sat["alias"], mac=sat["mac"],
            satellite_id=sat["id"], secret=secret, retry_interval_s=server["retry_interval_s"],
            retry_max_s=server.get("retry_max_s", 60.0),
            connect_timeout_s=server["connect_timeout_s"], keepalive_s=server["keepalive_s"],
            dead_after_s=server["dead_after_s"], audio_send_buffer_s=server["audio_send_buffer_s"],
        )


def store_identity(config: Config, satellite_id: str, secret: bytes, *, room: str = "", alias: str = "") -> None:
    """Write id and secret (and the room/alias the server registered) into the config file."""
    config.set("satellite.id", satellite_id)
    config.set("satellite.secret", secret.hex())
    if room:
        config.set("satellite.room", room)
    if alias:
        config.set("satellite.alias", alias)
    config.save()
    try:
        config.path.chmod(0o600)
    except OSError:
        pass
