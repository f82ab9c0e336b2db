"""`SatelliteGroup`: what a selector returns; any Satellite method called on it runs on every member."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from trixy_server.satellite import Satellite

logger = logging.getLogger(__name__)


class GroupResult(list):
    """Per-satellite results of a group call, in member order; failures are kept (not raised) in `errors`."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, BaseException] = {}
        """satellite id -> the exception its call raised (e.g. SatelliteNotConnectedError)."""

    @property
    def ok(self) -> bool:
        """True when the call succeeded on every member."""
        return not self.errors


class SatelliteGroup:
    """Zero or more satellites chosen by a selector. `group.say("Dinner")` says it on all of them.

    Reading an attribute that is not a method gives the list of the members' values (`group.room`).
    """

    __slots__ = ("_members", "selector")

    def __init__(self, members: list[Satellite], selector: str | None = None) -> None:
        self._members = list(members)
        self.selector = selector

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[Satellite]:
        return iter(self._members)

    def __getitem__(self, index: int) -> Satellite:
        return self._members[index]

    def __bool__(self) -> bool:
        return bool(self._members)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def __repr__(self) -> str:
        return f"<SatelliteGroup {self.selector!r}: {', '.join(s.id for s in self._members) or 'none'}>"

    @property
    def satellites(self) -> list[Satellite]:
        """The members as a plain list."""
        return list(self._members)

    @property
    def first(self) -> Satellite | None:
        """The first member, or None for an empty group."""
        return self._members[0] if self._members else None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attribute = getattr(Satellite, name, None)
        if attribute is None:
            raise AttributeError(f"satellites have no attribute {name!r}")
        if callable(attribute) and not isinstance(attribute, property):

            def apply_to_all(*args: Any, **kwargs: Any) -> GroupResult:
                results = GroupResult()
                for satellite in self._members:
                    try:
                        results.append(getattr(satellite, name)(*args, **kwargs))
                    except Exception as exc:
                        logger.info("%s on satellite %s: %s", name, satellite.id, exc)
                        results.errors[satellite.id] = exc
                        results.append(None)
                return results

            apply_to_all.__name__ = name
            apply_to_all.__doc__ = getattr(attribute, "__doc__", None)
            return apply_to_all
        return [getattr(satellite, name) for satellite in self._members]
