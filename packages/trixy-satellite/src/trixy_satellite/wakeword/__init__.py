"""Wake-word inference on the satellite: numpy + onnxruntime only (no torch)."""

from trixy_satellite.wakeword.detector import DetectorSettings, WakewordDetection, WakewordDetector
from trixy_satellite.wakeword.errors import WakewordError, WakewordModelError
from trixy_satellite.wakeword.model import WakewordModel, load_wakeword_model
from trixy_satellite.wakeword.near_miss import NearMissTracker, WakewordNearMiss

__all__ = [
    "DetectorSettings",
    "WakewordDetection",
    "WakewordDetector",
    "WakewordError",
    "WakewordModel",
    "WakewordModelError",
    "WakewordNearMiss",
    "NearMissTracker",
    "load_wakeword_model",
]
