"""Trixy model files (.pth AES zip, .pt torch.package, .onnx metadata_props), shared by trainer, server and satellite.

torch and onnx are imported lazily, so reading metadata works on a satellite with only numpy + onnxruntime.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trixy_core.modelfiles.errors import (
    CorruptModelFileError,
    IncompatibleMetadataError,
    MissingMetafileError,
    ModelFileError,
    ModelPasswordError,
    UnsupportedModelFormatError,
)
from trixy_core.modelfiles.metadata import (
    BASE_REQUIRED_KEYS,
    METAFILE_NAME,
    WAKEWORD_REQUIRED_KEYS,
    base_metadata,
    from_onnx_props,
    to_onnx_props,
    validate_metadata,
)
from trixy_core.modelfiles.onnx_meta import metadata_from_props, read_onnx_metadata, write_onnx_metadata
from trixy_core.modelfiles.password import PASSWORD_ENV_VAR, resolve_password
from trixy_core.modelfiles.pt import read_pt, read_pt_metadata, write_pt
from trixy_core.modelfiles.pth import read_pth, read_pth_metadata, write_pth

MODEL_SUFFIXES = (".pth", ".pt", ".onnx")


def model_format(path: str | Path) -> str:
    """Return "pth", "pt" or "onnx" for ``path``; raise UnsupportedModelFormatError otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise UnsupportedModelFormatError(f"{path}: unsupported model file type {suffix!r}; use .pth, .pt or .onnx")
    return suffix[1:]


def read_metadata(
    path: str | Path, password: str | bytes | None = None, required: Iterable[str] = BASE_REQUIRED_KEYS
) -> dict[str, Any]:
    """Read the metadata of any Trixy model file; ``password`` (or $TRIXY_MODEL_PASSWORD) is used for .pth."""
    kind = model_format(path)
    if kind == "pth":
        return read_pth_metadata(path, password, required)
    if kind == "pt":
        return read_pt_metadata(path, required)
    return read_onnx_metadata(path, required)


__all__ = [
    "BASE_REQUIRED_KEYS",
    "METAFILE_NAME",
    "MODEL_SUFFIXES",
    "PASSWORD_ENV_VAR",
    "WAKEWORD_REQUIRED_KEYS",
    "CorruptModelFileError",
    "IncompatibleMetadataError",
    "MissingMetafileError",
    "ModelFileError",
    "ModelPasswordError",
    "UnsupportedModelFormatError",
    "base_metadata",
    "from_onnx_props",
    "metadata_from_props",
    "model_format",
    "read_metadata",
    "read_onnx_metadata",
    "read_pt",
    "read_pt_metadata",
    "read_pth",
    "read_pth_metadata",
    "resolve_password",
    "to_onnx_props",
    "validate_metadata",
    "write_onnx_metadata",
    "write_pt",
    "write_pth",
]
