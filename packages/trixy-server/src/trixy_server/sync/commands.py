"""The two TRXI commands of standalone <-> server sync (always on the authenticated, encrypted command socket).

A standalone connects like a satellite (its registration and secret are its credentials) and announces the
capability "sync". Every request is answered by exactly one `SyncReply` with the same `request_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trixy_protocol import register_command


@register_command
@dataclass(slots=True)
class SyncRequest:
    """standalone -> server: one sync action ("inventory", "read", "write", "plugin")."""

    request_id: str
    """echoed in the reply"""
    action: str
    """inventory | read | write | plugin"""
    payload: dict[str, Any] = field(default_factory=dict)
    """the action's arguments (plain values; file data as bytes)"""


@register_command
@dataclass(slots=True)
class SyncReply:
    """server -> standalone: the answer to one SyncRequest."""

    request_id: str
    """the request answered"""
    ok: bool
    """False: `error` says what went wrong"""
    payload: dict[str, Any] = field(default_factory=dict)
    """the result"""
    error: str = ""
    """what to fix when ok is False"""
