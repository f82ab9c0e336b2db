"""Connection set-up on the command socket: hello, challenge-response, accepted/denied, goodbye.

Flow: satellite ``Hello`` -> server ``Challenge`` -> satellite ``ChallengeResponse`` -> server
``Accepted`` or ``Denied``.  An unregistered satellite (empty ``satellite_id``) is taken through
registration (see :mod:`.registration`) while the server is in registration mode, else denied.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ..registry import register_command


class DenialReason(enum.StrEnum):
    """Why the server refused a satellite (wire strings)."""

    UNKNOWN_SATELLITE = "unknown_satellite"
    """not registered and the server is not in registration mode"""
    BLACKLISTED = "blacklisted"
    """the satellite's MAC or id is on the blacklist"""
    INVALID_MAC = "invalid_mac"
    """the MAC address is malformed"""
    BAD_CREDENTIALS = "bad_credentials"
    """challenge response did not prove knowledge of the satellite's secret"""
    VERSION_MISMATCH = "version_mismatch"
    """client and server versions cannot work together"""
    ALREADY_CONNECTED = "already_connected"
    """a connection for this satellite id is already open"""
    REGISTRATION_FAILED = "registration_failed"
    """registration questions were not answered correctly or in time"""
    SERVER_BUSY = "server_busy"
    """the server cannot take more satellites right now"""


@register_command
@dataclass(slots=True)
class Hello:
    """satellite -> server: first frame on a command connection, announcing who connects."""

    mac: str
    """MAC address, lower-case colon-separated (aa:bb:cc:dd:ee:ff)"""
    satellite_id: str = ""
    """id given at registration ('' when not registered yet)"""
    room: str = ""
    """room the satellite believes it is in"""
    alias: str = ""
    """human-readable name"""
    version: str = ""
    """trixy client version"""
    hostname: str = ""
    """satellite host name"""
    platform: str = ""
    """OS / OS version string"""
    audio_ports: dict[str, int] = field(default_factory=dict)
    """audio ports from the satellite's config, keyed by AudioStream value (informational)"""
    capabilities: list[str] = field(default_factory=list)
    """feature names, e.g. 'wakeword', 'speaker_id', 'music', 'updates'"""
    extra: dict[str, Any] = field(default_factory=dict)
    """free-form additional facts (plain values only)"""
    x25519_public_key: bytes = b""
    """ephemeral X25519 public key (32 bytes) for the registration key exchange; b'' = none (secret sent in clear)"""


@register_command
@dataclass(slots=True)
class Challenge:
    """server -> satellite: prove you hold the satellite secret (HMAC over the nonce)."""

    nonce: bytes
    """random bytes (32) to sign"""
    algorithm: str = "hmac-sha256"
    """digest algorithm; see trixy_protocol.auth.challenge_digest"""


@register_command
@dataclass(slots=True)
class ChallengeResponse:
    """satellite -> server: HMAC proof; the secret itself never travels after registration."""

    satellite_id: str
    """id the digest is computed for"""
    digest: bytes
    """challenge_digest(secret, nonce, satellite_id)"""


@register_command
@dataclass(slots=True)
class Accepted:
    """server -> satellite: connection accepted; where to connect the audio streams."""

    satellite_id: str
    """the satellite's id (confirms or assigns it)"""
    audio_ports: dict[str, int] = field(default_factory=dict)
    """port per AudioStream value ('input', 'output', 'music')"""
    stream_tokens: dict[str, bytes] = field(default_factory=dict)
    """one-time token per AudioStream value, presented in StreamHello"""
    server_version: str = ""
    """server trixy version"""
    encrypted: bool = True
    """from now on both sides encrypt frames with the satellite's key"""
    keepalive_s: float = 10.0
    """interval of keep-alive/ping the server expects"""
    server_time_us: int = 0
    """server clock (µs since epoch, UTC) for the satellite's clock-offset estimate"""


@register_command
@dataclass(slots=True)
class Denied:
    """server -> satellite: connection refused; the server closes the socket after this."""

    reason: DenialReason
    """machine-readable reason"""
    message: str = ""
    """what to do about it, for logs"""
    retry_after_s: float | None = None
    """when retrying makes sense (None = only after a change by an operator)"""


@register_command
@dataclass(slots=True)
class Goodbye:
    """either side: orderly close with a reason (followed by TRXIBYE_ and closing the socket)."""

    reason: str = ""
    """why the connection ends (shutdown, reboot, blacklisted, ...)"""


@register_command
@dataclass(slots=True)
class Reconnect:
    """server -> satellite: close now and connect again after ``delay_s`` (e.g. server restart)."""

    delay_s: float = 5.0
    """seconds to wait before reconnecting"""
    reason: str = ""
    """why"""
