"""The /auth endpoints on a Starlette app, as printer_app.py mounts them, and a TestClient browser for them.

Import the fixtures into a test module: `from tests.integration.auth_fixtures import make_client_fixture  # noqa: F401`.
`make_client(peer="203.0.113.7", SETTING=value)` builds an app with those settings and a browser whose requests
arrive from that peer address (Starlette's TestClient otherwise reports the peer "testclient").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from printer_app.api.auth import install
from printer_app.api.permissions import require_permission
from printer_app.config import Settings
from printer_app.models import UserSession
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles
from tests.integration.oidc_fixtures import APP_URL, OidcProvider

SECRET = "integration-test-secret-key-0123456789"
PASSWORD = "correct horse battery staple"
MakeClient = Callable[..., TestClient]


@require_permission("inventory.run_inventory")
async def _guarded(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.state.user.username})


@pytest.fixture(name="make_client")
def make_client_fixture(engine: Engine, session: Session, tmp_path) -> Iterator[MakeClient]:
    """Builds the app the way printer_app.py does (install on a Starlette app) and a browser for it."""
    bootstrap_roles(session)
    session.commit()
    clients: list[TestClient] = []

    @contextmanager
    def sessions() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except Exception:
                s.rollback()
                raise

    def build(provider: OidcProvider | None = None, *, peer: str = "testclient", **overrides) -> TestClient:
        values = {"_env_file": None, "DATA_DIR": tmp_path, "SECRET_KEY": SECRET} | overrides
        if provider is not None:
            values |= {
                "OIDC_ISSUER": provider.issuer,
                "OIDC_CLIENT_ID": provider.client_id,
                "OIDC_CLIENT_SECRET": provider.client_secret,
            }
        app = Starlette(routes=[Route("/api/guarded", _guarded)])
        install(app, settings=Settings(**values), session_factory=sessions)
        client = TestClient(app, base_url=APP_URL, follow_redirects=False, client=(peer, 50000))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture(name="local")
def local_fixture(make_client: MakeClient, session: Session) -> TestClient:
    """A browser for an app with two local accounts: the superuser "admin" and "viewer" (no groups)."""
    auth.create_local_user(session, username="admin", password=PASSWORD, is_superuser=True)
    auth.create_local_user(session, username="viewer", password=PASSWORD)
    session.commit()
    return make_client()


def form_token(client: TestClient, next_url: str = "/") -> str:
    """Open the login page (as a browser would) and return its form token; the page also set the token cookie."""
    page = client.get("/auth/login", params={"next": next_url})
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def local_sign_in(client: TestClient, username: str, password: str, next_url: str = "/", **request):
    """Submit the login form like a browser: fetch the page for its token, then post the form."""
    form = {"csrf_token": form_token(client, next_url), "next": next_url, "username": username, "password": password}
    return client.post("/auth/login", data=form, **request)


def cookie_attributes(response) -> str:
    (line,) = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{auth.SESSION_COOKIE}=")]
    return line.lower()


def only_session(session: Session) -> UserSession:
    session.expire_all()
    (row,) = session.exec(select(UserSession)).all()
    return row
