"""Shared fixtures: a private registry with test-only commands, fixed keys, a fake clock."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from trixy_protocol import CommandRegistry, Received, register_command

TEST_REGISTRY = CommandRegistry()
TEST_REGISTRY.register(Received)
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


class Colour(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@register_command(registry=TEST_REGISTRY)
@dataclass(slots=True)
class Inner:
    name: str
    blob: bytes = b""


@register_command(registry=TEST_REGISTRY)
@dataclass(slots=True)
class Everything:
    """A command that uses every supported field kind."""

    text: str
    number: int
    ratio: float
    flag: bool
    blob: bytes
    colour: Colour
    level: Level
    inner: Inner
    inners: list[Inner] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    by_colour: dict[Colour, int] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    maybe: int | None = None
    maybe_inner: Inner | None = None
    numbers: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@register_command(registry=TEST_REGISTRY)
@dataclass(slots=True)
class Small:
    a: int
    b: str = "x"


def everything() -> Everything:
    """A fully populated Everything instance (non-ASCII text, NUL bytes, nested values)."""
    return Everything(
        text="Grüße 🎤",
        number=-(2**40),
        ratio=0.25,
        flag=True,
        blob=b"\x00\xffbin\n",
        colour=Colour.GREEN,
        level=Level.HIGH,
        inner=Inner("in", b"\x01"),
        inners=[Inner("a"), Inner("b", b"\x02\x03")],
        tags=["x", "y"],
        by_colour={Colour.RED: 1},
        blobs={"k": b"\x00"},
        maybe=7,
        maybe_inner=None,
        numbers=(1, 2, 3),
        extra={"list": [1, 2.5, None, True], "nested": {"s": "t"}},
    )


class FakeClock:
    """Monotonic clock the tests advance by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def samples() -> SimpleNamespace:
    """Test-only commands and keys (test modules cannot import conftest under importlib mode)."""
    return SimpleNamespace(
        KEY=KEY,
        OTHER_KEY=OTHER_KEY,
        REGISTRY=TEST_REGISTRY,
        Everything=Everything,
        Inner=Inner,
        Small=Small,
        Colour=Colour,
        Level=Level,
        everything=everything,
        FakeClock=FakeClock,
    )
