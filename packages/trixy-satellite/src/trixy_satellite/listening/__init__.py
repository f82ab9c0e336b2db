"""The satellite's wake -> record loop: detection on the microphone, who spoke, hand-over to the recorder."""

from trixy_satellite.listening.detection_keeper import (
    TRAINER_RAW_DIR,
    DetectionKeeper,
    KeptDetection,
    kept_detections,
    sort_detection,
)
from trixy_satellite.listening.push_source import PushSource
from trixy_satellite.listening.speaker_window import SpeakerWindow, load_speaker_identifier
from trixy_satellite.listening.wake_listener import WakeListener

__all__ = [
    "TRAINER_RAW_DIR",
    "DetectionKeeper",
    "KeptDetection",
    "PushSource",
    "SpeakerWindow",
    "WakeListener",
    "kept_detections",
    "load_speaker_identifier",
    "sort_detection",
]
