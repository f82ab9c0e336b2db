"""What a satellite says about itself in its hello: MAC address, host name, OS."""

from __future__ import annotations

import platform
import socket
import uuid
from pathlib import Path


def machine_mac() -> str:
    """This machine's MAC: the first non-loopback interface in /sys/class/net, else uuid.getnode()."""
    net = Path("/sys/class/net")
    if net.is_dir():
        for iface in sorted(net.iterdir()):
            if iface.name == "lo":
                continue
            try:
                mac = (iface / "address").read_text().strip().lower()
            except OSError:
                continue
            if mac and mac != "00:00:00:00:00:00":
                return mac
    node = uuid.getnode()
    return ":".join(f"{(node >> shift) & 0xFF:02x}" for shift in range(40, -1, -8))


def hostname() -> str:
    return socket.gethostname()


def platform_string() -> str:
    """OS and version, e.g. 'Linux 6.1.0 (Debian GNU/Linux 12)'."""
    text = f"{platform.system()} {platform.release()}"
    try:
        info = platform.freedesktop_os_release()
        text += f" ({info.get('PRETTY_NAME', info.get('NAME', ''))})"
    except OSError:
        pass
    return text
