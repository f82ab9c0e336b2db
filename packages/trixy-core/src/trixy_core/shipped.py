"""Shipped data folders (default models, plugins, assets) for installs without a checkout.

A checkout has `models/`, `plugins/` and `assets/` beside `main.py`. A pip install has them in data packages
(`trixy-models`, `trixy-plugins`, and trixy-core's own `assets/`) that announce their folders through the
`trixy.data` entry-point group (`models = "trixy_models:folder"`), so the core never imports them. A relative
path that does not exist under Trixy's root falls back to the shipped copy: a root folder of your own always wins,
and a model pushed to a satellite lands in its root, where it then shadows the shipped default.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "trixy.data"
"""Entry points `<area> = "module:function"`; the function returns the shipped folder for `<area>`."""

BUILTIN = {"assets": Path(__file__).resolve().parent / "data" / "assets"}
"""Areas trixy-core ships itself (the default sounds are small and every mode plays them)."""


@functools.cache
def shipped_folder(area: str) -> Path | None:
    """The installed folder for `area` ("models", "plugins", "assets"), or None when no package ships it.

    Cached: scanning the installed distributions costs milliseconds, and they do not change while Trixy runs."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name != area:
            continue
        try:
            locate: Callable[[], object] = ep.load()
            folder = Path(str(locate()))
        except Exception as exc:  # a broken data package must not stop Trixy: it only loses the fallback
            logger.warning("shipped %s from %s unavailable: %s", area, ep.value, exc)
            continue
        if folder.is_dir():
            return folder
    builtin = BUILTIN.get(area)
    return builtin if builtin is not None and builtin.is_dir() else None


def resolve_data_path(root: Path | str, spec: Path | str) -> Path:
    """`spec` under `root`; when that does not exist and `spec` starts with a shipped area, the shipped copy.

    `resolve_data_path(root, "models/wakeword/trixy")` is `<root>/models/wakeword/trixy` if it exists, else
    `<trixy_models>/wakeword/trixy` if trixy-models is installed and has it, else `<root>/models/wakeword/trixy`
    (so error messages name the place a user would put the file).
    """
    path = Path(spec)
    if path.is_absolute():
        return path
    local = Path(root) / path
    if local.exists() or not path.parts:
        return local
    shipped = shipped_folder(path.parts[0])
    if shipped is None:
        return local
    candidate = shipped.joinpath(*path.parts[1:])
    if candidate.exists():
        logger.debug("%s not found, using the shipped %s", local, candidate)
        return candidate
    return local
