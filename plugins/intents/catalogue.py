"""The sentence catalogue: every plugin's `sentences.yaml` merged into one hassil `Intents`, with each intent's owner.

A skill plugin ships its templates beside its main.py (`plugins/<name>/sentences.yaml`, hassil's YAML format:
`intents`, `lists`, `expansion_rules`, `skip_words`). The intents plugin collects the files of the enabled plugins;
the speech-to-text plugin compiles the same catalogue into its recognition grammar.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents
from hassil.util import merge_dict

logger = logging.getLogger(__name__)

SENTENCES_FILE = "sentences.yaml"
LANGUAGE = "en"


class CatalogueError(Exception):
    """A sentences.yaml file is malformed; the message names the file and the problem."""


@dataclass(slots=True)
class SentenceCatalogue:
    """All templates in one hassil `Intents`, plus which plugin declared each intent and which files were read."""

    intents: Intents
    owners: dict[str, str] = field(default_factory=dict)
    """Intent name -> plugin that declared it (the first one, when two plugins declare the same intent)."""
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    revision: int = 0

    @property
    def intent_names(self) -> list[str]:
        """Names of all intents, sorted."""
        return sorted(self.intents.intents)


def read_sentences_file(path: Path) -> dict[str, Any]:
    """Load and check one sentences.yaml (a mapping with an `intents` mapping); raises `CatalogueError`."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: the top level must be a mapping, got {type(data).__name__}")
    intents = data.get("intents", {})
    if not isinstance(intents, dict):
        raise CatalogueError(f"{path}: 'intents' must be a mapping of intent name -> {{data: [...]}}")
    for name, body in intents.items():
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise CatalogueError(f"{path}: intent {name!r} needs a 'data' list of {{sentences: [...]}}")
        for item in body["data"]:
            if not isinstance(item, dict) or not isinstance(item.get("sentences"), list):
                raise CatalogueError(f"{path}: intent {name!r}: every data item needs a 'sentences' list")
    for key in ("lists", "expansion_rules"):
        if key in data and not isinstance(data[key], dict):
            raise CatalogueError(f"{path}: '{key}' must be a mapping")
    return data


def build_catalogue(sources: Iterable[tuple[str, Path]], revision: int = 0,
                    slot_values: dict[str, list[str]] | None = None) -> SentenceCatalogue:
    """Merge the sentences.yaml of each `(plugin name, folder)`; a bad file is skipped and listed in `problems`.
    `slot_values` (list name -> values, e.g. the music library's titles) replace those lists' values."""
    merged: dict[str, Any] = {"language": LANGUAGE, "intents": {}}
    owners: dict[str, str] = {}
    files: list[Path] = []
    problems: list[str] = []
    for plugin, folder in sources:
        path = Path(folder) / SENTENCES_FILE
        if not path.is_file():
            continue
        try:
            data = read_sentences_file(path)
            # hassil parses lazily: parse this file alone first so one bad template cannot break the others
            trial = copy.deepcopy(merged)
            merge_dict(trial, copy.deepcopy(data))
            trial["language"] = LANGUAGE
            Intents.from_dict(trial)
        except (CatalogueError, Exception) as exc:  # hassil raises plain exceptions for template syntax
            message = str(exc) if isinstance(exc, CatalogueError) else f"{path}: {type(exc).__name__}: {exc}"
            logger.error("sentences of plugin %s skipped: %s", plugin, message)
            problems.append(message)
            continue
        for name in data.get("intents", {}):
            owners.setdefault(str(name), plugin)
        merge_dict(merged, copy.deepcopy(data))
        merged["language"] = LANGUAGE
        files.append(path)
    for name, values in (slot_values or {}).items():
        clean = [str(v) for v in dict.fromkeys(values) if str(v).strip()]
        merged.setdefault("lists", {})[name] = {"values": clean}
    return SentenceCatalogue(Intents.from_dict(merged), owners, files, problems, revision)
