"""Text -> intent with slots: hassil templates first, then a fuzzy fallback for misheard or padded utterances.

The fuzzy step works on words, not characters: each word not in the templates' vocabulary is replaced by its
closest vocabulary word (difflib, cutoff configurable) or dropped, and the template match is tried again, then on
shorter runs of the words. So "um could you plese order a pizza for me" still becomes OrderPizza, with its slots,
and a lower confidence.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from hassil import (
    Expression,
    Group,
    Intents,
    ListReference,
    RecognizeResult,
    RuleReference,
    TextChunk,
    TextSlotList,
    recognize_best,
)

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z0-9']+")
# words of spoken numbers: range slots accept them, so they are vocabulary too
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand and".split()
)


@dataclass(slots=True)
class IntentMatch:
    """A recognised intent: its name, slot values, how it was found and how sure we are."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    """The text that matched (after fuzzy correction)."""
    confidence: float = 1.0
    method: str = "template"
    """"template" (exact template match) or "fuzzy" (after word correction)."""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("-", " "))


def _vocabulary(intents: Intents) -> set[str]:
    words: set[str] = set(_NUMBER_WORDS)

    def walk(exp: Expression, seen_rules: set[str]) -> None:
        if isinstance(exp, TextChunk):
            words.update(_words(exp.text))
        elif isinstance(exp, Group):
            for item in exp.items:
                walk(item, seen_rules)
        elif isinstance(exp, RuleReference) and exp.rule_name not in seen_rules:
            rule = intents.expansion_rules.get(exp.rule_name)
            if rule is not None:
                walk(rule.expression, seen_rules | {exp.rule_name})
        elif isinstance(exp, ListReference):
            slot_list = intents.slot_lists.get(exp.list_name)
            if isinstance(slot_list, TextSlotList):
                for value in slot_list.values:
                    walk(value.text_in, seen_rules)

    for intent in intents.intents.values():
        for data in intent.data:
            for sentence in data.sentences:
                walk(sentence.expression, set())
    return words


class IntentRecogniser:
    """Matches text against a hassil `Intents`; `context` enables answer-only sentences (`requires_context`)."""

    def __init__(self, intents: Intents, *, fuzzy: bool = True, fuzzy_cutoff: float = 0.75) -> None:
        self.intents = intents
        self.fuzzy = fuzzy
        self.fuzzy_cutoff = fuzzy_cutoff
        self.vocabulary = sorted(_vocabulary(intents))
        self._vocabulary_set = set(self.vocabulary)

    def _match(self, text: str, context: dict[str, Any] | None) -> RecognizeResult | None:
        if not text.strip():
            return None
        # with a context, answer-only sentences may match; prefer them, then the general ones
        return recognize_best(text, self.intents, intent_context=context or None)

    @staticmethod
    def _to_match(result: RecognizeResult, text: str, confidence: float, method: str) -> IntentMatch:
        slots = {name: entity.value for name, entity in result.entities.items()}
        return IntentMatch(result.intent.name, slots, text, confidence, method)

    def recognise(self, text: str, context: dict[str, Any] | None = None) -> IntentMatch | None:
        """The intent for `text`, or None when neither the templates nor the fuzzy fallback match."""
        words = _words(text)
        normal = " ".join(words)
        result = self._match(normal, context)
        if result is not None:
            return self._to_match(result, normal, 1.0, "template")
        if not self.fuzzy or not words:
            return None
        corrected: list[str] = []
        changed = 0
        for word in words:
            if word in self._vocabulary_set or word.isdigit():
                corrected.append(word)
                continue
            close = difflib.get_close_matches(word, self.vocabulary, n=1, cutoff=self.fuzzy_cutoff)
            changed += 1
            if close:
                corrected.append(close[0])
        if not corrected:
            return None
        for span in self._spans(corrected, len(words)):
            candidate = " ".join(span)
            if candidate == normal:
                continue
            result = self._match(candidate, context)
            if result is not None:
                dropped = len(words) - len(span)
                confidence = max(0.1, 1.0 - (changed + dropped) / (len(words) + 1))
                logger.debug("fuzzy intent match: %r -> %r", normal, candidate)
                return self._to_match(result, candidate, confidence, "fuzzy")
        return None

    @staticmethod
    def _spans(words: list[str], original_length: int) -> list[list[str]]:
        """The corrected words, then shorter contiguous runs of them (longest first): filler words around a
        command ("um could you ... for me") fall away. At least half of the original words must remain."""
        shortest = max(2, (original_length + 1) // 2)
        spans = [words]
        for size in range(len(words) - 1, shortest - 1, -1):
            spans.extend(words[start : start + size] for start in range(len(words) - size + 1))
        return spans[:80]
