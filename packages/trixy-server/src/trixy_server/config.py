"""The server's `network` config section (registered in trixy-core's schema) and its typed view."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from trixy_core.config import ConfigField, ConfigSection, register_section
from trixy_server.errors import NetworkConfigError

NETWORK_SECTION = ConfigSection(
    "network",
    "Sockets of the server, registration mode, blacklist, keep-alive and limits.",
    (
        ConfigField("bind_address", str, "0.0.0.0", "Address all four sockets listen on."),
        ConfigField("command_port", int, 2101, "Command socket (TRXI frames); 0 = any free port.", minimum=0, maximum=65535),
        ConfigField("audio_input_port", int, 2102, "Raw microphone audio from satellites, 16 kHz mono s16le.", minimum=0,
                    maximum=65535),
        ConfigField("audio_output_port", int, 2103, "Speech (TTS) audio to satellites, 16 kHz mono s16le.", minimum=0,
                    maximum=65535),
        ConfigField("music_port", int, 2104, "Music to satellites, 48 kHz stereo s16le.", minimum=0, maximum=65535),
        ConfigField("satellites_folder", str, "state/satellites",
                    "Registration files (<mac>.json, 0600: they hold keys), relative to Trixy's root folder; runtime "
                    "state, git-ignored. Files found in the old config/satellites are moved here at start."),
        ConfigField("registration_window_s", float, 60.0, "How long registration mode stays on.", minimum=1),
        ConfigField("registration_on_start", bool, False,
                    "Enter registration mode when the server starts (first-time setup of a headless server)."),
        ConfigField("registration_answer_timeout_s", float, 30.0, "Wait for each registration answer.", minimum=0.1),
        ConfigField("blacklist", list, [], "Blocked MAC addresses (refused, and dropped at once when connected)."),
        ConfigField("encryption", bool, True, "Encrypt every command frame of an accepted satellite (AES-256-GCM)."),
        ConfigField("ping_interval_s", float, 10.0, "TRXIPING every this many seconds; the RTT feeds the TUI.",
                    minimum=0.05),
        ConfigField("dead_after_s", float, 35.0, "A satellite silent this long is considered dead and dropped.",
                    minimum=0.1),
        ConfigField("handshake_timeout_s", float, 10.0, "Hello/challenge (and audio-socket hello) must finish within.",
                    minimum=0.1),
        ConfigField("write_timeout_s", float, 5.0, "A satellite that takes no data for this long is dropped.",
                    minimum=0.05),
        ConfigField("send_queue_frames", int, 256, "Frames queued per satellite before it counts as stuck.",
                    minimum=4),
        ConfigField("max_frame_bytes", int, 4 * 1024 * 1024, "Largest frame payload accepted after the handshake.",
                    minimum=1024),
        ConfigField("stream_token_ttl_s", float, 30.0, "How long the audio-socket tokens of an accept stay valid.",
                    minimum=0.1),
        ConfigField("max_pending_connections", int, 256,
                    "Sockets (all ports) that have not logged in yet, in total; more are refused.", minimum=1),
        ConfigField("max_pending_per_address", int, 32,
                    "Sockets from one address that have not logged in yet; more are refused.", minimum=1),
        ConfigField("max_satellites", int, 2000,
                    "Accepted satellites (each with its command and three audio sockets); more are denied as busy.",
                    minimum=1),
        ConfigField("audio_lead_s", float, 1.0, "How far ahead of real time speech/music is sent to a satellite.",
                    minimum=0.05),
    ),
    modes=("server", "standalone"),
)

register_section(NETWORK_SECTION)


@dataclass(slots=True)
class NetworkConfig:
    """Typed copy of the `network` section (defaults are the schema's)."""

    bind_address: str = "0.0.0.0"
    command_port: int = 2101
    audio_input_port: int = 2102
    audio_output_port: int = 2103
    music_port: int = 2104
    satellites_folder: str = "state/satellites"
    registration_window_s: float = 60.0
    registration_answer_timeout_s: float = 30.0
    blacklist: list[str] = field(default_factory=list)
    encryption: bool = True
    ping_interval_s: float = 10.0
    dead_after_s: float = 35.0
    handshake_timeout_s: float = 10.0
    write_timeout_s: float = 5.0
    send_queue_frames: int = 256
    max_frame_bytes: int = 4 * 1024 * 1024
    stream_token_ttl_s: float = 30.0
    max_pending_connections: int = 256
    max_pending_per_address: int = 32
    max_satellites: int = 2000
    audio_lead_s: float = 1.0

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> NetworkConfig:
        """Build from a config section dict; unknown keys are ignored, wrong types raise NetworkConfigError."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in values.items() if k in known}
        for key, value in kwargs.items():
            spec = NETWORK_SECTION.field_named(key)
            problem = spec.check(value) if spec else None
            if problem:
                raise NetworkConfigError(f"network.{key} {problem}")
        return cls(**kwargs)
