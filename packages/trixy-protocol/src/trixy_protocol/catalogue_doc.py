"""Markdown tables of the command catalogue, generated from the dataclasses themselves.

``python -m trixy_protocol.catalogue_doc`` writes the section that docs/protocol.md embeds between
``<!-- catalogue:begin -->`` and ``<!-- catalogue:end -->`` (a test keeps the two identical).
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import sys
import textwrap
import types
import typing
from typing import Any

DOMAINS = ["connection", "registration", "wake", "streaming", "audio", "stream", "updates", "status", "errors", "ack"]


def _field_docs(cls: type) -> dict[str, str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, nxt in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[node.target.id] = nxt.value.value
    return docs


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "None"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is list:
        return f"list[{_type_name(typing.get_args(tp)[0])}]"
    if origin is dict:
        key, value = typing.get_args(tp)
        return f"map[{_type_name(key)}, {_type_name(value)}]"
    if tp is typing.Any:
        return "any"
    return tp.__name__ if isinstance(tp, type) else str(tp)


def _default(f: dataclasses.Field) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return "required"
    if isinstance(value, enum.Enum):
        return f"`{value.value!r}`"
    if dataclasses.is_dataclass(value):
        return f"`{type(value).__name__}{dataclasses.astuple(value)}`"
    return f"`{value!r}`"


def render() -> str:
    """The catalogue as markdown."""
    out: list[str] = []
    for domain in DOMAINS:
        mod = importlib.import_module(f"trixy_protocol.commands.{domain}")
        out.append(f"### {domain} (`trixy_protocol.commands.{domain}`)\n")
        out.append((mod.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ") + "\n")
        for name, obj in vars(mod).items():
            if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj.__module__ == mod.__name__:
                values = ", ".join(f"`{m.value!r}`" for m in obj)
                out.append(f"Enum `{name}` (sent as its value): {values}\n")
        for name, obj in vars(mod).items():
            if not (isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__):
                continue
            doc = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
            out.append(f"#### `{name}`\n\n{doc}\n")
            fields = dataclasses.fields(obj)
            if not fields:
                out.append("No fields (the payload is an empty map).\n")
                continue
            hints = typing.get_type_hints(obj)
            docs = _field_docs(obj)
            out.append("| field | type | default | meaning |\n|---|---|---|---|")
            for f in fields:
                meaning = docs.get(f.name, "").replace("|", "/")
                out.append(f"| `{f.name}` | {_type_name(hints[f.name])} | {_default(f)} | {meaning} |")
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render() + "\n")
