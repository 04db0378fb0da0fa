"""Who sent a request, across reverse proxies: the client's address, scheme and origin, and a URL's origin.

X-Forwarded-For, -Proto and -Host are written by whoever sends the request, so they count only when the peer that
connected to us is one of TRUSTED_PROXIES; otherwise the peer itself is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WEBSOCKET_SCHEMES = {"ws": "http", "wss": "https"}


@dataclass(frozen=True)
class Client:
    """The browser behind a request: its address, whether it spoke HTTPS, and the origin it addressed."""

    address: str | None
    https: bool
    origin: str | None  # the app as this client reached it, e.g. "https://printers.example"


def origin_of(url: str | None, *, strict: bool = False) -> str | None:
    """ "scheme://host[:port]" of an http(s) URL, lower-cased, default port dropped; None (or ValueError) if not one."""
    try:
        parts = urlsplit((url or "").strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        scheme, host, port = "", None, None
    if scheme not in _DEFAULT_PORTS or not host:
        if strict:
            raise ValueError(f"not an http:// or https:// URL: {url!r}")
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


def _ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(address: str | None, proxies: Iterable[IPNetwork]) -> bool:
    """Is `address` one of the configured reverse proxies?"""
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Iterable[IPNetwork]) -> str | None:
    """The peer, or behind trusted proxies the nearest X-Forwarded-For entry that is not a trusted proxy.

    Entries are read from the right: each proxy appends the address it saw, so everything left of the first
    untrusted entry was written by the client and is ignored.
    """
    proxies = tuple(proxies)
    address = peer
    if not is_trusted(peer, proxies):
        return peer
    for hop in reversed([h for h in (forwarded_for or "").split(",") if h.strip()]):
        ip = _ip(hop)
        if ip is None:  # a proxy passed on garbage: keep the last address we know it saw
            break
        address = str(ip)
        if not is_trusted(address, proxies):
            break
    return address


def resolve_client(
    *, peer: str | None, scheme: str, headers: Mapping[str, str], proxies: Iterable[IPNetwork]
) -> Client:
    """The client of a request (HTTP or WebSocket) from its peer address, URL scheme and lower-cased headers."""
    proxies = tuple(proxies)
    scheme = _WEBSOCKET_SCHEMES.get(scheme, scheme)
    host = headers.get("host", "")
    if is_trusted(peer, proxies):
        scheme = _first(headers.get("x-forwarded-proto")) or scheme
        host = _first(headers.get("x-forwarded-host")) or host
    return Client(
        address=client_address(peer, headers.get("x-forwarded-for"), proxies),
        https=scheme.lower() == "https",
        origin=origin_of(f"{scheme}://{host}") if host else None,
    )


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()
