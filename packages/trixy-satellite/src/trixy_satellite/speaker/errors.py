"""Errors of satellite speaker identification."""

from __future__ import annotations

from trixy_satellite.errors import SatelliteError


class SpeakerModelError(SatelliteError):
    """The speaker model or the audio given to it cannot be used; the message says what to fix."""
