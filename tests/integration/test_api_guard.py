"""Cross-site protection of the /auth endpoints and the Secure session cookie, on SQLite and PostgreSQL.

State-changing requests and WebSocket handshakes are accepted only from the app's own origin (the address the
request was sent to, APP_URL and ALLOWED_ORIGINS); a page on another port of the same host is another origin.
Sign-out is a POST. The session cookie is Secure behind a trusted TLS proxy and by default in production mode.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from printer_app.api.auth import CSRF_COOKIE, install
from printer_app.config import Settings
from printer_app.services.access import auth
from tests.integration.auth_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    SECRET,
    MakeClient,
    cookie_attributes,
    form_token,
    local_fixture,
    local_sign_in,
    make_client_fixture,
    only_session,
)
from tests.integration.oidc_fixtures import APP_URL

OTHER_PORT = "http://testserver:8001"  # same host, another port: another origin


def test_get_logout_does_not_sign_out(local: TestClient, session: Session) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303

    page = local.get("/auth/logout")  # what a link or an <img src> does

    assert page.status_code == 200
    assert '<form method="post" action="/auth/logout">' in page.text
    assert local.get("/auth/me").status_code == 200
    assert only_session(session).revoked_at is None


def test_post_logout_from_the_apps_origin_signs_out(local: TestClient, session: Session) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303

    response = local.post("/auth/logout", headers={"Origin": APP_URL})

    assert response.status_code == 303 and response.headers["location"] == "/auth/login"
    assert local.get("/auth/me").status_code == 401
    assert only_session(session).revoked_at is not None


@pytest.mark.parametrize(
    "headers",
    [{"Origin": OTHER_PORT}, {"Origin": "null"}, {"Referer": f"{OTHER_PORT}/attack.html"}],
    ids=["other-origin", "opaque-origin", "other-referer"],
)
def test_post_logout_from_another_origin_is_refused(local: TestClient, session: Session, headers: dict) -> None:
    assert local_sign_in(local, "admin", PASSWORD).status_code == 303

    response = local.post("/auth/logout", headers=headers)

    assert response.status_code == 403
    assert "Refused: the request came from another site" in response.text
    assert local.get("/auth/me").status_code == 200
    assert only_session(session).revoked_at is None


def test_login_post_from_another_origin_is_refused(local: TestClient) -> None:
    form = {"csrf_token": form_token(local), "next": "/", "username": "admin", "password": PASSWORD}

    response = local.post("/auth/login", data=form, headers={"Origin": OTHER_PORT})

    assert response.status_code == 403
    assert auth.SESSION_COOKIE not in response.cookies
    assert local.post("/auth/login", data=form, headers={"Origin": APP_URL}).status_code == 303


def test_app_url_and_allowed_origins_name_the_accepted_origins(make_client: MakeClient, session: Session) -> None:
    auth.create_local_user(session, username="admin", password=PASSWORD, is_superuser=True)
    session.commit()
    client = make_client(APP_URL="http://printers.example.test:8080/", ALLOWED_ORIGINS="http://localhost:3000")
    for origin, status in [
        ("http://printers.example.test:8080", 303),
        ("http://localhost:3000", 303),
        (APP_URL, 303),  # the address the request itself was sent to
        ("http://printers.example.test", 403),
        ("https://printers.example.test:8080", 403),
    ]:
        client.cookies.clear()  # signed out again
        assert local_sign_in(client, "admin", PASSWORD, headers={"Origin": origin}).status_code == status, origin


def test_websocket_handshake_from_another_origin_is_refused(tmp_path) -> None:
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("connected")
        await websocket.close()

    app = Starlette(routes=[WebSocketRoute("/_event", echo)])
    install(app, settings=Settings(_env_file=None, DATA_DIR=tmp_path, SECRET_KEY=SECRET))
    client = TestClient(app, base_url=APP_URL)

    with client.websocket_connect("/_event", headers={"Origin": APP_URL}) as ws:
        assert ws.receive_text() == "connected"
    with pytest.raises(WebSocketDisconnect) as refused:
        client.websocket_connect("/_event", headers={"Origin": OTHER_PORT}).__enter__()
    assert refused.value.code == 1008


def _sign_in_through(client: TestClient, headers: dict[str, str]):
    """Sign in with every request carrying `headers`; the form-token cookie is carried by hand because the test
    browser talks plain HTTP and would withhold a Secure cookie (a browser talking HTTPS to the proxy sends it)."""
    page = client.get("/auth/login", headers=headers)
    token = page.cookies[CSRF_COOKIE]
    client.cookies.set(CSRF_COOKIE, token, domain="testserver.local", path="/auth")
    form = {"csrf_token": token, "next": "/", "username": "admin", "password": PASSWORD}
    return page, client.post("/auth/login", data=form, headers=headers)


@pytest.mark.parametrize(
    ("peer", "overrides", "headers", "secure"),
    [
        ("testclient", {}, {}, False),
        ("10.0.0.2", {"TRUSTED_PROXIES": "10.0.0.2"}, {"X-Forwarded-Proto": "https"}, True),
        ("192.0.2.50", {"TRUSTED_PROXIES": "10.0.0.2"}, {"X-Forwarded-Proto": "https"}, False),
        ("testclient", {"REDIS_URL": "redis://127.0.0.1:6379/13"}, {}, True),
        ("testclient", {"REDIS_URL": "redis://127.0.0.1:6379/13", "COOKIE_SECURE": "false"}, {}, False),
        ("testclient", {"COOKIE_SECURE": "true"}, {}, True),
    ],
    ids=["embedded", "trusted-proxy-https", "untrusted-forwarded-proto", "production", "production-opt-out", "forced"],
)
def test_session_cookie_is_secure_behind_tls_or_in_production(
    make_client: MakeClient, session: Session, peer: str, overrides: dict, headers: dict, secure: bool
) -> None:
    auth.create_local_user(session, username="admin", password=PASSWORD, is_superuser=True)
    session.commit()
    client = make_client(peer=peer, **overrides)

    page, response = _sign_in_through(client, headers)

    assert response.status_code == 303, response.text
    assert ("; secure" in cookie_attributes(response)) is secure
    (form_cookie,) = [c for c in page.headers.get_list("set-cookie") if c.startswith(f"{CSRF_COOKIE}=")]
    assert ("; secure" in form_cookie.lower()) is secure


def test_login_page_warns_when_its_secure_cookie_would_be_dropped(make_client: MakeClient) -> None:
    production = {"REDIS_URL": "redis://127.0.0.1:6379/13"}
    plain_http = make_client(**production).get("/auth/login")
    behind_tls = make_client(peer="10.0.0.2", TRUSTED_PROXIES="10.0.0.2", **production).get(
        "/auth/login", headers={"X-Forwarded-Proto": "https"}
    )

    assert "the sign-in cookie is only sent over HTTPS" in plain_http.text
    assert "the sign-in cookie is only sent over HTTPS" not in behind_tls.text
