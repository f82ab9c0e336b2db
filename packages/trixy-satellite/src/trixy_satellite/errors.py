"""The exception hierarchy of trixy-satellite: every error says what to fix."""

from __future__ import annotations


class SatelliteError(Exception):
    """Base class of every error raised by trixy-satellite."""


class ClientConfigError(SatelliteError, ValueError):
    """`client_config.json` is missing a value or holds one that cannot be used."""


class AudioDeviceError(SatelliteError):
    """The sound card (or the file/pipe standing in for it) cannot be opened or read."""


class AudioFormatError(SatelliteError, ValueError):
    """Audio is not in a format the satellite can convert (e.g. 24-bit WAV)."""


class ConnectionDenied(SatelliteError):
    """The server refused this satellite (not registered, blacklisted, wrong secret...)."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
