"""Model metadata: the keys every Trixy tool relies on, validation and ONNX string encoding.

The same dictionary travels in all three formats: ``metafile.json`` in a ``.pth`` zip, a text resource in a
``.pt`` torch.package, and ``metadata_props`` in ``.onnx`` (where every value is a string: lists and objects are
JSON-encoded, numbers are written as JSON numbers, plain strings stay plain).
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from trixy_core.modelfiles.errors import IncompatibleMetadataError

METAFILE_NAME = "metafile.json"
FORMAT_VERSION = 1

#: Keys a wake-word model must carry in every format.
WAKEWORD_REQUIRED_KEYS: tuple[str, ...] = ("sample_rate", "chunk_samples", "classes", "threshold", "technology")
#: Keys any model must carry.
BASE_REQUIRED_KEYS: tuple[str, ...] = ("sample_rate", "technology")


def base_metadata(**values: Any) -> dict[str, Any]:
    """Return metadata pre-filled with the provenance fields (date, computer, trixy version), updated by ``values``."""
    try:
        from trixy_core import __version__ as trixy_version
    except ImportError:  # pragma: no cover - trixy_core always has a version
        trixy_version = "unknown"
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "training_date": datetime.now(UTC).isoformat(timespec="seconds"),
        "computer_name": platform.node(),
        "trixy_version": trixy_version,
    }
    meta.update(values)
    return meta


def validate_metadata(meta: Mapping[str, Any], required: Iterable[str] = BASE_REQUIRED_KEYS) -> dict[str, Any]:
    """Check ``meta`` holds ``required`` keys with usable values; return it as a plain dict.

    Raises :class:`IncompatibleMetadataError` naming the first problem found.
    """
    if not isinstance(meta, Mapping):
        raise IncompatibleMetadataError(f"metadata must be a JSON object, got {type(meta).__name__}")
    missing = [key for key in required if key not in meta]
    if missing:
        raise IncompatibleMetadataError(f"metadata is missing required key(s) {missing}; re-export the model")
    version = meta.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IncompatibleMetadataError(
            f"metadata format_version {version!r} is newer than this Trixy supports ({FORMAT_VERSION}); update Trixy"
        )
    if "sample_rate" in meta and (not _is_int(meta["sample_rate"]) or meta["sample_rate"] <= 0):
        raise IncompatibleMetadataError(f"sample_rate must be a positive integer, got {meta['sample_rate']!r}")
    if "chunk_samples" in meta and (not _is_int(meta["chunk_samples"]) or meta["chunk_samples"] <= 0):
        raise IncompatibleMetadataError(f"chunk_samples must be a positive integer, got {meta['chunk_samples']!r}")
    if "classes" in meta:
        classes = meta["classes"]
        if not isinstance(classes, list) or not classes or not all(isinstance(c, str) and c for c in classes):
            raise IncompatibleMetadataError(f"classes must be a non-empty list of names, got {classes!r}")
        if len(set(classes)) != len(classes):
            raise IncompatibleMetadataError(f"classes must be unique, got {classes!r}")
    if "threshold" in meta:
        threshold = meta["threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0:
            raise IncompatibleMetadataError(f"threshold must be a number in [0, 1], got {threshold!r}")
    if "technology" in meta and (not isinstance(meta["technology"], str) or not meta["technology"]):
        raise IncompatibleMetadataError(f"technology must be a non-empty string, got {meta['technology']!r}")
    return dict(meta)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def encode_metadata_json(meta: Mapping[str, Any]) -> bytes:
    """Serialise metadata for metafile.json (UTF-8, sorted keys, finite numbers only)."""
    try:
        return json.dumps(dict(meta), indent=2, sort_keys=True, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise IncompatibleMetadataError(f"metadata is not JSON-serialisable: {exc}") from exc


def decode_metadata_json(raw: bytes, source: str) -> dict[str, Any]:
    """Parse metafile.json bytes, naming ``source`` in the error when it is not a JSON object."""
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IncompatibleMetadataError(f"{source}: metafile.json is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise IncompatibleMetadataError(f"{source}: metafile.json must hold a JSON object")
    return meta


def to_onnx_props(meta: Mapping[str, Any]) -> dict[str, str]:
    """Encode metadata as ONNX ``metadata_props`` strings: strings stay plain, everything else is JSON."""
    props: dict[str, str] = {}
    for key, value in meta.items():
        if isinstance(value, str):
            props[str(key)] = value
        else:
            if isinstance(value, float) and not math.isfinite(value):
                raise IncompatibleMetadataError(f"metadata value {key}={value!r} is not a finite number")
            try:
                props[str(key)] = json.dumps(value, sort_keys=True)
            except TypeError as exc:
                raise IncompatibleMetadataError(f"metadata value {key!r} is not JSON-serialisable: {exc}") from exc
    return props


def from_onnx_props(props: Mapping[str, str]) -> dict[str, Any]:
    """Decode ONNX ``metadata_props``: values that parse as JSON numbers/lists/objects/bools are decoded."""
    meta: dict[str, Any] = {}
    for key, text in props.items():
        meta[key] = _decode_prop(text)
    return meta


def _decode_prop(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in '[{-0123456789tfn"':
        return text
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        return text
