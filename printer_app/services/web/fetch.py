"""Fetching printer web pages safely: the SSRF guard (docs/web-rules.md §5.4) and the static HTTP fetch.

Every request goes only to the printer's own address: the URL is built from the printer's IP and the rule's path,
and redirects must stay on that host. The headless browser (web_browser.py) sends its requests through `fetch` too.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from printer_app.config import get_settings
from printer_app.i18n import gettext

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
FETCH_DEADLINE_S = 30.0

BLOCKED_NAMES = frozenset({"localhost", "metadata.google.internal"})
METADATA_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "168.63.129.16")  # AWS/GCP, AWS v6, Azure
)
# Never a client's printer: "this network" (reaches the host itself on Linux), carrier-grade NAT (the provider's
# side), multicast and 240/4 with the broadcast address (is_multicast / is_reserved cover these, named for clarity).
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("0.0.0.0/8", "100.64.0.0/10", "224.0.0.0/4", "240.0.0.0/4", "ff00::/8")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PORT_PREFIX = re.compile(r":(\d{1,5})(?=/|$)")
_REDIRECTS = {301, 302, 303, 307, 308}
HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "content-encoding", "keep-alive"}

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebFetchError(Exception):
    """The page could not be fetched (unreachable, HTTP error, too large, timed out)."""


class UnsafeTargetError(WebFetchError):
    """The SSRF guard refused the address: not the printer's own, or a loopback/link-local/metadata target."""


def check_host(host: str, *, allow_loopback: bool | None = None) -> IP:
    """The printer address as an IP, or UnsafeTargetError; only IP literals are accepted (no DNS, no rebinding)."""
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if name in BLOCKED_NAMES or name.endswith(".localhost"):
        raise UnsafeTargetError(gettext("refused target '{host}'", host=host))
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        raise UnsafeTargetError(gettext("'{host}' is not an IP address", host=host)) from None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    judged = _tunnelled_ipv4(ip) or ip  # a 6to4 or NAT64 address is judged by the IPv4 address it reaches
    if judged.is_loopback:  # before is_reserved, which ::1 also is
        allowed = get_settings().allow_loopback_targets if allow_loopback is None else allow_loopback
        if not allowed:
            raise UnsafeTargetError(gettext("refused loopback target {ip}", ip=ip))
        return ip
    in_blocked = any(judged in network for network in BLOCKED_NETWORKS if network.version == judged.version)
    if in_blocked or judged in METADATA_IPS or judged.is_link_local or judged.is_unspecified or judged.is_reserved:
        raise UnsafeTargetError(
            gettext(
                "refused target {ip} (this-network, carrier NAT, link-local, multicast, broadcast, reserved "
                "or metadata)",
                ip=ip,
            )
        )
    return ip


def _tunnelled_ipv4(ip: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address a 6to4 (2002::/16) or well-known NAT64 (64:ff9b::/96) address reaches."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    return ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)


def page_url(protocol: str, host: str, url_path: str, *, allow_loopback: bool | None = None) -> str:
    """`protocol://host + url_path`, refusing any path that could change the host.

    A path may start with `:PORT/` to reach another port of the same host (e.g. `:8080/status.html`).
    """
    scheme = (protocol or "").strip().lower()
    if scheme not in ("http", "https"):
        raise UnsafeTargetError(gettext("protocol '{protocol}' is not allowed (http or https only)", protocol=protocol))
    ip = check_host(host, allow_loopback=allow_loopback)
    path = (url_path or "").strip() or "/"
    port = None
    if match := _PORT_PREFIX.match(path):
        port = int(match.group(1))
        if not 1 <= port <= 65535:
            raise UnsafeTargetError(gettext("port {port} is out of range", port=port))
        path = path[match.end() :] or "/"
    forbidden = path.startswith("//") or "://" in path or "@" in path or "\\" in path
    if forbidden or not path.startswith("/") or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in path):
        raise UnsafeTargetError(
            gettext("URL path '{path}' must be a path on the printer (starting with '/')", path=url_path)
        )
    netloc = f"[{ip}]" if ip.version == 6 else str(ip)
    url = f"{scheme}://{netloc}{f':{port}' if port else ''}{path}"
    if not same_host(url, ip):  # defence in depth: whatever the path holds, the URL's host is the printer
        raise UnsafeTargetError(gettext("URL path '{path}' changes the host", path=url_path))
    return url


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, the default port filled in: what credentials are bound to."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def same_host(url: str, host: IP) -> bool:
    """True when `url` is http(s) on exactly this host (any port)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and ipaddress.ip_address(parts.hostname or "") == host
    except ValueError:
        return False


@dataclass
class Fetched:
    """One HTTP response, redirects already followed on the same host."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def fetch(
    url: str,
    *,
    auth: tuple[str, str] | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    max_bytes: int = MAX_BYTES,
    allow_loopback: bool | None = None,
) -> Fetched:
    """Fetch `url` (any status), following redirects only to the same host; the body is capped at `max_bytes`.

    The credentials go to the origin of `url` only: a redirect to another port or scheme is followed without them.
    """
    host = check_host(urlsplit(url).hostname or "", allow_loopback=allow_loopback)
    credentials_origin = origin(url)
    deadline = time.monotonic() + FETCH_DEADLINE_S
    send_headers = {k: v for k, v in (headers or {}).items() if k.lower() not in HOP_HEADERS}
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False, verify=False, trust_env=False) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                hop_auth = auth if origin(url) == credentials_origin else None
                with client.stream(method, url, headers=send_headers, content=content, auth=hop_auth) as r:
                    if r.status_code in _REDIRECTS and "location" in r.headers:
                        url = urljoin(str(r.url), r.headers["location"])
                        if not same_host(url, host):
                            raise UnsafeTargetError(gettext("redirect to another host refused: {url}", url=url))
                        if r.status_code == 303 or (r.status_code in (301, 302) and method == "POST"):
                            method, content = "GET", None
                        continue
                    body = _read_capped(r, max_bytes, deadline)
                    return Fetched(url=str(r.url), status=r.status_code, headers=dict(r.headers), body=body)
    except httpx.TimeoutException:
        raise WebFetchError(gettext("timed out fetching {url}", url=url)) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise WebFetchError(gettext("cannot fetch {url}: {error}", url=url, error=exc or type(exc).__name__)) from None
    raise WebFetchError(gettext("more than {n} redirects from {url}", n=MAX_REDIRECTS, url=url))


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise WebFetchError(gettext("page larger than {n} MB", n=max_bytes // (1024 * 1024)))
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise WebFetchError(gettext("page larger than {n} MB", n=max_bytes // (1024 * 1024)))
        if time.monotonic() > deadline:
            raise WebFetchError(gettext("timed out reading the page"))
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_page(url: str, *, auth: tuple[str, str] | None = None, allow_loopback: bool | None = None) -> Fetched:
    """A page for parsing: like `fetch`, but an HTTP error status is an error."""
    page = fetch(url, auth=auth, allow_loopback=allow_loopback)
    if page.status >= 400:
        raise WebFetchError(gettext("HTTP {status} from {url}", status=page.status, url=url))
    return page
