"""Field normalisers and checks shared by forms, imports and the poll pipeline (docs/inventory-and-polling.md §3,
§4.2)."""

from __future__ import annotations

import ipaddress
import re

from printer_app.i18n import gettext

_COMMUNITY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NON_HEX = re.compile(r"[^0-9A-Fa-f]")
_MAC_TYPED = re.compile(r"^[0-9A-Fa-f:.\- ]+$")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


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


def parse_device_ip(value: str) -> ipaddress.IPv4Address:
    """An IPv4 address a printer can have: not 0.0.0.0, the broadcast, a multicast or a reserved (240/4) one."""
    ip = parse_ipv4(value)
    if ip.is_unspecified:
        raise ValueError("0.0.0.0 means any address; enter the printer's own address")
    if ip == _BROADCAST:
        raise ValueError("255.255.255.255 is the broadcast address, not a printer's")
    if ip.is_multicast:
        raise ValueError(f"{ip} is a multicast address (224.0.0.0-239.255.255.255), not a printer's")
    if ip.is_reserved:
        raise ValueError(f"{ip} is in the reserved range 240.0.0.0/4, not a printer's address")
    return ip


def parse_mac(value: str | None) -> str | None:
    """A MAC address as a user typed it: canonical form, None when empty; ValueError for anything else.

    Stricter than `normalize_mac` (which reads devices' answers): only hex digits and the separators
    ":", "-", "." and space, and not the all-zero or all-FF placeholders some devices report.
    """
    text = (value or "").strip()
    if not text:
        return None
    mac = normalize_mac(text) if _MAC_TYPED.match(text) else None
    if mac is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise ValueError(f"'{shown}' is not a MAC address (12 hex digits, e.g. AA:BB:CC:DD:EE:FF)")
    if mac == "00:00:00:00:00:00":
        raise ValueError("00:00:00:00:00:00 is a placeholder, not a device's MAC address")
    if mac == "FF:FF:FF:FF:FF:FF":
        raise ValueError("FF:FF:FF:FF:FF:FF is the broadcast address, not a device's MAC address")
    return mac


def parse_id(value: object) -> int | None:
    """A row id sent by a form or a browser (int or digit string), or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def too_long(label: str, value: str, limit: int) -> str:
    """The message for a text over its column's size, or "" when it fits (`label`: a catalogued message)."""
    if len(value) <= limit:
        return ""
    text = gettext("{label} is longer than {limit} characters ({given} given)")
    return text.format(label=gettext(label), limit=limit, given=len(value))


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
