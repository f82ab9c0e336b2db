"""The command catalogue: every dataclass that may travel in a TRXI frame, one module per domain.

Importing this package registers all of them in the default registry.
"""

from .ack import Received
from .audio import (
    AudioFormat,
    AudioStream,
    PlayAudio,
    PlaybackFinished,
    PlayMusic,
    StopAudio,
    StopMusic,
)
from .connection import (
    Accepted,
    Challenge,
    ChallengeResponse,
    DenialReason,
    Denied,
    Goodbye,
    Hello,
    Reconnect,
)
from .errors import ErrorCommand
from .registration import (
    Registered,
    RegistrationAnswer,
    RegistrationField,
    RegistrationKeyOffer,
    RegistrationQuestion,
)
from .status import ConfigRequest, ConfigUpdate, SatelliteConfig, SatelliteStatus, StatusRequest
from .stream import StreamAccepted, StreamDenied, StreamHello
from .streaming import (
    AbortStreaming,
    ListenAgain,
    RecordingDone,
    RecordingEndReason,
    StartStreaming,
    StopStreaming,
)
from .updates import Reboot, UpdateChunk, UpdateKind, UpdateOffer, UpdateResponse, UpdateResult
from .wake import StandDown, TriggerWakeWord, WakeWordDetected

__all__ = [
    "AbortStreaming",
    "Accepted",
    "AudioFormat",
    "AudioStream",
    "Challenge",
    "ChallengeResponse",
    "ConfigRequest",
    "ConfigUpdate",
    "DenialReason",
    "Denied",
    "ErrorCommand",
    "Goodbye",
    "Hello",
    "ListenAgain",
    "PlayAudio",
    "PlayMusic",
    "PlaybackFinished",
    "Reboot",
    "Received",
    "Reconnect",
    "RecordingDone",
    "RecordingEndReason",
    "Registered",
    "RegistrationAnswer",
    "RegistrationField",
    "RegistrationKeyOffer",
    "RegistrationQuestion",
    "SatelliteConfig",
    "SatelliteStatus",
    "StandDown",
    "StartStreaming",
    "StatusRequest",
    "StopAudio",
    "StopMusic",
    "StopStreaming",
    "StreamAccepted",
    "StreamDenied",
    "StreamHello",
    "TriggerWakeWord",
    "UpdateChunk",
    "UpdateKind",
    "UpdateOffer",
    "UpdateResponse",
    "UpdateResult",
    "WakeWordDetected",
]
