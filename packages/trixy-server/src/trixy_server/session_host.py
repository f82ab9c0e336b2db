"""`SessionHost`: what a command session needs from the network server (a Protocol, so that the session modules
never import `network.py`, which imports them)."""

from __future__ import annotations

from typing import Any, Protocol

from trixy_server.budget import ConnectionBudget
from trixy_server.config import NetworkConfig
from trixy_server.logthrottle import ThrottledLog
from trixy_server.manager import SatelliteManager
from trixy_server.satellite import Satellite
from trixy_server.tokens import TokenBook


class HostedSession(Protocol):
    """What the server needs from a session it holds: the satellite's MAC and a way to drop it."""

    mac: str | None

    def abort(self, reason: str) -> None: ...


class SessionHost(Protocol):
    """The server side of a command session: manager, config, tokens, budgets and the hooks of the pipeline."""

    manager: SatelliteManager
    config: NetworkConfig
    tokens: TokenBook
    budget: ConnectionBudget
    refusal_log: ThrottledLog
    retry_hint_s: float

    @property
    def audio_ports(self) -> dict[str, int]: ...

    async def session_started(self, session: HostedSession) -> None: ...
    def session_ended(self, session: HostedSession) -> None: ...
    async def dispatch_command(self, satellite: Satellite, command: Any) -> None: ...
    def audio_received(self, satellite: Satellite, data: bytes) -> None: ...
    def release_pending(self, address: str) -> None: ...

