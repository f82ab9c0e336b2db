"""The speaker list in model metadata: ``num_speaker`` and ``speaker001``, ``speaker002``, ... (1-based keys).

Speaker id = 0-based index in the list: ``speaker001`` is id 0, ``speaker002`` id 1, ..., ``speakerNNN`` id NNN-1.
The spec's ``"speaker": [...]`` list (id = array index) is written too, holding the same names. Adding speakers
only ever appends, so an existing speaker's id never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trixy_trainer.speaker.errors import SpeakerMetadataError

KEY_PATTERN = re.compile(r"^speaker(\d{3,})$")


def speaker_key(speaker_id: int) -> str:
    """Metadata key of the 0-based ``speaker_id`` (id 0 -> ``speaker001``)."""
    if speaker_id < 0:
        raise ValueError("speaker ids are 0-based and non-negative")
    return f"speaker{speaker_id + 1:03d}"


def speaker_metadata(names: Sequence[str]) -> dict[str, Any]:
    """Metadata entries for the speaker list: ``num_speaker``, ``speaker001``..., and the spec's ``speaker`` list."""
    names = validate_names(names)
    meta: dict[str, Any] = {"num_speaker": len(names), "speaker": list(names)}
    for index, name in enumerate(names):
        meta[speaker_key(index)] = name
    return meta


def speakers_from_metadata(meta: Mapping[str, Any]) -> list[str]:
    """Read the speaker list (id order) from metadata; raise when keys and ``num_speaker`` disagree."""
    if "num_speaker" not in meta:
        raise SpeakerMetadataError("metadata has no num_speaker: this is not a Trixy speaker model")
    count = meta["num_speaker"]
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise SpeakerMetadataError(f"num_speaker must be a non-negative integer, got {count!r}")
    names = []
    for index in range(count):
        key = speaker_key(index)
        if key not in meta:
            raise SpeakerMetadataError(f"metadata says num_speaker={count} but has no {key}; re-export the model")
        names.append(str(meta[key]))
    extra = [k for k in meta if (m := KEY_PATTERN.match(k)) and int(m.group(1)) > count]
    if extra:
        raise SpeakerMetadataError(f"metadata has {sorted(extra)} beyond num_speaker={count}; re-export the model")
    return validate_names(names)


def validate_names(names: Iterable[str]) -> list[str]:
    """Speaker names must be non-empty, unique strings."""
    out = [str(n) for n in names]
    if any(not n.strip() for n in out):
        raise SpeakerMetadataError("speaker names must not be empty")
    seen: set[str] = set()
    dupes = [n for n in out if n in seen or seen.add(n)]
    if dupes:
        raise SpeakerMetadataError(f"speaker names must be unique; duplicated: {sorted(set(dupes))}")
    return out


def extend_speakers(existing: Sequence[str], names: Iterable[str]) -> list[str]:
    """Existing speakers keep their ids; names not yet known are appended in sorted order."""
    known = validate_names(existing)
    new = sorted(set(names) - set(known))
    return known + new
