"""Model-file metadata for the views, read through trixy-core and cached while the file is unchanged (the views
refresh every few seconds; a .pth is an encrypted zip that should not be decrypted that often)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_METADATA_CACHE: dict[tuple[str, float, int], dict[str, Any]] = {}


def model_metadata(path: Any) -> dict[str, Any]:
    """The metadata of a model file through trixy-core's reader (cached while the file is unchanged); raises with
    the reason when it cannot be read."""
    from trixy_core.modelfiles import read_metadata

    stat = Path(path).stat()
    key = (str(path), stat.st_mtime, stat.st_size)
    if key not in _METADATA_CACHE:
        if len(_METADATA_CACHE) > 64:
            _METADATA_CACHE.clear()
        _METADATA_CACHE[key] = read_metadata(path, required=())
    return dict(_METADATA_CACHE[key])
