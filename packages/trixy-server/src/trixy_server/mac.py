"""MAC address validation: satellites are identified by their MAC, so only well-formed unicast addresses pass."""

from __future__ import annotations

import re

from trixy_server.errors import InvalidMacError

_SEPARATED = re.compile(r"^[0-9a-f]{2}([:\-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
_PLAIN = re.compile(r"^[0-9a-f]{12}$")
_DOTTED = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$")


def normalize_mac(value: object) -> str:
    """Return `value` as lower-case `aa:bb:cc:dd:ee:ff`, or raise InvalidMacError saying what is wrong."""
    if not isinstance(value, str):
        raise InvalidMacError(f"MAC address must be a string like 'aa:bb:cc:dd:ee:ff', got {type(value).__name__}")
    text = value.strip().lower()
    if _SEPARATED.match(text):
        digits = text.replace(":", "").replace("-", "")
    elif _PLAIN.match(text) or _DOTTED.match(text):
        digits = text.replace(".", "")
    else:
        raise InvalidMacError(f"invalid MAC address {value!r}: expected six hex octets like 'aa:bb:cc:dd:ee:ff'")
    if digits in ("000000000000", "ffffffffffff"):
        raise InvalidMacError(f"invalid MAC address {value!r}: all-zero and broadcast addresses identify nothing")
    if int(digits[:2], 16) & 1:
        raise InvalidMacError(f"invalid MAC address {value!r}: a multicast address cannot identify one satellite")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_valid_mac(value: object) -> bool:
    """True when `value` is a usable satellite MAC address."""
    try:
        normalize_mac(value)
    except InvalidMacError:
        return False
    return True


def mac_file_stem(mac: str) -> str:
    """The registration file name for a MAC (`aa-bb-cc-dd-ee-ff`): dashes keep it portable to every file system."""
    return normalize_mac(mac).replace(":", "-")
