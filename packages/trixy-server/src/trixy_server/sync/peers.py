"""The `remote` a plugin's `sync(remote)` hook receives (the TrixyPlugin sync contract).

A plugin declares syncable data by overriding `sync(self, remote)`; it is called on both sides of one exchange:

* on the standalone, `remote.role == "client"`: `reply = await remote.exchange(payload)` sends a dict of plain values
  to the same plugin on the server and returns its answer;
* on the server, `remote.role == "server"`: `remote.request` is the standalone's payload and the hook returns the
  answer (a dict).

`SyncedRecords.sync(remote)` implements both sides for record-shaped data (notes, contacts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ClientPeer:
    """The standalone's view of the server for one plugin."""

    plugin: str
    send: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    name: str = "server"
    role: str = "client"

    async def exchange(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send `payload` to the server's plugin and return its answer."""
        return await self.send(payload)


@dataclass(slots=True)
class ServerPeer:
    """The server's view of one standalone's request for one plugin."""

    plugin: str
    request: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    role: str = "server"


def declares_sync(plugin: Any) -> bool:
    """True when the plugin overrides `TrixyPlugin.sync` (it has syncable data)."""
    from trixy_core.plugins import TrixyPlugin

    return getattr(type(plugin), "sync", None) is not getattr(TrixyPlugin, "sync", None)
