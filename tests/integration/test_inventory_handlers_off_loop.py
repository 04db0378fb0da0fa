"""The inventory pages' handlers and the live listener read and write the database in worker threads, never on the
event loop: a statement run there blocks every tab the backend serves until the database answers.

Each handler runs as Reflex runs it, on an event loop (`run_handler`); a SQLAlchemy `before_cursor_execute`
listener on the engines notes the thread of every statement meanwhile. None may come from the loop's thread,
and each handler must have done its database work (otherwise the check proves nothing).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.istate.proxy import StateProxy
from reflex_base.event.context import EventContext
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import Organization, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import TaskStatus
from tests.factories import make_org, make_poll, make_printer
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401


class Statements:
    """The statements sent to the app's database while it is open, by the thread that sent them."""

    def __init__(self) -> None:
        self.threads: list[tuple[threading.Thread, str]] = []

    def on(self, thread: threading.Thread) -> list[str]:
        return [statement for sent_by, statement in self.threads if sent_by is thread]


@contextmanager
def statements() -> Iterator[Statements]:
    seen = Statements()

    def note(_conn, _cursor, statement: str, *_args) -> None:
        seen.threads.append((threading.current_thread(), statement))

    event.listen(Engine, "before_cursor_execute", note)  # every engine: the app keeps one per `write` flag
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def off_loop(handler, state: rx.State, *args) -> object:
    """Run the handler on an event loop of this thread; fails if it sent a statement from that thread or none."""
    with statements() as seen:
        answer = run_handler(handler, state, *args)
    on_loop = seen.on(threading.current_thread())  # asyncio.run drives its loop in the calling thread
    assert on_loop == [], f"{handler.fn.__qualname__} ran statements on the event loop: {on_loop[:3]}"
    assert seen.threads, f"{handler.fn.__qualname__} did no database work: this check proves nothing"
    return answer


@pytest.fixture
def printer(signed_in: str, session: Session) -> Printer:  # noqa: F811
    org = make_org(session, name="Off-loop org")
    printer = make_printer(session, ip_address="127.50.0.1", serial_number="OFFLOOP1", organization_id=org.id)
    make_poll(session, printer, status=TaskStatus.SUCCESS, at=utcnow(), counters={"total_pages": 1000})
    session.commit()
    return printer


def test_printers_list(signed_in: str, printer: Printer) -> None:  # noqa: F811
    from printer_app.state.inventory.printers import PrintersState

    state = tab(PrintersState, signed_in, "/printers")
    off_loop(PrintersState.load, state)
    assert [r.ip_address for r in state.rows] == ["127.50.0.1"]
    off_loop(PrintersState.set_search, state, "nothing like it")
    assert state.rows == []
    off_loop(PrintersState.reset_filters, state)
    off_loop(PrintersState.sort_by, state, "total")
    off_loop(PrintersState.go_to, state, 1)
    off_loop(PrintersState.set_filter, state, "status", TaskStatus.SUCCESS.value)
    assert [r.ip_address for r in state.rows] == ["127.50.0.1"]


def test_printer_detail(signed_in: str, printer: Printer) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    state = tab(PrinterDetailState, signed_in, f"/printers/{printer.id}")
    off_loop(PrinterDetailState.load, state)
    assert (state.identity["Organization"], state.polls_total, state.not_found) == ("Off-loop org", 1, "")
    off_loop(PrinterDetailState.set_status_filter, state, TaskStatus.FAILED.value)
    assert state.polls_total == 0
    off_loop(PrinterDetailState.set_chart_days, state, "7")
    assert (state.chart_days, state.usage_ready) == ("7", False)  # re-read: one poll, no pages per day yet
    off_loop(PrinterDetailState.accept_baseline, state)
    assert "Counter baseline" in state.identity


def test_printer_form(signed_in: str, printer: Printer, session: Session) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_form import PrinterFormState

    state = tab(PrinterFormState, signed_in, "/printers")
    off_loop(PrinterFormState.open_new, state)
    assert [name for _, name in state.org_options] == ["Off-loop org"]
    state.ip_address, state.serial_number = "127.50.0.2", "OFFLOOP2"
    assert "added" in repr(off_loop(PrinterFormState.save, state))
    off_loop(PrinterFormState.open_edit, state, printer.id)
    state.serial_number = "OFFLOOP1-B"
    assert "updated" in repr(off_loop(PrinterFormState.save, state))
    added = session.exec(select(Printer).where(Printer.ip_address == "127.50.0.2")).one()
    state.confirm_delete_id, state.confirm_delete_label = added.id, added.ip_address
    assert "deleted" in repr(off_loop(PrinterFormState.confirm_delete, state))
    session.expire_all()
    assert session.get(Printer, printer.id).serial_number == "OFFLOOP1-B"


def test_organizations(signed_in: str, printer: Printer, session: Session) -> None:  # noqa: F811
    from printer_app.state.inventory.organizations import OrganizationsState

    state = tab(OrganizationsState, signed_in, "/organizations")
    off_loop(OrganizationsState.load, state)
    assert [r["name"] for r in state.rows] == ["Off-loop org"]
    off_loop(OrganizationsState.open_new, state)
    state.name = "Second org"
    assert "saved" in repr(off_loop(OrganizationsState.save, state))
    second = session.exec(select(Organization).where(Organization.name == "Second org")).one()
    off_loop(OrganizationsState.open_edit, state, second.id)
    state.name = "Second org, renamed"
    off_loop(OrganizationsState.save, state)
    assert "inactive" in repr(off_loop(OrganizationsState.toggle_active, state, second.id, True))
    off_loop(OrganizationsState.set_show, state, "inactive")
    assert [r["name"] for r in state.rows] == ["Second org, renamed"]


def test_dashboard(signed_in: str, printer: Printer) -> None:  # noqa: F811
    from printer_app.state.inventory.dashboard import DashboardState

    state = tab(DashboardState, signed_in, "/")
    off_loop(DashboardState.load, state)
    assert (state.counts["total"], state.access) == (1, "ok")


def test_discovery(signed_in: str, printer: Printer) -> None:  # noqa: F811
    from printer_app.state.inventory.discovery import DiscoveryState
    from workers.broker import broker

    state = tab(DiscoveryState, signed_in, "/discover")
    off_loop(DiscoveryState.load, state)
    assert [name for _, name in state.org_options] == ["Off-loop org"]
    state.targets = "127.50.0.10-127.50.0.12"
    try:
        off_loop(DiscoveryState.start, state)  # the permission check is its only database work
        assert state.job_id and state.total == 3
    finally:
        broker.flush_all()
    state._apply({"job_id": state.job_id, "scanned": 3, "total": 3, "found": [_found("127.50.0.10")]}, set())
    assert "Added 1" in repr(off_loop(DiscoveryState.add_selected, state))


def test_poll_now(signed_in: str, printer: Printer) -> None:  # noqa: F811
    from printer_app.state.live.state import LiveState
    from workers.broker import broker

    state = tab(LiveState, signed_in, "/printers")
    try:
        off_loop(LiveState.poll_now, state, printer.id)  # the permission check is its only database work
    finally:
        broker.flush_all()
    assert state.pending == [printer.id]


@pytest.mark.parametrize("page", ["printers", "detail", "dashboard"])
def test_the_live_listener_rereads_the_page_off_the_loop(signed_in: str, printer: Printer, page: str) -> None:  # noqa: F811
    """The listener's catch-up when it attaches re-reads what the page shows, as after a finished poll."""
    from printer_app.state.inventory.dashboard import DashboardState
    from printer_app.state.inventory.printer_detail import PrinterDetailState
    from printer_app.state.inventory.printers import PrintersState
    from printer_app.state.view import PrinterView

    def shows_printers(state: rx.State) -> None:
        state.rows = [PrinterView(id=printer.id)]  # the row as the page's query left it, to be re-read

    def shows_detail(state: rx.State) -> None:
        state.printer_id = printer.id

    cases: dict[str, tuple[type[rx.State], Callable, Callable[[rx.State], bool]]] = {
        "printers": (PrintersState, shows_printers, lambda s: s.rows[0].ip_address == "127.50.0.1"),
        "detail": (PrinterDetailState, shows_detail, lambda s: s.identity.get("IP address") == "127.50.0.1"),
        "dashboard": (DashboardState, lambda _s: None, lambda s: s.counts.get("total") == 1),
    }
    cls, prepare, refreshed = cases[page]
    with statements() as seen:
        state = asyncio.run(_listen(signed_in, page, cls, prepare, refreshed))
    assert refreshed(state), f"the listener did not re-read the {page} page"
    assert seen.threads and seen.on(threading.current_thread()) == []


async def _listen(
    cookie: str, page: str, cls: type[rx.State], prepare: Callable, refreshed: Callable[[rx.State], bool]
) -> rx.State:
    """Run the tab's real listener on `page` (Reflex's in-memory state manager and background-task proxy) until the
    page state is `refreshed` (or 30 s passed); returns the page state."""
    from printer_app.state.live.state import LiveState

    async def ignore(*_args) -> None:
        return None

    token = "off-loop-" + secrets.token_hex(4)
    manager = StateManagerMemory()
    state_token = BaseStateToken(ident=token, cls=LiveState)
    router = {"headers": {"cookie": cookie}, "pathname": "/", "token": token}
    with EventContext(token=token, state_manager=manager, enqueue_impl=ignore, emit_delta_impl=ignore):
        async with manager.modify_state(state_token) as root:
            root.router = RouterData.from_router_data(router)
            live = await root.get_state(LiveState)
            prepare(await root.get_state(cls))

        async def listen() -> None:
            async for _notice in LiveState.listen.fn(StateProxy(live), page):
                pass

        task = asyncio.create_task(listen())
        loop = asyncio.get_running_loop()
        give_up = loop.time() + 30
        try:
            while loop.time() < give_up and not task.done():
                root = await manager.get_state(state_token)
                if refreshed(await root.get_state(cls)):
                    break
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
        root = await manager.get_state(state_token)
        return await root.get_state(cls)


def _found(ip: str) -> dict:
    return {"ip": ip, "manufacturer": "HP", "model": "LaserJet", "serial": "FOUND1", "mac": "", "total_pages": 5}
