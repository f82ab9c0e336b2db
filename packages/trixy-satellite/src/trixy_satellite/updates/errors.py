"""Errors of the satellite's update installer (all subclasses of `SatelliteError`)."""

from __future__ import annotations

from trixy_satellite.errors import SatelliteError


class UpdateError(SatelliteError):
    """An update could not be received, verified or installed; the old version stays in use."""


class UnsafeArchiveError(UpdateError):
    """An archive holds a member that would land outside the target folder (.., absolute path, link, device)."""


class ChecksumMismatchError(UpdateError):
    """The received file's size or SHA-256 differs from the offer: it was corrupted on the way."""
