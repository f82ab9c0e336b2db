"""Speaker identification for satellites (numpy + onnxruntime): who said the wake word."""

from trixy_satellite.speaker.errors import SpeakerModelError
from trixy_satellite.speaker.identifier import UNKNOWN_ID, UNKNOWN_NAME, SpeakerIdentifier, SpeakerMatch

__all__ = ["UNKNOWN_ID", "UNKNOWN_NAME", "SpeakerIdentifier", "SpeakerMatch", "SpeakerModelError"]
