"""A "Poll now" whose result never reaches the tab (its publish lost, or the worker died before recording): once the
poll actor's time limit has passed, the tab looks in the database and says what happened instead of spinning on.

The tab's real LiveState (in a state tree with a signed-in user's cookie) asks to poll; the embedded broker keeps
the message and no worker runs it, so no live update ever comes. What the database holds decides the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import get_engine
from printer_app.models.base import utcnow
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.access import auth
from tests.factories import make_poll, make_printer
from tests.integration.state_fixtures import run_handler


@pytest.fixture
def tab(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[rx.State]:
    """The LiveState of a tab signed in as a superuser, on the test database in embedded mode."""
    from printer_app.state.live.state import LiveState
    from workers.broker import broker

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "matrix-" + "k" * 40)  # the key of the access matrix: one app module per run
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    user = auth.create_local_user(session, username="operator", password="Operator-password-2026", is_superuser=True)
    raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
    session.commit()
    root = rx.State(_reflex_internal_init=True)
    cookie = f"pi_session={auth.SessionCookie().sign(raw)}"
    root.router = RouterData.from_router_data(
        {"headers": {"cookie": cookie}, "pathname": "/printers", "asPath": "/printers", "query": {}}
    )
    yield root.get_substate(LiveState.get_full_name().split("."))
    broker.flush_all()
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def _wait_past_the_limit(tab: rx.State) -> list:
    """What the tab's listener does at its first check after the time limit: the late answers, applied."""
    from printer_app.state.live.requests import late_events, result_timeout

    overdue = tab._overdue(max(tab._requested.values()) + result_timeout(), result_timeout())
    late = asyncio.run(late_events(overdue))
    return [repr(notice) for notice in tab._apply_events(late, shown=set())] if late else []


def _overdue_before_the_limit(tab: rx.State) -> list:
    """Before the time limit the tab keeps waiting: a slow poll is not declared lost."""
    from printer_app.state.live.requests import result_timeout

    return list(tab._overdue(min(tab._requested.values()) + result_timeout() - 1, result_timeout()))


def test_a_poll_now_without_a_result_is_answered_from_the_database(tab: rx.State, session: Session) -> None:
    from printer_app.state.live.requests import result_timeout
    from printer_app.state.live.state import LiveState

    never, lost = make_printer(session, ip_address="127.40.0.1"), make_printer(session, ip_address="127.40.0.2")
    make_poll(session, never, status=TaskStatus.SUCCESS)  # before the request: not its answer
    session.commit()
    for printer in (never, lost):
        run_handler(LiveState.poll_now, tab, printer.id)
    make_poll(session, lost, status=TaskStatus.FAILED, error="No answer from the agent", at=utcnow())
    session.commit()  # stored by a worker whose inventory_update never arrived
    assert tab.pending == tab.polling_ids == sorted([never.id, lost.id])
    assert _overdue_before_the_limit(tab) == []

    notices = _wait_past_the_limit(tab)

    assert tab.pending == tab.polling_ids == [], "no spinner left"
    assert len(notices) == 2
    assert any("127.40.0.1: no result from the worker; the poll may not have run" in n for n in notices)
    assert any("127.40.0.2: Failed. No answer from the agent" in n for n in notices)
    assert tab._overdue(time.time() + 3600, result_timeout()) == {}, "answered once"


def test_a_late_no_result_leaves_a_newer_request_of_the_same_printer_waiting(tab: rx.State, session: Session) -> None:
    from printer_app.state.live.requests import NO_RESULT, late_events, result_timeout
    from printer_app.state.live.state import LiveState

    printer = make_printer(session, ip_address="127.40.0.3")
    session.commit()
    run_handler(LiveState.poll_now, tab, printer.id)
    late = asyncio.run(late_events(tab._overdue(tab._requested[printer.id] + result_timeout(), result_timeout())))
    assert [kind for kind, _ in late] == [NO_RESULT]
    run_handler(LiveState.poll_now, tab, printer.id)  # clicked again before the listener applied the answer
    tab._requested = {printer.id: tab._requested[printer.id] + 1}  # (the clock moved on between the clicks)

    assert tab._apply_events(late, shown=set()) == []
    assert tab.pending == tab.polling_ids == [printer.id]

    tab._apply_events(
        [(events.INVENTORY_UPDATE, {"printer_id": printer.id, "ip": "127.40.0.3", "status": "SUCCESS"})], shown=set()
    )
    assert tab.pending == tab.polling_ids == [] and tab._requested == {}


def _listen_on_printers_page(
    tab: rx.State, token: str, shown: list, asked: list, stored: Callable[[Session], None], notices_wanted: int
) -> tuple[list[str], rx.State, rx.State]:
    """Run the tab's real listener (Reflex's in-memory state manager and background-task proxy) on /printers:
    the page shows `shown`, the tab asked to poll `asked`, then `stored` writes polls (their live updates are lost);
    returns the listener's notices (once `notices_wanted` came, or after 30 s), LiveState and PrintersState."""
    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.token import BaseStateToken
    from reflex.istate.proxy import StateProxy
    from reflex_base.event.context import EventContext

    from printer_app.db import session_scope
    from printer_app.services.inventory.printer_list import rows_by_ids
    from printer_app.state.inventory.printers import PrintersState
    from printer_app.state.live.state import LiveState
    from printer_app.state.view import printer_view

    router = {"headers": {"cookie": tab.router.headers.cookie}, "pathname": "/printers", "token": token}

    async def ignore(*_args) -> None:
        return None

    async def scenario() -> tuple[list[str], rx.State, rx.State]:
        manager = StateManagerMemory()
        with EventContext(token=token, state_manager=manager, enqueue_impl=ignore, emit_delta_impl=ignore):
            state_token = BaseStateToken(ident=token, cls=LiveState)
            async with manager.modify_state(state_token) as root:
                root.router = RouterData.from_router_data(router)
                live, printers = await root.get_state(LiveState), await root.get_state(PrintersState)
                with session_scope() as s:  # the page's query
                    printers.rows = [printer_view(r) for r in rows_by_ids(s, [p.id for p in shown])]
                for printer in asked:
                    await LiveState.poll_now.fn(live, printer.id)
            with session_scope(write=True) as s:
                stored(s)
            notices: list[str] = []

            async def listen() -> None:
                async for notice in LiveState.listen.fn(StateProxy(live), "printers"):
                    notices.append(repr(notice))

            task = asyncio.create_task(listen())
            give_up = asyncio.get_running_loop().time() + 30  # reached only when the listener never answers
            try:
                while len(notices) < notices_wanted and not task.done() and asyncio.get_running_loop().time() < give_up:
                    await asyncio.sleep(0.02)
            finally:
                task.cancel()
            root = await manager.get_state(state_token)
            return notices, await root.get_state(LiveState), await root.get_state(PrintersState)

    return asyncio.run(scenario())


def test_the_listening_tab_answers_a_lost_result_after_the_time_limit(
    tab: rx.State, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tab's listener looks the overdue requests up at its periodic check, shows the poll stored meanwhile in
    the row, and ends the spinners."""
    from printer_app.state.live import state as live_state

    monkeypatch.setattr(live_state, "RECHECK_SECONDS", 0.05)
    monkeypatch.setattr(live_state, "result_timeout", lambda: 0.0)  # the time limit has passed at once
    never, lost = make_printer(session, ip_address="127.40.0.4"), make_printer(session, ip_address="127.40.0.5")
    session.commit()

    def stored(s: Session) -> None:  # a worker stores a poll; its live update is lost
        make_poll(s, s.get(type(lost), lost.id), status=TaskStatus.FAILED, error="Timeout", at=utcnow())

    notices, live, printers = _listen_on_printers_page(tab, "listener-tab", [never, lost], [never, lost], stored, 2)

    assert live.pending == live.polling_ids == []
    assert len(notices) == 2
    assert any("127.40.0.4: no result from the worker; the poll may not have run" in n for n in notices)
    assert any("127.40.0.5: Failed. Timeout" in n for n in notices)
    shown = {r.ip_address: r.status for r in printers.rows}
    assert shown == {"127.40.0.4": TaskStatus.NEVER_RUN, "127.40.0.5": TaskStatus.FAILED}


def test_a_tab_whose_listener_attaches_late_shows_what_was_stored_before(tab: rx.State, session: Session) -> None:
    """Between the page's query and its listener attaching to the hub, a poll of a shown printer was stored and
    published (nobody heard it), and a "Poll now" of this tab was answered: the listener reads both when it attaches,
    without waiting for a time limit."""
    shown, asked = make_printer(session, ip_address="127.40.0.6"), make_printer(session, ip_address="127.40.0.7")
    session.commit()

    def stored(s: Session) -> None:  # both polls stored before the listener attached
        make_poll(s, s.get(type(shown), shown.id), status=TaskStatus.SUCCESS, at=utcnow())
        make_poll(s, s.get(type(asked), asked.id), status=TaskStatus.FAILED, error="Timeout", at=utcnow())

    notices, live, printers = _listen_on_printers_page(tab, "late-listener-tab", [shown, asked], [asked], stored, 1)

    assert [n for n in notices if "127.40.0.7: Failed. Timeout" in n], notices
    assert live.pending == live.polling_ids == []
    assert {r.ip_address: r.status for r in printers.rows} == {
        "127.40.0.6": TaskStatus.SUCCESS,
        "127.40.0.7": TaskStatus.FAILED,
    }
