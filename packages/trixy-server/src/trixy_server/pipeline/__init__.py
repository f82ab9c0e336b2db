"""The voice pipeline on the server: wake-word arbitration, recordings, speech out, administration gate."""

from trixy_server.pipeline.admin import AdminGate
from trixy_server.pipeline.arbitration import WakeArbiter, WakeCandidate, choose_loudest
from trixy_server.pipeline.config import PIPELINE_SECTION, PipelineSettings
from trixy_server.pipeline.coordinator import ArbitrationResult, VoicePipeline
from trixy_server.pipeline.describe import PIPELINE_EVENTS, describe_event
from trixy_server.pipeline.events import ArbitratedWakeword
from trixy_server.pipeline.recording import ActiveRecording, RecordingBook
from trixy_server.pipeline.speech_out import SpeechRouter

__all__ = [
    "PIPELINE_EVENTS",
    "PIPELINE_SECTION",
    "ActiveRecording",
    "AdminGate",
    "ArbitratedWakeword",
    "ArbitrationResult",
    "PipelineSettings",
    "RecordingBook",
    "SpeechRouter",
    "VoicePipeline",
    "WakeArbiter",
    "WakeCandidate",
    "choose_loudest",
    "describe_event",
]
