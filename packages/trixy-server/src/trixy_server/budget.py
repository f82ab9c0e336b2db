"""`ConnectionBudget`: separate budgets for sockets that have not logged in and for accepted satellites.

An unauthenticated socket costs the server memory and a file descriptor but proves nothing, so few of them are
allowed per address and in total; they leave the budget when they log in (or close). Accepted satellites are
counted as satellites (their command socket and three audio sockets together), so idle sockets from one host can
never lock real satellites out, and the satellite limit is not a quarter of a socket limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ConnectionBudget:
    """Counts pending (not yet accepted) sockets per address and in total, and accepted satellites."""

    max_pending: int = 256
    max_pending_per_address: int = 32
    max_satellites: int = 2000
    pending: int = 0
    satellites: int = 0
    _by_address: dict[str, int] = field(default_factory=dict, repr=False)

    def admit(self, address: str) -> str | None:
        """Take a pending slot for a new socket from `address`; the reason it is refused, or None."""
        held = self._by_address.get(address, 0)
        if held >= self.max_pending_per_address:
            return (f"{held} sockets from {address} have not logged in yet "
                    "(network.max_pending_per_address)")
        if self.pending >= self.max_pending:
            return f"{self.pending} sockets have not logged in yet (network.max_pending_connections)"
        self._by_address[address] = held + 1
        self.pending += 1
        return None

    def release(self, address: str) -> None:
        """Give back the pending slot of a socket from `address` (it logged in or closed)."""
        held = self._by_address.get(address, 0)
        if held <= 1:
            self._by_address.pop(address, None)
        else:
            self._by_address[address] = held - 1
        if held:
            self.pending -= 1

    def pending_from(self, address: str) -> int:
        """Pending sockets from `address`."""
        return self._by_address.get(address, 0)

    def satellite_room(self) -> bool:
        """True while another satellite may be accepted."""
        return self.satellites < self.max_satellites

    def add_satellite(self) -> None:
        """An accepted satellite (its four sockets) starts counting."""
        self.satellites += 1

    def remove_satellite(self) -> None:
        """An accepted satellite's command connection ended."""
        self.satellites = max(0, self.satellites - 1)
