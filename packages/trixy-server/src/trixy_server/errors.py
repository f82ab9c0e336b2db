"""The exception hierarchy of trixy-server: every error says what to fix."""

from __future__ import annotations


class TrixyServerError(Exception):
    """Base class of every error raised by trixy-server."""


class InvalidMacError(TrixyServerError, ValueError):
    """A MAC address that is not six hexadecimal octets (or is all zeros / broadcast)."""


class RegistryError(TrixyServerError):
    """A satellite registration file cannot be read, written or is inconsistent."""


class AlreadyRegisteredError(RegistryError):
    """A satellite with this MAC address already has a registration file."""


class UnknownSatelliteError(TrixyServerError, KeyError):
    """No registered satellite matches the given MAC, id, alias or index."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown satellite"


class SelectorError(TrixyServerError, ValueError):
    """A satellite selector string is malformed or names an unknown field."""


class SatelliteNotConnectedError(TrixyServerError):
    """An operation needs a connected satellite (or one of its audio streams) but it is not connected."""


class NetworkConfigError(TrixyServerError, ValueError):
    """The `network` configuration section holds a value that cannot be used."""


class AudioFormatError(TrixyServerError, ValueError):
    """Audio handed to a satellite cannot be converted to the stream's format."""


class UpdatePushError(TrixyServerError):
    """A satellite declined or failed an update (the message is the satellite's reason); it keeps its old version."""


class SyncError(TrixyServerError):
    """A sync request from a standalone could not be served (bad path, unknown plugin, refused upload)."""
