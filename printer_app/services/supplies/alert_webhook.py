"""Alert webhooks: the URL a rule may post to, and the signed JSON POST itself.

Which addresses: http or https only, no credentials in the URL; the host (an IP literal, or every address its name
resolves to when sent) must pass the web pages' SSRF guard (services/web/fetch.check_host: never link-local, cloud
metadata, "this network", multicast or reserved; loopback only with ALLOW_LOOPBACK_TARGETS). Private networks are
allowed by default — a service desk on the company's LAN is the usual receiver — and refused with
WEBHOOK_ALLOW_PRIVATE=false. Redirects are not followed and the response body is never read or shown, so a webhook
cannot be used to read an internal page.

The body is signed with HMAC-SHA256 of the exact bytes sent, keyed with the rule's secret, in the header
`X-Printer-Inventory-Signature: sha256=<hex>` (no secret: no header). One attempt per delivery (the caller records
the error on the alerts); WEBHOOK_TIMEOUT bounds it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from urllib.parse import urlsplit

import httpx

from printer_app.config import get_settings
from printer_app.i18n import gettext
from printer_app.services.web.fetch import UnsafeTargetError, check_host

SIGNATURE_HEADER = "X-Printer-Inventory-Signature"
MAX_URL = 500


class WebhookError(Exception):
    """The webhook was not delivered (refused address, network error, HTTP error status)."""


def signature(secret: str, body: bytes) -> str:
    """The header value a receiver recomputes: `sha256=` + HMAC-SHA256(secret, body) in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _check_address(ip: str) -> None:
    checked = check_host(ip)
    if checked.is_private and not checked.is_loopback and not get_settings().webhook_allow_private:
        raise UnsafeTargetError(gettext("refused private address {ip} (WEBHOOK_ALLOW_PRIVATE is off)", ip=ip))


def check_webhook_url(url: str) -> str:
    """The URL as it will be used, or ValueError with the reason; an IP literal host is checked now, a name when
    the webhook is sent (it may resolve elsewhere later)."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise ValueError(gettext("The URL is longer than {n} characters.", n=MAX_URL))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port out of range)
    except ValueError:
        raise ValueError(gettext("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(gettext("The URL must start with http:// or https://."))
    if not parts.hostname:
        raise ValueError(gettext("The URL names no host."))
    if parts.username or parts.password:
        raise ValueError(gettext("Put no user name or password in the URL: use the signing secret."))
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(gettext("The URL contains spaces or control characters."))
    host = parts.hostname.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host.rstrip(".").lower() in ("localhost",) or host.lower().endswith(".localhost"):
            raise ValueError(gettext("refused target '{host}'", host=host)) from None
        return url
    try:
        _check_address(host)
    except UnsafeTargetError as exc:
        raise ValueError(str(exc)) from None
    return url


def _resolve_and_check(url: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookError(gettext("cannot resolve {host}: {error}", host=host, error=exc)) from None
    for info in infos:
        try:
            _check_address(str(info[4][0]))
        except UnsafeTargetError as exc:
            raise WebhookError(str(exc)) from None


def post_webhook(url: str, secret: str, payload: dict) -> int:
    """POST `payload` as JSON, signed; the HTTP status, or WebhookError (refused, unreachable, status >= 300)."""
    try:
        url = check_webhook_url(url)
    except ValueError as exc:
        raise WebhookError(str(exc)) from None
    _resolve_and_check(url)
    body = json.dumps(payload, ensure_ascii=False, default=str).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "printer-inventory-alerts"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    try:
        with httpx.Client(timeout=get_settings().webhook_timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__} {exc}".strip()
        raise WebhookError(gettext("webhook failed: {error}", error=reason)) from None
    if response.status_code >= 300:
        raise WebhookError(gettext("webhook answered HTTP {status}", status=response.status_code))
    return response.status_code
