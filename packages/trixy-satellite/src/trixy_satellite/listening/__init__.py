"""The satellite's wake -> record loop: detection on the microphone, who spoke, hand-over to the recorder."""

from trixy_satellite.listening.detection_keeper import DetectionKeeper
from trixy_satellite.listening.push_source import PushSource
from trixy_satellite.listening.speaker_window import SpeakerWindow, load_speaker_identifier
from trixy_satellite.listening.wake_listener import WakeListener

__all__ = ["DetectionKeeper", "PushSource", "SpeakerWindow", "WakeListener", "load_speaker_identifier"]
