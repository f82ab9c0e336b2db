"""Errors of the Trixy trainers; each message says what the user should fix."""

from __future__ import annotations


class TrainerError(Exception):
    """Base class for trainer failures."""


class AudioFileError(TrainerError):
    """An audio file is empty, truncated or unreadable."""


class DatasetError(TrainerError):
    """The raw or chunked data set is missing or unusable (no positives, no negatives, ...)."""


class ConfigError(TrainerError):
    """A Hydra/CLI configuration value is invalid."""


class TrainingStopped(TrainerError):
    """Training was stopped on request; the last checkpoint can resume it."""


class TrainingFailedError(TrainerError):
    """A background training run failed; the message is the run's error (what the schedule records)."""
