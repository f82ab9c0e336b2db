"""`.pth` model files: an AES-encrypted ZIP (pyzipper) holding ``weights.pt`` and ``metafile.json``.

Reading the metadata needs no torch; reading or writing weights imports torch lazily.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from trixy_core.modelfiles.errors import (
    CorruptModelFileError,
    MissingMetafileError,
    ModelFileError,
    ModelPasswordError,
)
from trixy_core.modelfiles.metadata import (
    BASE_REQUIRED_KEYS,
    METAFILE_NAME,
    decode_metadata_json,
    encode_metadata_json,
    validate_metadata,
)
from trixy_core.modelfiles.password import resolve_password

logger = logging.getLogger(__name__)

WEIGHTS_NAME = "weights.pt"


def write_pth(
    path: str | Path,
    metadata: Mapping[str, Any],
    weights: Any,
    password: str | bytes | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    required: Iterable[str] = BASE_REQUIRED_KEYS,
) -> Path:
    """Write an encrypted .pth: ``weights`` is a state dict (saved with torch) or already-serialised bytes.

    The file is written to a temporary name and renamed, so a crash never leaves half a model behind.
    """
    path = Path(path)
    meta = validate_metadata(metadata, required)
    key = resolve_password(password)
    if isinstance(weights, bytes | bytearray):
        weights_bytes = bytes(weights)
    else:
        import torch

        buffer = io.BytesIO()
        torch.save(dict(weights), buffer)
        weights_bytes = buffer.getvalue()
    pyzipper = _pyzipper()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with pyzipper.AESZipFile(
            tmp_name, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as archive:
            archive.setpassword(key)
            archive.writestr(METAFILE_NAME, encode_metadata_json(meta))
            archive.writestr(WEIGHTS_NAME, weights_bytes)
            for name, data in (extra_files or {}).items():
                archive.writestr(name, data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def _pyzipper() -> Any:
    """pyzipper, imported on first use: satellites load .onnx only and install trixy-core without the `pth` extra."""
    try:
        import pyzipper
    except ImportError as exc:
        raise ModelFileError(
            ".pth model archives need pyzipper: pip install 'trixy-core[pth]' (servers and trainers have it)"
        ) from exc
    return pyzipper


def _read_member(path: Path, password: str | bytes | None, member: str) -> bytes:
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    pyzipper = _pyzipper()
    try:
        with pyzipper.AESZipFile(path) as archive:
            names = archive.namelist()
            if member not in names:
                if member == METAFILE_NAME:
                    raise MissingMetafileError(
                        f"{path}: archive has no {METAFILE_NAME} (members: {names}); it is not a Trixy model file"
                    )
                raise CorruptModelFileError(f"{path}: archive has no {member}")
            info = archive.getinfo(member)
            if info.flag_bits & 0x1:
                archive.setpassword(resolve_password(password))
            else:
                logger.warning("%s: %s is not encrypted; Trixy .pth files should be password protected", path, member)
            try:
                return archive.read(member)
            except RuntimeError as exc:
                if "password" in str(exc).lower():
                    raise ModelPasswordError(f"{path}: wrong password for the model archive") from exc
                raise CorruptModelFileError(f"{path}: cannot read {member}: {exc}") from exc
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise CorruptModelFileError(f"{path}: not a readable .pth archive ({exc}); re-export or re-download it") from exc


def read_pth_metadata(
    path: str | Path, password: str | bytes | None = None, required: Iterable[str] = BASE_REQUIRED_KEYS
) -> dict[str, Any]:
    """Read and validate metafile.json from a .pth (no torch needed)."""
    path = Path(path)
    meta = decode_metadata_json(_read_member(path, password, METAFILE_NAME), str(path))
    return validate_metadata(meta, required)


def read_pth(
    path: str | Path,
    password: str | bytes | None = None,
    required: Iterable[str] = BASE_REQUIRED_KEYS,
    map_location: str = "cpu",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(metadata, state_dict)`` from a .pth; weights load with ``weights_only=True`` (no arbitrary pickle)."""
    path = Path(path)
    meta = read_pth_metadata(path, password, required)
    raw = _read_member(path, password, WEIGHTS_NAME)
    import torch

    try:
        state = torch.load(io.BytesIO(raw), map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many types for a bad payload
        raise CorruptModelFileError(f"{path}: weights cannot be loaded ({exc})") from exc
    if not isinstance(state, dict):
        raise CorruptModelFileError(f"{path}: weights are not a state dict")
    return meta, state
