"""Named internal functions that schedules (and the TUI) can call by name, e.g. "reload_plugins"."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from trixy_core.errors import ApplicationError


@dataclass(frozen=True, slots=True)
class InternalFunction:
    """A registered function with a one-line description for the schedule editor."""

    name: str
    function: Callable[..., Any]
    description: str = ""


class FunctionRegistry(Mapping[str, Callable[..., Any]]):
    """Name -> callable; a read-only mapping for callers, `register()` to add."""

    def __init__(self) -> None:
        self._functions: dict[str, InternalFunction] = {}

    def register(self, name: str, function: Callable[..., Any], description: str = "", *, replace: bool = False) -> None:
        """Make `function` callable by `name` (keyword arguments only, sync or async)."""
        if not callable(function):
            raise ApplicationError(f"internal function '{name}' is not callable")
        if name in self._functions and not replace:
            raise ApplicationError(f"an internal function named '{name}' is already registered")
        self._functions[name] = InternalFunction(name, function, description)

    def unregister(self, name: str) -> None:
        """Remove a function (no error when absent)."""
        self._functions.pop(name, None)

    def describe(self) -> list[InternalFunction]:
        """Every registered function, sorted by name."""
        return [self._functions[n] for n in sorted(self._functions)]

    async def call(self, name: str, **kwargs: Any) -> Any:
        """Call a function by name, awaiting it when it is async."""
        entry = self._functions.get(name)
        if entry is None:
            raise ApplicationError(f"no internal function named '{name}'")
        result = entry.function(**kwargs)
        return await result if inspect.isawaitable(result) else result

    def __getitem__(self, name: str) -> Callable[..., Any]:
        return self._functions[name].function

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions)

    def __len__(self) -> int:
        return len(self._functions)
