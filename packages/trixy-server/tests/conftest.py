"""Shared fixtures for trixy-server's tests: a temp registry folder and a fake clock."""

from __future__ import annotations

import pytest

from trixy_server.blacklist import Blacklist
from trixy_server.manager import SatelliteManager
from trixy_server.registration import RegistrationWindow
from trixy_server.registry import SatelliteRegistry


class FakeClock:
    """A monotonic clock the test moves by hand."""

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
def registry(tmp_path) -> SatelliteRegistry:
    return SatelliteRegistry(tmp_path / "satellites")


@pytest.fixture
def manager(registry, clock, tmp_path) -> SatelliteManager:
    blacklist = Blacklist.from_file(tmp_path / "blacklist.json")
    return SatelliteManager(registry, blacklist, RegistrationWindow(60, clock=clock))
