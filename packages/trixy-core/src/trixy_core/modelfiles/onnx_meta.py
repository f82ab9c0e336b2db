"""`.onnx` model files: metadata lives in ``metadata_props`` (string values; lists/objects JSON-encoded).

Writing uses the ``onnx`` package (trainer side). Reading uses ``onnx`` when installed, else onnxruntime's
``get_modelmeta().custom_metadata_map`` so satellites need neither torch nor onnx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from trixy_core.modelfiles.errors import CorruptModelFileError, MissingMetafileError, ModelFileError
from trixy_core.modelfiles.metadata import (
    BASE_REQUIRED_KEYS,
    from_onnx_props,
    to_onnx_props,
    validate_metadata,
)


def write_onnx_metadata(
    path: str | Path, metadata: Mapping[str, Any], required: Iterable[str] = BASE_REQUIRED_KEYS
) -> Path:
    """Replace the metadata_props of the ONNX model at ``path`` with ``metadata`` (in place)."""
    import onnx

    path = Path(path)
    meta = validate_metadata(metadata, required)
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf decode errors have no common base
        raise CorruptModelFileError(f"{path}: not a readable ONNX model ({exc})") from exc
    del model.metadata_props[:]
    for key, value in to_onnx_props(meta).items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value
    onnx.save(model, str(path))
    return path


def read_onnx_metadata(path: str | Path, required: Iterable[str] = BASE_REQUIRED_KEYS) -> dict[str, Any]:
    """Read and validate the metadata of an ONNX model file."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    try:
        import onnx
    except ImportError:
        onnx = None
    if onnx is not None:
        try:
            model = onnx.load(str(path), load_external_data=False)
        except Exception as exc:  # protobuf decode errors have no common base
            raise CorruptModelFileError(f"{path}: not a readable ONNX model ({exc})") from exc
        props = {entry.key: entry.value for entry in model.metadata_props}
    else:
        import onnxruntime

        try:
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise CorruptModelFileError(f"{path}: not a readable ONNX model ({exc})") from exc
        props = dict(session.get_modelmeta().custom_metadata_map)
    return metadata_from_props(props, str(path), required)


def metadata_from_props(
    props: Mapping[str, str], source: str, required: Iterable[str] = BASE_REQUIRED_KEYS
) -> dict[str, Any]:
    """Decode and validate metadata_props (e.g. from an onnxruntime session's ``custom_metadata_map``)."""
    if not props:
        raise MissingMetafileError(f"{source}: ONNX model has no metadata_props; export it with trixy-train export")
    return validate_metadata(from_onnx_props(props), required)
