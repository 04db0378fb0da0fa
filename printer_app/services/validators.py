"""Field normalisers and checks shared by forms, imports and the poll pipeline (DOMAIN 3, 4.2)."""

from __future__ import annotations

import ipaddress
import re

_COMMUNITY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NON_HEX = re.compile(r"[^0-9A-Fa-f]")


MAX_ID = 2**31 - 1  # the largest value an id column holds (PostgreSQL integer)


def row_id(text: object) -> int | None:
    """The id a select's value or a URL part names, as a number; None when it is none any id column can hold."""
    if isinstance(text, str) and 0 < len(text) <= 10 and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None


def normalize_mac(value: str | None) -> str | None:
    """Canonical `AA:BB:CC:DD:EE:FF`, or None when the value does not hold exactly 12 hex digits."""
    if not value:
        return None
    digits = _NON_HEX.sub("", value)
    if len(digits) != 12:
        return None
    digits = digits.upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_ipv4(value: str) -> ipaddress.IPv4Address:
    """A dotted-quad IPv4 address; raises ValueError with a readable message otherwise."""
    text = (value or "").strip()
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        msg = f"'{text}' is not a valid IPv4 address (expected four numbers 0-255, e.g. 192.168.1.20)"
        raise ValueError(msg) from None


def ip_to_int(value: str) -> int | None:
    """Numeric form of an IPv4 address for sorting; None when not an IPv4 address."""
    try:
        return int(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        return None


def check_community(value: str) -> str:
    """SNMP community: letters, digits, '_' and '-' only (the original's rule; keeps shells and logs safe)."""
    text = (value or "").strip()
    if not _COMMUNITY_RE.match(text):
        raise ValueError("SNMP community may contain only letters, digits, '_' and '-' (1-64 characters)")
    return text
