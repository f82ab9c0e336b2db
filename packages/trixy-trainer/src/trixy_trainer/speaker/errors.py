"""Errors of the speaker trainer; subclasses of the trainer's hierarchy so callers can catch TrainerError."""

from __future__ import annotations

from trixy_trainer.errors import ConfigError, DatasetError, TrainerError


class SpeakerTrainerError(TrainerError):
    """Base class for speaker-recognition training failures."""


class SpeakerDatasetError(SpeakerTrainerError, DatasetError):
    """The speaker corpus is missing, empty or has speakers without usable audio."""


class SpeakerMetadataError(SpeakerTrainerError):
    """The speaker list in a model's metadata is inconsistent (num_speaker vs speakerNNN keys)."""


class SpeakerConfigError(SpeakerTrainerError, ConfigError):
    """A speaker config value (Hydra group or override) is invalid."""


class EnrolmentError(SpeakerTrainerError):
    """A speaker cannot be enrolled (no usable utterances, duplicate name, ...)."""
