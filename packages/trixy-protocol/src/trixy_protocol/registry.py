"""The command registry: maps class names on the wire to dataclasses.

Only classes registered here are ever instantiated from network input.  A class is registered with
``@register_command`` on a ``@dataclass(slots=True)``; its wire name is its ``__name__``.  Fields are
converted generically from their type hints (see :mod:`trixy_protocol.spec` and
:mod:`trixy_protocol.fieldcodec`), so a command is just a dataclass - no hand-written
``to_dict``/``from_dict``.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .spec import CommandSpec

T = TypeVar("T")


class CommandRegistry:
    """Name -> class table; the only source of classes instantiated from the wire."""

    def __init__(self) -> None:
        self._by_name: dict[str, CommandSpec] = {}
        self._by_name_bytes: dict[bytes, CommandSpec] = {}
        self._by_class: dict[type, CommandSpec] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Register dataclass ``cls`` under its ``__name__``; raises TypeError on misuse or clash."""
        if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls!r} must be a @dataclass to be registered as a command")
        name = cls.__name__
        existing = self._by_name.get(name)
        if existing is not None and existing.cls is not cls:
            raise TypeError(
                f"command name {name!r} is already registered by {existing.cls.__module__}; "
                "class names are the wire identity and must be unique"
            )
        spec = CommandSpec(cls, self)
        self._by_name[name] = spec
        self._by_name_bytes[spec.name_bytes] = spec
        self._by_class[cls] = spec
        return cls

    def get(self, name: str) -> CommandSpec | None:
        """Spec registered under wire name ``name``, or None."""
        return self._by_name.get(name)

    def specs_by_name(self) -> Mapping[str, CommandSpec]:
        """Live name -> spec table, typed read-only (a decoder keeps it to look names up without a call)."""
        return self._by_name

    def specs_by_name_bytes(self) -> Mapping[bytes, CommandSpec]:
        """The same live table keyed by the UTF-8 name as it appears on the wire."""
        return self._by_name_bytes

    def spec_for_class(self, cls: type) -> CommandSpec | None:
        """Spec of registered class ``cls``, or None."""
        return self._by_class.get(cls)

    def names(self) -> list[str]:
        """All registered wire names, sorted."""
        return sorted(self._by_name)

    def compile_all(self) -> None:
        """Compile every spec now (tests call this to catch unsupported field types early)."""
        for spec in self._by_name.values():
            spec.compile()

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self._by_name)


#: The registry the catalogue in :mod:`trixy_protocol.commands` registers into.
DEFAULT_REGISTRY = CommandRegistry()


@typing.overload
def register_command(cls: type[T], /) -> type[T]: ...
@typing.overload
def register_command(*, registry: CommandRegistry) -> Callable[[type[T]], type[T]]: ...


def register_command(cls: Any = None, /, *, registry: CommandRegistry | None = None) -> Any:
    """Class decorator: register a ``@dataclass(slots=True)`` as a wire command (default registry)."""
    target = DEFAULT_REGISTRY if registry is None else registry
    if cls is None:
        return target.register
    return target.register(cls)
