"""`.pt` model files: a torch.package archive with the model and ``trixy/metafile.json`` inside.

The metadata is read straight from the zip (no torch); loading the model imports torch lazily. A torch.package
unpickles code, so load only model files you trust (never files received over the network).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from trixy_core.modelfiles.errors import CorruptModelFileError, MissingMetafileError, ModelFileError
from trixy_core.modelfiles.metadata import (
    BASE_REQUIRED_KEYS,
    METAFILE_NAME,
    decode_metadata_json,
    encode_metadata_json,
    validate_metadata,
)

PACKAGE_NAME = "trixy"
MODEL_RESOURCE = "model.pkl"


def write_pt(
    path: str | Path,
    model: Any,
    metadata: Mapping[str, Any],
    intern: Sequence[str] = (),
    required: Iterable[str] = BASE_REQUIRED_KEYS,
) -> Path:
    """Package ``model`` and the metadata with torch.package; ``intern`` adds module patterns to bundle as source.

    The model's own top-level package is always interned; everything else (torch, numpy) is extern. The file is
    loaded back before this returns: an archive that cannot be loaded (e.g. an interned module whose dataclasses use
    string annotations, which torch.package cannot re-create) is removed and raises here, not on a user's machine.
    """
    from torch.package import PackageExporter

    path = Path(path)
    meta = validate_metadata(metadata, required)
    top = type(model).__module__.split(".")[0]
    patterns = [*([f"{top}.**"] if top not in ("torch", "builtins") else []), *intern]
    path.parent.mkdir(parents=True, exist_ok=True)
    with PackageExporter(str(path)) as exporter:
        if patterns:
            exporter.intern(patterns)
        exporter.extern(["torch", "torch.**", "numpy", "numpy.**"])
        exporter.mock("**")
        exporter.save_text(PACKAGE_NAME, METAFILE_NAME, encode_metadata_json(meta).decode("utf-8"))
        exporter.save_pickle(PACKAGE_NAME, MODEL_RESOURCE, model)
    try:
        _load_model(path)
    except CorruptModelFileError as exc:
        path.unlink(missing_ok=True)
        raise ModelFileError(f"{path}: the written torch.package cannot be loaded back, so it was removed ({exc})") from exc
    return path


def _load_model(path: Path) -> Any:
    from torch.package import PackageImporter

    try:
        importer = PackageImporter(str(path))
        return importer.load_pickle(PACKAGE_NAME, MODEL_RESOURCE)
    except Exception as exc:  # torch.package raises many types for a bad archive
        raise CorruptModelFileError(f"{path}: model cannot be loaded from the torch.package ({exc})") from exc


def read_pt_metadata(path: str | Path, required: Iterable[str] = BASE_REQUIRED_KEYS) -> dict[str, Any]:
    """Read and validate the metadata of a .pt torch.package without importing torch."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: model file not found")
    try:
        with zipfile.ZipFile(path) as archive:
            suffix = f"/{PACKAGE_NAME}/{METAFILE_NAME}"
            members = [name for name in archive.namelist() if name.endswith(suffix)]
            if not members:
                raise MissingMetafileError(f"{path}: torch.package has no {PACKAGE_NAME}/{METAFILE_NAME}")
            raw = archive.read(members[0])
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise CorruptModelFileError(f"{path}: not a readable torch.package ({exc})") from exc
    return validate_metadata(decode_metadata_json(raw, str(path)), required)


def read_pt(path: str | Path, required: Iterable[str] = BASE_REQUIRED_KEYS) -> tuple[dict[str, Any], Any]:
    """Return ``(metadata, model)`` from a trusted .pt torch.package."""
    meta = read_pt_metadata(path, required)
    return meta, _load_model(Path(path))
