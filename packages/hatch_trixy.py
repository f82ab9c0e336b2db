"""Hatch metadata hook shared by every Trixy package: one version for all, sibling pins that cannot drift.

The version is the repository's `VERSION` file. Dependencies are listed in the package's
`[tool.hatch.metadata.hooks.custom]` table; a sibling written bare (`"trixy-core"`, `"trixy-core[scheduler]"`)
becomes `trixy-core[scheduler]~=X.Y.0`: the same minor series, so a server and its satellites installed from one
release always speak compatible protocol versions, while patch releases still mix. Wheels are built from the
checkout (`pip wheel packages/trixy-*`), where `../../VERSION` exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

SIBLING = re.compile(r"^(trixy-[a-z]+)(\[[a-z0-9_,\s-]+\])?$")


def read_version(package_root: Path) -> str:
    """The release version from the checkout's VERSION file (one line, e.g. `0.1.0`)."""
    for candidate in (package_root / "VERSION", package_root.parent.parent / "VERSION"):
        if candidate.is_file():
            version = candidate.read_text().strip()
            if not re.fullmatch(r"\d+\.\d+\.\d+([a-z0-9.+-]*)", version):
                raise ValueError(f"{candidate}: {version!r} is not a version like 1.2.3")
            return version
    raise FileNotFoundError(f"no VERSION file beside {package_root} or at the repository root")


def compatible(version: str) -> str:
    """`~=X.Y.0`: any patch release of the same minor series."""
    major, minor = version.split(".")[:2]
    return f"~={major}.{minor}.0"


def pin_siblings(requirements: list[str], version: str) -> list[str]:
    """Bare `trixy-*` requirements get the compatible-release pin; everything else is kept as written."""
    pinned = []
    for requirement in requirements:
        match = SIBLING.match(requirement.strip())
        pinned.append(f"{match[1]}{match[2] or ''}{compatible(version)}" if match else requirement)
    return pinned


class TrixyMetadataHook(MetadataHookInterface):
    """Fills `version`, `dependencies` and `optional-dependencies` (declared dynamic in each pyproject.toml)."""

    def update(self, metadata: dict[str, Any]) -> None:
        version = read_version(Path(self.root))
        metadata["version"] = version
        metadata["dependencies"] = pin_siblings(list(self.config.get("dependencies", [])), version)
        extras: dict[str, list[str]] = self.config.get("optional-dependencies", {})
        metadata["optional-dependencies"] = {k: pin_siblings(list(v), version) for k, v in extras.items()}
