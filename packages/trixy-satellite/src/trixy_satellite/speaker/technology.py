"""Which speaker-model technologies this satellite can run, and a clear refusal for the others.

Why: a model file can come from a newer trainer (a technology with operators or pretrained parts this satellite does
not know). Loading it anyway would fail deep inside onnxruntime, or worse, run and give meaningless scores. The
model's metadata names its ``technology`` (and optionally ``runtime_requires``, e.g. ``["onnxruntime>=1.16"]``);
the satellite refuses what it cannot run with a message that says what to install.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trixy_satellite.speaker.errors import SpeakerModelError

#: technology -> what it needs beyond numpy + onnxruntime (nothing, for all of these: every part is in the graph).
SUPPORTED_TECHNOLOGIES = {
    "ecapa_tdnn": "ECAPA-TDNN on log-mel",
    "titanet_lite": "TitaNet-like on log-mel",
    "ge2e": "pretrained GE2E LSTM encoder (Resemblyzer weights) on power mel",
    "ge2e_fusion": "GE2E + ECAPA-TDNN + pitch code",
}
UPGRADE_HINT = "pip install --upgrade trixy-satellite"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=|==)\s*([0-9][0-9A-Za-z.]*)\s*$")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def check_requirement(requirement: str) -> str | None:
    """``None`` if ``name>=X`` / ``name==X`` is installed, else what is wrong and the pip command that fixes it."""
    match = _REQUIREMENT.match(requirement)
    if not match:
        return f"unreadable requirement {requirement!r} in the model metadata"
    name, op, wanted = match.groups()
    try:
        have = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return f"{name} is not installed: pip install '{requirement}'"
    ok = _version_tuple(have) >= _version_tuple(wanted) if op == ">=" else _version_tuple(have) == _version_tuple(wanted)
    return None if ok else f"{name} {have} is installed but the model needs {requirement}: pip install '{requirement}'"


def check_technology(path: Path, metadata: Mapping[str, Any]) -> None:
    """Raise :class:`SpeakerModelError` naming what to install if this satellite cannot run the model."""
    technology = metadata.get("technology")
    if technology is not None and str(technology) not in SUPPORTED_TECHNOLOGIES:
        raise SpeakerModelError(
            f"{path}: speaker model technology {technology!r} is not supported by this trixy-satellite "
            f"(it runs {', '.join(sorted(SUPPORTED_TECHNOLOGIES))}); install a newer one: {UPGRADE_HINT}"
        )
    requires = metadata.get("runtime_requires") or []
    if isinstance(requires, str):
        requires = [requires]
    problems = [p for p in (check_requirement(str(r)) for r in requires) if p]
    if problems:
        raise SpeakerModelError(f"{path}: cannot run this {technology or 'speaker'} model: {'; '.join(problems)}")


def peek_metadata(path: Path, key: str) -> str | None:
    """Read one ``metadata_props`` string straight from the ONNX protobuf bytes, without onnx or onnxruntime.

    Used when onnxruntime cannot load a model (e.g. operators it lacks), to still say which technology it needs.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    name = key.encode()
    marker = b"\x0a" + bytes([len(name)]) + name + b"\x12"  # StringStringEntryProto: key (field 1), value (field 2)
    at = data.find(marker)
    if at < 0 or len(name) > 127:
        return None
    pos, length, shift = at + len(marker), 0, 0
    while pos < len(data):  # varint length of the value
        byte = data[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            break
    value = data[pos : pos + length]
    return value.decode("utf-8", errors="replace") if len(value) == length else None
