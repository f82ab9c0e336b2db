"""Compile hassil sentence templates into a JSGF grammar for pocketsphinx (what Rhasspy does for its recognisers).

Every intent becomes a rule, slot lists become rules of their spoken forms (number ranges spelled out in words), and
one public rule `<command>` accepts any of them. A branch whose words cannot be pronounced, or that needs free text
(wildcard lists), is left out: such utterances go to the general language model instead.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hassil import (
    Alternative,
    Expression,
    Intents,
    ListReference,
    Permutation,
    RangeSlotList,
    RuleReference,
    Sequence,
    TextChunk,
    TextSlotList,
)

logger = logging.getLogger(__name__)

MAX_RANGE_VALUES = 400
"""Number ranges longer than this are cut (with a warning): a grammar of thousands of numbers decodes slowly."""
MAX_PERMUTATION_ITEMS = 4

_WORD = re.compile(r"[a-z0-9']+")
_RULE_NAME = re.compile(r"[^A-Za-z0-9_]")


class _Unsupported(Exception):
    """A template branch that the grammar cannot express (free text, unpronounceable word, unknown list)."""


@dataclass(slots=True)
class JsgfGrammar:
    """A compiled grammar: the JSGF source, the words it uses and the intents/sentences that were left out."""

    text: str
    words: set[str] = field(default_factory=set)
    intents: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    _matcher: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """True when no sentence could be compiled (then only the general model is usable)."""
        return not self.intents

    def accepts(self, text: str) -> bool:
        """Whether `text` is a complete sentence of the grammar. pocketsphinx returns the best partial path when no
        path reaches the end of the grammar ("set a" for "set a timer..."); such results must be rejected."""
        if self._matcher is None:
            self._matcher = jsgf_matcher(self.text)
        return bool(text.split()) and self._matcher.fullmatch(" ".join(text.split()) + " ") is not None


_JSGF_TOKEN = re.compile(r"<[^>]+>|[()\[\]|]|[^\s()\[\]|<>;]+")


def jsgf_matcher(text: str) -> re.Pattern[str]:
    """A regex accepting exactly the sentences of a JSGF grammar produced by `compile_jsgf` (words + one space)."""
    bodies: dict[str, str] = {}
    public = ""
    for line in text.splitlines():
        line = line.strip()
        match = re.match(r"(public\s+)?<([^>]+)>\s*=\s*(.*);$", line)
        if match:
            bodies[match.group(2)] = match.group(3)
            if match.group(1):
                public = match.group(2)
    cache: dict[str, str] = {}

    def rule(name: str, depth: int = 0) -> str:
        if name in cache:
            return cache[name]
        if depth > 50 or name not in bodies:
            raise ValueError(f"JSGF rule <{name}> is undefined or recursive")
        parts: list[str] = []
        for token in _JSGF_TOKEN.findall(bodies[name]):
            if token.startswith("<"):
                parts.append("(?:" + rule(token[1:-1], depth + 1) + ")")
            elif token in ("(", "["):
                parts.append("(?:")
            elif token == ")":
                parts.append(")")
            elif token == "]":
                parts.append(")?")
            elif token == "|":
                parts.append("|")
            else:
                parts.append(re.escape(token) + " ")
        cache[name] = "".join(parts)
        return cache[name]

    return re.compile(rule(public) if public else "(?!)")


def number_words(value: int) -> str:
    """A number spelled out in English words as the recogniser hears them ("twenty five")."""
    from unicode_rbnf import RbnfEngine  # hassil's own dependency

    engine = _rbnf_engine(RbnfEngine)
    text = engine.format_number(value).text
    return " ".join(_WORD.findall(text.replace("-", " ").lower()))


_ENGINE_CACHE: dict[str, object] = {}


def _rbnf_engine(engine_class: type) -> object:
    if "en" not in _ENGINE_CACHE:
        _ENGINE_CACHE["en"] = engine_class.for_language("en")
    return _ENGINE_CACHE["en"]


def words_of(text: str) -> list[str]:
    """Template text -> recogniser words: lower case, punctuation and hyphens removed, digits spelled out."""
    words: list[str] = []
    for token in _WORD.findall(text.lower().replace("-", " ")):
        if token.isdigit():
            words.extend(number_words(int(token)).split())
        else:
            words.append(token.strip("'"))
    return [w for w in words if w]


def _plain_text(exp: Expression) -> str | None:
    """The text of an expression made only of text chunks, else None."""
    if isinstance(exp, TextChunk):
        return exp.text
    if isinstance(exp, Sequence) and not isinstance(exp, (Alternative, Permutation)):
        texts = [_plain_text(item) for item in exp.items]
        return None if any(t is None for t in texts) else "".join(t for t in texts if t is not None)
    return None


def _attach_suffixes(items: list[Expression]) -> list[Expression]:
    """Rewrite `minute[s]` (a word glued to an alternative) as `(minute | minutes)`: JSGF has no sub-word units."""
    out: list[Expression] = []
    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(item, TextChunk) and item.text and not item.text[-1].isspace() and isinstance(nxt, Alternative):
            branches = [_plain_text(b) for b in nxt.items]
            if all(b is not None and not b[:1].isspace() for b in branches):
                head, _, last = item.text.rpartition(" ")
                if head.strip():
                    out.append(TextChunk(head + " "))
                out.append(Alternative(items=[TextChunk(last + (b or "")) for b in branches]))
                i += 2
                continue
        out.append(item)
        i += 1
    return out


def _rule_name(prefix: str, name: str) -> str:
    return f"{prefix}_{_RULE_NAME.sub('_', name)}"


class _Compiler:
    """Walks hassil expressions and renders JSGF, collecting the rules for lists and expansion rules it meets."""

    def __init__(self, intents: Intents, pronounceable: Callable[[str], bool]) -> None:
        self.intents = intents
        self.pronounceable = pronounceable
        self.rules: dict[str, str] = {}
        self.words: set[str] = set()
        self._in_progress: set[str] = set()

    def expression(self, exp: Expression) -> str:
        """JSGF for one expression; '' means "nothing to say" (an empty chunk)."""
        if isinstance(exp, TextChunk):
            words = words_of(exp.text)
            for word in words:
                if not self.pronounceable(word):
                    raise _Unsupported(f"word {word!r} has no pronunciation")
            self.words.update(words)
            return " ".join(words)
        if isinstance(exp, Alternative):
            return self._alternative(exp.items, exp.is_optional)
        if isinstance(exp, Permutation):
            if len(exp.items) > MAX_PERMUTATION_ITEMS:
                raise _Unsupported(f"permutation of {len(exp.items)} items")
            orders = [Sequence(items=list(order)) for order in itertools.permutations(exp.items)]
            return self._alternative(orders, False)
        if isinstance(exp, Sequence):
            parts = [self.expression(item) for item in _attach_suffixes(exp.items)]
            return " ".join(p for p in parts if p)
        if isinstance(exp, ListReference):
            return self._list(exp)
        if isinstance(exp, RuleReference):
            return self._expansion_rule(exp.rule_name)
        raise _Unsupported(f"expression {type(exp).__name__}")

    def _alternative(self, items: Iterable[Expression], optional: bool) -> str:
        branches: list[str] = []
        has_empty = optional
        last_error: _Unsupported | None = None
        for item in items:
            try:
                rendered = self.expression(item)
            except _Unsupported as exc:
                last_error = exc
                continue
            if rendered:
                if rendered not in branches:
                    branches.append(rendered)
            else:
                has_empty = True
        if not branches:
            if has_empty:
                return ""
            raise last_error or _Unsupported("empty alternative")
        body = " | ".join(branches)
        return f"[ {body} ]" if has_empty else f"( {body} )"

    def _list(self, ref: ListReference) -> str:
        inline = ref.get_inline_range()
        if inline is not None:
            start, stop, step = inline
            return self._define(_rule_name("range", f"{start}_{stop}_{step}"), lambda: self._range(start, stop, step))
        slot_list = self.intents.slot_lists.get(ref.list_name)
        if slot_list is None:
            raise _Unsupported(f"unknown list {{{ref.list_name}}}")
        if isinstance(slot_list, RangeSlotList):
            return self._define(
                _rule_name("list", ref.list_name), lambda: self._range(slot_list.start, slot_list.stop, slot_list.step)
            )
        if isinstance(slot_list, TextSlotList):
            return self._define(
                _rule_name("list", ref.list_name), lambda: self._alternative([v.text_in for v in slot_list.values], False)
            )
        raise _Unsupported(f"list {{{ref.list_name}}} is free text ({type(slot_list).__name__})")

    def _range(self, start: int, stop: int, step: int) -> str:
        values = list(range(start, stop + 1, step))
        if len(values) > MAX_RANGE_VALUES:
            logger.warning("number range %d..%d cut to its first %d values in the grammar", start, stop, MAX_RANGE_VALUES)
            values = values[:MAX_RANGE_VALUES]
        spoken = [number_words(v) for v in values]
        self.words.update(w for s in spoken for w in s.split())
        return "( " + " | ".join(dict.fromkeys(spoken)) + " )"

    def _expansion_rule(self, name: str) -> str:
        rule = self.intents.expansion_rules.get(name)
        if rule is None:
            raise _Unsupported(f"unknown rule <{name}>")
        return self._define(_rule_name("rule", name), lambda: self.expression(rule.expression))

    def _define(self, rule: str, build: Callable[[], str]) -> str:
        if rule not in self.rules:
            if rule in self._in_progress:
                raise _Unsupported(f"recursive rule <{rule}>")
            self._in_progress.add(rule)
            try:
                body = build()
            finally:
                self._in_progress.discard(rule)
            if not body:
                raise _Unsupported(f"rule <{rule}> says nothing")
            self.rules[rule] = body
        return f"<{rule}>"


def compile_jsgf(
    intents: Intents,
    *,
    pronounceable: Callable[[str], bool] = lambda _word: True,
    grammar_name: str = "trixy",
    optional_prefixes: Iterable[str] = (),
) -> JsgfGrammar:
    """Turn every sentence of every intent into one JSGF grammar with the public rule `<command>`.

    `optional_prefixes` (e.g. the wake word "trixy") may precede any command: the recording a satellite sends can
    start with the wake word itself."""
    compiler = _Compiler(intents, pronounceable)
    intent_rules: list[str] = []
    compiled: list[str] = []
    skipped: list[str] = []
    for intent in intents.intents.values():
        bodies: list[str] = []
        for data in intent.data:
            for sentence in data.sentences:
                try:
                    body = compiler.expression(sentence.expression)
                except _Unsupported as exc:
                    skipped.append(f"{intent.name}: {sentence.text!r} ({exc})")
                    continue
                if body and body not in bodies:
                    bodies.append(body)
        if not bodies:
            continue
        rule = _rule_name("intent", intent.name)
        compiler.rules[rule] = " | ".join(f"( {b} )" for b in bodies)
        intent_rules.append(f"<{rule}>")
        compiled.append(intent.name)
    for line in skipped:
        logger.info("grammar leaves out %s", line)
    lines = ["#JSGF V1.0;", f"grammar {grammar_name};", ""]
    if intent_rules:
        prefixes = [" ".join(words_of(p)) for p in optional_prefixes]
        prefixes = [p for p in dict.fromkeys(prefixes) if p and all(pronounceable(w) for w in p.split())]
        for prefix in prefixes:
            compiler.words.update(prefix.split())
        commands = "( " + " | ".join(intent_rules) + " )"
        if prefixes:
            # each prefix as its own branch, not an optional "[ trixy | hey trixy ]" in front: pocketsphinx turns an
            # optional into a null transition, and with it a command after 50 ms of silence decoded as another
            # command ("set a timer for five minutes" -> "turn it up"; benchmarks/wake_command_bench.py, docs/plugins.md)
            alternatives = ["<commands>", *(f"( {prefix} <commands> )" for prefix in prefixes)]
            lines.append("public <command> = " + " | ".join(alternatives) + ";")
            lines.append(f"<commands> = {commands};")
        else:
            lines.append(f"public <command> = {commands};")
    lines.extend(f"<{name}> = {body};" for name, body in compiler.rules.items())
    return JsgfGrammar(text="\n".join(lines) + "\n", words=compiler.words, intents=compiled, skipped=skipped)
