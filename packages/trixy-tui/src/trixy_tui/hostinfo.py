"""Facts about the machine the TUI runs on (host name, address, OS), gathered once and injectable for tests."""

from __future__ import annotations

import platform
import socket
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What the general views show about this machine."""

    hostname: str
    address: str
    os: str
    python: str


def primary_address() -> str:
    """The address other machines reach this host at (the one of the default route; no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    except OSError:
        try:
            return socket.gethostbyname(socket.gethostname())
        except OSError:
            return "127.0.0.1"
    finally:
        probe.close()


def current_host() -> HostInfo:
    """Gather the host facts of this machine."""
    return HostInfo(
        hostname=socket.gethostname(),
        address=primary_address(),
        os=f"{platform.system()} {platform.release()}".strip(),
        python=sys.version.split()[0],
    )
