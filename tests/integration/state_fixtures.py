"""Calling the app's real Reflex states on the server, as a signed-in browser tab would (import into test modules).

from tests.integration.state_fixtures import app_db, signed_in, tab  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.services import auth
from printer_app.services.roles import bootstrap_roles

PASSWORD = "State-password-2026"


@pytest.fixture
def app_db(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app's settings and engine at the test database (what the states use), roles bootstrapped."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "matrix-" + "k" * 40)  # the same key for every test: the app module is cached
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    import printer_app.printer_app  # noqa: F401  (registers every state of the app)

    yield db_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def session_cookie(session: Session, *, username: str, superuser: bool = False) -> str:
    """The Cookie header of a new local user's fresh session (roles bootstrapped, no groups)."""
    bootstrap_roles(session)
    user = auth.create_local_user(session, username=username, password=PASSWORD, is_superuser=superuser)
    raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    session.commit()
    return f"pi_session={auth.SessionCookie().sign(raw)}"


@pytest.fixture
def signed_in(app_db: str, session: Session) -> str:
    """The Cookie header of a signed-in superuser."""
    return session_cookie(session, username="root", superuser=True)


def tab(cls: type[rx.State], cookie: str, path: str = "/") -> rx.State:
    """The state instance of `cls` in a fresh tree, as the browser's websocket with this Cookie header would see."""
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "state-test", "origin": "http://localhost:3000"}
    root.router = RouterData.from_router_data({"headers": headers, "pathname": path, "asPath": path, "query": {}})
    return root.get_substate(cls.get_full_name().split("."))
