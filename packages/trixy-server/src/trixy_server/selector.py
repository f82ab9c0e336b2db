"""Satellite selectors: `"status = connected, room = kitchen"` -> a predicate (case-insensitive, AND of terms).

Grammar: terms separated by commas; each term is `field op value` with op `=`/`==` (equal), `!=` (not equal) or `~`
(contains). A value may list alternatives with `|` (`room = kitchen|living room`) and may be quoted. Fields are the
keys of `SELECTOR_FIELDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trixy_server.errors import SelectorError

SELECTOR_FIELDS: dict[str, str] = {
    "status": "state",
    "state": "state",
    "connection": "state",
    "room": "room",
    "alias": "alias",
    "name": "alias",
    "mac": "mac",
    "id": "id",
    "ip": "ip",
    "version": "version",
    "os": "os",
    "hostname": "hostname",
    "blacklisted": "blacklisted",
}
"""Selector field name -> Satellite attribute."""

_VALUE_SYNONYMS = {
    "not connected": "disconnected",
    "offline": "disconnected",
    "online": "connected",
    "true": "yes",
    "false": "no",
}

_TERM = re.compile(r"^\s*(?P<field>[A-Za-z_][A-Za-z_ ]*?)\s*(?P<op>==|!=|=|~)\s*(?P<value>.*?)\s*$")


@dataclass(slots=True, frozen=True)
class SelectorTerm:
    """One `field op value` condition."""

    field: str
    attribute: str
    op: str
    values: tuple[str, ...]

    def matches(self, satellite: Any) -> bool:
        """True when `satellite` satisfies this term."""
        actual = _normalise(getattr(satellite, self.attribute, None))
        if self.attribute == "state" and "registered" in self.values and self.op != "~":
            hit = True  # every satellite the manager holds is registered
        elif self.op == "~":
            hit = any(v in actual for v in self.values)
        else:
            hit = actual in self.values
        return not hit if self.op == "!=" else hit


@dataclass(slots=True, frozen=True)
class Selector:
    """A parsed selector: all terms must match."""

    text: str
    terms: tuple[SelectorTerm, ...]

    def matches(self, satellite: Any) -> bool:
        """True when every term matches `satellite`."""
        return all(term.matches(satellite) for term in self.terms)

    def __call__(self, satellite: Any) -> bool:
        return self.matches(satellite)


def _normalise(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).strip().lower().split())
    return _VALUE_SYNONYMS.get(text, text)


def _split_terms(text: str) -> list[str]:
    terms, current, quote = [], [], ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch == ",":
            terms.append("".join(current))
            current = []
        else:
            current.append(ch)
    if quote:
        raise SelectorError(f"selector {text!r}: unterminated quote {quote}")
    terms.append("".join(current))
    return terms


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_selector(text: str) -> Selector:
    """Parse a selector string; raises SelectorError with the offending term and the valid field names."""
    if not isinstance(text, str) or not text.strip():
        raise SelectorError("empty selector: write terms like 'room = kitchen, status = connected'")
    terms: list[SelectorTerm] = []
    for raw in _split_terms(text):
        if not raw.strip():
            raise SelectorError(f"selector {text!r}: empty term (two commas in a row, or a trailing comma)")
        match = _TERM.match(raw)
        if match is None:
            raise SelectorError(
                f"selector {text!r}: cannot read term {raw.strip()!r}; write 'field = value' (ops: =, !=, ~)"
            )
        field = " ".join(match["field"].lower().split())
        attribute = SELECTOR_FIELDS.get(field)
        if attribute is None:
            raise SelectorError(
                f"selector {text!r}: unknown field {field!r}; known fields: {', '.join(sorted(SELECTOR_FIELDS))}"
            )
        value_text = match["value"]
        if not value_text:
            raise SelectorError(f"selector {text!r}: term {raw.strip()!r} has no value")
        values = tuple(_normalise(_unquote(v)) for v in value_text.split("|"))
        if any(v == "" for v in values):
            raise SelectorError(f"selector {text!r}: term {raw.strip()!r} has an empty alternative")
        op = "=" if match["op"] == "==" else match["op"]
        terms.append(SelectorTerm(field=field, attribute=attribute, op=op, values=values))
    return Selector(text=text, terms=tuple(terms))
