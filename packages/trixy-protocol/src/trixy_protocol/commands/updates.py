"""Updates pushed by the server: models, scripts, assets, plugins; and reboot.

Flow: ``UpdateOffer`` -> satellite ``UpdateResponse`` -> ``UpdateChunk`` x N (in order) ->
satellite checks size + SHA-256, installs, answers ``UpdateResult``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..registry import register_command


class UpdateKind(enum.StrEnum):
    """What an update replaces on the satellite."""

    WAKEWORD_MODEL = "wakeword_model"
    VOICE_MODEL = "voice_model"
    SCRIPTS = "scripts"
    ASSETS = "assets"
    PLUGINS = "plugins"
    CONFIG = "config"


@register_command
@dataclass(slots=True)
class UpdateOffer:
    """server -> satellite: an update of ``size`` bytes is available."""

    update_id: str
    """id echoed in every later update command"""
    kind: UpdateKind
    """what it replaces"""
    filename: str
    """file name to store it as (no directories)"""
    size: int
    """total bytes"""
    sha256: bytes
    """SHA-256 of the whole file, checked before installing"""
    version: str = ""
    """version of the offered artefact"""
    chunk_size: int = 256 * 1024
    """bytes per UpdateChunk (the last one may be shorter)"""
    profile: str = ""
    """asset profile for ASSETS ('' = default)"""


@register_command
@dataclass(slots=True)
class UpdateResponse:
    """satellite -> server: accept or decline an offer."""

    update_id: str
    """offer answered"""
    accepted: bool
    """True: send the chunks"""
    reason: str = ""
    """why declined"""


@register_command
@dataclass(slots=True)
class UpdateChunk:
    """server -> satellite: one slice of the update file."""

    update_id: str
    """offer this belongs to"""
    index: int
    """0-based chunk number"""
    offset: int
    """byte offset of ``data`` in the file"""
    data: bytes
    """the bytes"""
    last: bool = False
    """True on the final chunk"""


@register_command
@dataclass(slots=True)
class UpdateResult:
    """satellite -> server: update installed or failed."""

    update_id: str
    """offer this reports on"""
    success: bool
    """True when verified and installed"""
    message: str = ""
    """details / error text"""
    restart_required: bool = False
    """the satellite restarts its process to apply it"""


@register_command
@dataclass(slots=True)
class Reboot:
    """server -> satellite: reboot the satellite device (TUI button)."""

    delay_s: float = 0.0
    """seconds to wait first"""
    reason: str = ""
    """why (for logs)"""
