"""Errors raised while reading or writing Trixy model files (.pth, .pt, .onnx)."""

from __future__ import annotations


class ModelFileError(Exception):
    """Base class: a model file could not be read or written; the message says what to fix."""


class UnsupportedModelFormatError(ModelFileError):
    """The file extension is not one of .pth, .pt or .onnx."""


class ModelPasswordError(ModelFileError):
    """The .pth archive is encrypted and the password is missing or wrong."""


class CorruptModelFileError(ModelFileError):
    """The file is truncated, not an archive/ONNX model, or a member fails its integrity check."""


class MissingMetafileError(ModelFileError):
    """The archive or model has no metafile.json / metadata."""


class IncompatibleMetadataError(ModelFileError):
    """The metadata lacks required keys or holds values this Trixy cannot use."""
