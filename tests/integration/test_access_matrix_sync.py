"""Role matrix of the month table's sync bar (issue #17): its mount (`load`), "Sync month" (`sync_from_inventory`)
and "Poll the month's printers" (`can_poll_all_printers`), each called directly on the server with the Cookie
header of every monthly-report role, a user without groups, a superuser and nobody. A refused call queues nothing
and takes no lock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport, Organization
from printer_app.services.reports import sync_lock
from tests.factories import make_printer
from tests.integration.state_fixtures import app_db, run_handler  # noqa: F401
from tests.integration.test_access_matrix import REPORTS, Who, _refusal, _signed_in, _state

ROLES = ("Monthly reports — Viewer", "Monthly reports — Sync", "Monthly reports — Poll all printers")
SYNC = (REPORTS, "monthly_report.sync_from_inventory")
POLL = (REPORTS, "monthly_report.can_poll_all_printers")
KEY = "2026-10"


@pytest.fixture
def sync_people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    """One signed-in user per role (and no groups, a superuser, nobody); an open, published 2026-10 whose row's
    serial belongs to a printer."""
    people = _signed_in(session, ROLES, prefix="sync")
    session.add(Organization(name="Matrix org"))
    session.add(MonthlyReport(month=date(2026, 10, 1), organization="Matrix org", serial_number="SYNC-1"))
    session.add(MonthControl(month=date(2026, 10, 1), is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    make_printer(session, ip_address="127.31.0.1", serial_number="SYNC-1")
    session.commit()
    return people


def _queued() -> dict[str, int]:
    from workers.broker import broker

    return {name: broker.queues[name].qsize() for name in broker.queues}


def _call(who: Who, handler: str):
    """Run a MonthSyncState handler on a tab of the month; (state, result, whether a message was queued). The queues
    are emptied and the month's lock freed afterwards, for the next person."""
    from printer_app.state.reports.month_sync import MonthSyncState
    from workers.broker import broker

    state = _state(MonthSyncState, who, f"/reports/{KEY}", {"month": KEY})
    state.sync_month_key = KEY
    before = _queued()
    result = run_handler(getattr(MonthSyncState, handler), state)
    grown = sum(size - before.get(name, 0) for name, size in _queued().items())
    for name in list(broker.queues):
        broker.flush(name)
    if (token := sync_lock.holder(KEY)) is not None:
        sync_lock.release(KEY, token)
    return state, result, grown > 0


@pytest.mark.parametrize(("handler", "perms"), [("start_sync", SYNC), ("poll_printers", POLL)])
def test_sync_bar_actions(sync_people: dict[str, Who], handler: str, perms: tuple[str, ...]) -> None:
    outcomes = set()
    for who in sync_people.values():
        state, result, queued = _call(who, handler)
        refusal = _refusal(result, state)
        if who.name == "anonymous":
            assert refusal == "login" and not queued, f"{handler}: a signed-out caller must be refused"
        elif who.holds(perms):
            assert refusal is None and queued, f"{handler}: {who.name} holds {perms} and must succeed ({result!r})"
        else:
            assert refusal == "toast" and not queued, f"{handler}: {who.name} must be refused, nothing queued"
        outcomes.add(refusal)
    assert None in outcomes and "toast" in outcomes


def test_sync_bar_load(sync_people: dict[str, Who]) -> None:
    from printer_app.state.reports.month_sync import MonthSyncState

    for who in sync_people.values():
        state = _state(MonthSyncState, who, f"/reports/{KEY}", {"month": KEY})
        refusal = _refusal(run_handler(MonthSyncState.load, state), state)
        if who.name == "anonymous":
            assert refusal == "login"
        elif who.holds((REPORTS,)):
            assert refusal is None and state.sync_month_key == KEY and state.sync_blocked == "", who.name
        else:
            assert refusal == "toast" and state.sync_month_key == "", f"{who.name} must not read the month"


def test_a_second_sync_while_one_is_queued_is_refused(sync_people: dict[str, Who]) -> None:
    from printer_app.state.reports.month_sync import MonthSyncState

    who = sync_people["Monthly reports — Sync"]
    state = _state(MonthSyncState, who, f"/reports/{KEY}", {"month": KEY})
    state.sync_month_key = KEY
    assert sync_lock.claim(KEY, "running-elsewhere")
    try:
        before = _queued()
        result = run_handler(MonthSyncState.start_sync, state)
        assert "already running" in repr(result) and _queued() == before
    finally:
        sync_lock.release(KEY, "running-elsewhere")


def test_a_tab_opened_mid_run_shows_the_run(sync_people: dict[str, Who]) -> None:
    from printer_app.state.reports.month_sync import MonthSyncState

    who = sync_people["Monthly reports — Viewer"]
    state = _state(MonthSyncState, who, f"/reports/{KEY}", {"month": KEY})
    assert sync_lock.claim(KEY, "running-elsewhere")
    try:
        sync_lock.save_progress(KEY, {"month": KEY, "done": 500, "total": 5000, "status": "running", "stats": {}})
        run_handler(MonthSyncState.load, state)
        assert (state.sync_running, state.sync_done, state.sync_percent) == (True, 500, 10)
        assert state.progress_text == "500 / 5,000"
    finally:
        sync_lock.release(KEY, "running-elsewhere")
    run_handler(MonthSyncState.load, state)
    assert not state.sync_running


def test_every_signed_in_user_may_close_the_poll_all_card(sync_people: dict[str, Who]) -> None:
    """The card shows on the month page too: a reports-only user must be able to close it (in that tab only)."""
    from printer_app.state.live.state import LiveState

    for who in sync_people.values():
        state = _state(LiveState, who, f"/reports/{KEY}", {"month": KEY})
        state.batch_id = "run-1"
        refusal = _refusal(run_handler(LiveState.dismiss_batch, state), state)
        if who.name == "anonymous":
            assert refusal == "login" and state.dismissed_batch == ""
        else:
            assert refusal is None and state.dismissed_batch == "run-1", who.name
