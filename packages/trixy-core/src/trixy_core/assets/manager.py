"""`AssetManager`: finds an asset in the configured profile, falling back to the default profile.

`get("audio/success.wav")` returns `assets/<profile>/audio/success.wav` when it exists, else
`assets/default/audio/success.wav`, else `False` (the spec's contract). Names that would leave the assets folder
(absolute paths, `..`, drive letters, backslashes, NUL) raise `AssetError` instead of being looked up.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath
from typing import Literal

from trixy_core.errors import AssetError

logger = logging.getLogger(__name__)

DEFAULT_PROFILE = "default"
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _check_relative(name: str) -> PurePosixPath:
    if not isinstance(name, str) or not name.strip():
        raise AssetError(f"asset name must be a non-empty relative path like 'audio/success.wav', got {name!r}")
    if "\\" in name or "\0" in name or re.match(r"^[A-Za-z]:", name):
        raise AssetError(f"asset name {name!r} is refused: use forward slashes and no drive letters")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise AssetError(f"asset name {name!r} is refused: it must stay inside the assets folder")
    return path


class AssetManager:
    """Resolves asset names against `<assets_dir>/<profile>/` then `<assets_dir>/default/`."""

    def __init__(self, assets_dir: Path, profile: str = DEFAULT_PROFILE) -> None:
        self.assets_dir = Path(assets_dir)
        self.profile = profile

    @property
    def profile(self) -> str:
        """The active profile (a folder under the assets folder)."""
        return self._profile

    @profile.setter
    def profile(self, value: str) -> None:
        if not isinstance(value, str) or not _PROFILE_NAME.match(value):
            raise AssetError(f"asset profile {value!r} is invalid: use letters, digits, '_', '-', '.'")
        self._profile = value

    def profiles(self) -> list[str]:
        """Profiles present on disk."""
        if not self.assets_dir.is_dir():
            return []
        return sorted(p.name for p in self.assets_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def _inside(self, candidate: Path) -> bool:
        root = self.assets_dir.resolve()
        try:
            candidate.resolve().relative_to(root)
        except ValueError:
            return False
        return True

    def get(self, name: str) -> Path | Literal[False]:
        """The file for `name` in the profile, else in the default profile, else `False`."""
        relative = _check_relative(name)
        profiles = [self._profile] if self._profile == DEFAULT_PROFILE else [self._profile, DEFAULT_PROFILE]
        for profile in profiles:
            candidate = self.assets_dir / profile / relative
            if candidate.is_file():
                if not self._inside(candidate):  # a symlink pointing outside
                    logger.warning("asset %s resolves outside %s; refused", candidate, self.assets_dir)
                    continue
                return candidate
        return False

    def exists(self, name: str) -> bool:
        """Whether `get(name)` finds a file."""
        return self.get(name) is not False

    def read_bytes(self, name: str) -> bytes:
        """The asset's content; `AssetError` when it exists in neither profile."""
        path = self.get(name)
        if path is False:
            raise AssetError(f"asset {name!r} not found in profile {self._profile!r} nor in {DEFAULT_PROFILE!r}")
        return path.read_bytes()

    def list(self, folder: str = "") -> list[str]:
        """Asset names under `folder` available in the profile or the default (profile wins), sorted."""
        base = _check_relative(folder) if folder else PurePosixPath()
        found: set[str] = set()
        for profile in {self._profile, DEFAULT_PROFILE}:
            root = self.assets_dir / profile
            directory = root / base
            if directory.is_dir():
                for file in directory.rglob("*"):
                    if file.is_file():
                        found.add(file.relative_to(root).as_posix())
        return sorted(found)
