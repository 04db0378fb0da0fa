"""What every request to the backend passes: a page of another site cannot act with the user's cookies.

A browser attaches the session cookie to requests that any page sends to us, including pages on another port of
the same host (cookies ignore ports). So a WebSocket handshake (the Reflex event socket, `/_event`) or a
state-changing HTTP request (POST, PUT, PATCH, DELETE) is refused when its `Origin` (or, lacking that, its
`Referer`) is not the app's own: the address the request was sent to, `APP_URL`, or one of `ALLOWED_ORIGINS`.
Browsers always send `Origin` on these requests; a request with neither header does not come from a web page.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from printer_app.config import Settings
from printer_app.services.access.proxy import Client, origin_of, resolve_client

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED = "Refused: the request came from another site. Open the app at its own address and try again."  # shown as-is


def client_of(scope: Scope, settings: Settings) -> Client:
    """The browser behind an HTTP or WebSocket request, with X-Forwarded-* honoured only from trusted proxies."""
    return resolve_client(
        peer=scope["client"][0] if scope.get("client") else None,
        scheme=scope.get("scheme", "http"),
        headers=Headers(scope=scope),
        proxies=settings.trusted_proxies,
    )


def secure_cookies(settings: Settings, client: Client | None = None) -> bool:
    """Mark cookies Secure? As COOKIE_SECURE says, else in production mode, for an https APP_URL, or when this
    client spoke HTTPS (to us, or to a trusted proxy); without a client: whatever the request."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return not settings.embedded or (settings.app_url or "").startswith("https:") or bool(client and client.https)


def is_cross_site(scope: Scope, settings: Settings) -> bool:
    """Did a page of another origin send this WebSocket handshake or state-changing request?"""
    if (scope["type"] == "http" and scope["method"] in SAFE_METHODS) or scope["type"] not in ("http", "websocket"):
        return False
    headers = Headers(scope=scope)
    sender = headers.get("origin") or headers.get("referer")
    if sender is None:
        return False
    own = {*settings.origins, client_of(scope, settings).origin} - {None}
    return origin_of(sender) not in own


class SameOriginGuard:
    """ASGI middleware: refuses cross-site WebSocket handshakes (close 1008, an HTTP 403) and writes (403)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_cross_site(scope, self.settings):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose(code=1008, reason="cross-site")(scope, receive, send)
        else:
            await HTMLResponse(_refused_page(), status_code=403, headers={"Cache-Control": "no-store"})(
                scope, receive, send
            )


def _refused_page() -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request refused</title></head>'
        f'<body><h1>Request refused</h1><p role="alert">{REFUSED}</p><p><a href="/">Open the app</a></p></body></html>'
    )
