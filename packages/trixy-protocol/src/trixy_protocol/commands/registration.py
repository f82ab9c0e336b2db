"""Registration of an unknown satellite while the server is in registration mode.

Flow: when ``Hello.x25519_public_key`` is set the server first sends ``RegistrationKeyOffer`` (its own ephemeral
X25519 public key); then one ``RegistrationQuestion`` per field (room, alias, mac), the satellite answers each with
a ``RegistrationAnswer``; the server writes the registration file and sends ``Registered`` with the new id and the
per-satellite secret (the only time it travels), encrypted with the key both derive from the X25519 exchange.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field as dc_field

from ..registry import register_command


class RegistrationField(enum.StrEnum):
    """What the server asks for during registration."""

    ROOM = "room"
    ALIAS = "alias"
    MAC = "mac"


@register_command
@dataclass(slots=True)
class RegistrationQuestion:
    """server -> satellite: please tell me ``field``."""

    field: RegistrationField
    """which value is asked for"""
    prompt: str = ""
    """human-readable question (for a satellite that asks its user)"""
    default: str = ""
    """suggested answer (e.g. the room from Hello)"""
    choices: list[str] = dc_field(default_factory=list)
    """allowed answers, empty = free text"""


@register_command
@dataclass(slots=True)
class RegistrationAnswer:
    """satellite -> server: the answer to one RegistrationQuestion."""

    field: RegistrationField
    """which question this answers"""
    value: str
    """the answer"""


@register_command
@dataclass(slots=True)
class RegistrationKeyOffer:
    """server -> satellite: the server's half of the X25519 exchange; ``Registered`` comes encrypted with the result.

    Sent before the first RegistrationQuestion, only when Hello carried ``x25519_public_key``. Key for Registered:
    HKDF-SHA256(ikm=X25519 shared secret, salt=none, info=b"trixy registration key v1", length=32).
    """

    public_key: bytes
    """the server's ephemeral X25519 public key (32 raw bytes), fresh per registration"""


@register_command
@dataclass(slots=True)
class Registered:
    """server -> satellite: registration done; store id and secret in the satellite config."""

    satellite_id: str
    """id assigned by the server"""
    secret: bytes
    """32 random bytes: the satellite's secret (HMAC challenge key; frame key derived from it)"""
    room: str = ""
    """room as registered"""
    alias: str = ""
    """alias as registered"""
