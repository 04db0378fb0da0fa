"""Calling the app's real Reflex states on the server, as a signed-in browser tab would (import into test modules).

from tests.integration.state_fixtures import app_db, signed_in, tab  # noqa: F401
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.istate.proxy import StateProxy
from reflex_base.event.context import EventContext
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups

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


def session_cookie(session: Session, *, username: str, superuser: bool = False, groups: tuple[str, ...] = ()) -> str:
    """The Cookie header of a new local user's fresh session (roles bootstrapped, in these groups)."""
    bootstrap_roles(session)
    user = auth.create_local_user(session, username=username, password=PASSWORD, is_superuser=superuser)
    set_user_groups(session, user=user, group_names=list(groups), actor_id=None)
    raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    session.commit()
    return f"pi_session={auth.SessionCookie().sign(raw)}"


@pytest.fixture
def signed_in(app_db: str, session: Session) -> str:
    """The Cookie header of a signed-in superuser."""
    return session_cookie(session, username="root", superuser=True)


def app_states(cls: type[rx.State] = rx.State) -> Iterator[type[rx.State]]:
    """Every state class of the app (not Reflex's own), parents before their substates."""
    for sub in cls.get_substates():
        if sub.__module__.startswith("printer_app."):
            yield sub
        yield from app_states(sub)


def _router_data(cookie: str, path: str) -> dict:
    headers = {"cookie": cookie, "user-agent": "state-test", "origin": "http://localhost:3000"}
    return {"headers": headers, "pathname": path, "asPath": path, "query": {}}


def tab(cls: type[rx.State], cookie: str, path: str = "/") -> rx.State:
    """The state instance of `cls` in a fresh tree, as the browser's websocket with this Cookie header would see."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(_router_data(cookie, path))
    return root.get_substate(cls.get_full_name().split("."))


def run_handler(handler, state: rx.State, *args):
    """An event handler on a tab's state, run as Reflex runs it: called inside an event loop (a sync handler runs on
    the loop's thread), a coroutine awaited, the answers of a generator listed."""
    return asyncio.run(_run(handler, state, args))


async def _run(handler, state: rx.State, args: tuple):
    outcome = handler.fn(state, *args)
    if inspect.iscoroutine(outcome):
        return await outcome
    if inspect.isasyncgen(outcome):
        return [answer async for answer in outcome]
    return outcome


def run_background(cls: type[rx.State], handler, cookie: str, path: str, *args) -> list:
    """A background handler as Reflex runs one: on a StateProxy of a tab a state manager keeps, outside its lock.

    Returns what the handler answered (its return value, or everything it yielded)."""
    return asyncio.run(_background(cls, handler, cookie, path, args))[0]


def run_background_with(
    cls: type[rx.State], handler, cookie: str, path: str, *args, values: dict, read: tuple[str, ...]
) -> tuple[list, dict]:
    """`run_background` on a tab whose state first holds `values`; also returns the vars `read` afterwards."""
    return asyncio.run(_background(cls, handler, cookie, path, args, values=values, read=read))


async def _background(
    cls: type[rx.State], handler, cookie: str, path: str, args: tuple, *, values: dict | None = None, read=()
) -> tuple[list, dict]:
    async def ignore(*_args, **_kwargs) -> None:
        return None

    manager, token = StateManagerMemory(), "tab-" + secrets.token_hex(6)
    context = EventContext(
        token=token, state_manager=manager, enqueue_impl=ignore, emit_delta_impl=ignore, emit_event_impl=ignore
    )
    state_token = BaseStateToken(ident=token, cls=cls)
    try:
        with context:
            async with manager.modify_state(state_token) as root:
                root.router_data = _router_data(cookie, path)
                root.router = RouterData.from_router_data(root.router_data)
                state = await root.get_state(cls)
                for name, value in (values or {}).items():
                    setattr(state, name, value)
            outcome = handler.fn(StateProxy(state), *args)
            answers = [answer async for answer in outcome] if inspect.isasyncgen(outcome) else [await outcome]
            async with manager.modify_state(state_token) as root:
                state = await root.get_state(cls)
                return answers, {name: getattr(state, name) for name in read}
    finally:
        await manager.close()
