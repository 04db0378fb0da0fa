"""Role x page/action matrix of the month history (issue #17 "History and revert"), like test_access_matrix.py:
the real states called directly with a browser's Cookie header, for the monthly-report roles Viewer, History,
Editors (end) and Managers, a user without groups, a superuser and nobody. A refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from printer_app.models import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport
from printer_app.services.reports.change_log import log_changes
from tests.integration.state_fixtures import app_db, run_handler  # noqa: F401
from tests.integration.test_access_matrix import Who, _refusal, _signed_in, _state

ROLES = (
    "Monthly reports — Viewer",
    "Monthly reports — History",
    "Monthly reports — Editors (end)",
    "Monthly reports — Managers",
)
ACCESS = "monthly_report.access_monthly_report"
HISTORY = (ACCESS, "monthly_report.view_change_history")
REVERT = (*HISTORY, "monthly_report.edit_counters_end")
MONTH = date(2026, 10, 1)


@pytest.fixture
def people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    """One signed-in user per role, and a published open month 2026-10: one row with one logged change, one bulk
    operation."""
    people = _signed_in(session, ROLES, prefix="hist")
    session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    row = MonthlyReport(month=MONTH, organization="Matrix org", serial_number="H1", a4_bw_end=7)
    session.add(row)
    session.add(BulkChangeLog(operation_type="excel_upload", month=MONTH, records_affected=1))
    session.flush()
    log_changes(session, [(row.id, "a4_bw_end", 5, 7)])
    session.commit()
    return people


def _row(session: Session) -> MonthlyReport:
    session.expire_all()
    return session.exec(select(MonthlyReport).where(MonthlyReport.serial_number == "H1")).one()


def _page(module: str, cls_name: str, path: str) -> Callable:
    def call(who: Who, session: Session):
        import importlib

        cls = getattr(importlib.import_module(module), cls_name)
        state = _state(cls, who, path, {"month": "2026-10"})
        return state, run_handler(cls.load, state), 0

    return call


PAGES = {
    "/reports/[month]/history": (
        HISTORY,
        _page("printer_app.state.reports.month_history", "MonthHistoryState", "/reports/2026-10/history"),
    ),
    "/reports/[month]/log": (
        HISTORY,
        _page("printer_app.state.reports.month_log", "MonthLogState", "/reports/2026-10/log"),
    ),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_pages(people: dict[str, Who], session: Session, name: str) -> None:
    perms, call = PAGES[name]
    for who in people.values():
        state, result, _ = call(who, session)
        refusal = _refusal(result, state)
        if who.name == "anonymous":
            assert refusal == "login"
        elif who.holds(perms):
            assert refusal is None and state.access == "ok" and state.rows, f"{who.name} must see {name}"
        else:
            assert refusal == "denied" and not state.rows, f"{who.name} must not see {name}"


def _open_panel(who: Who, session: Session):
    from printer_app.state.reports.row_history import RowHistoryState

    state = _state(RowHistoryState, who, "/reports/2026-10")
    result = run_handler(RowHistoryState.open_row, state, _row(session).id)
    return state, result, int(bool(state.entries))


def _list(module: str, cls_name: str, path: str, handler: str, *args) -> Callable:
    def call(who: Who, session: Session):
        import importlib

        cls = getattr(importlib.import_module(module), cls_name)
        state = _state(cls, who, path, {"month": "2026-10"})
        state.report_month = "2026-10"
        result = run_handler(getattr(cls, handler), state, *args)
        return state, result, int(bool(state.rows))

    return call


def _revert(who: Who, session: Session):
    """Confirm the revert of a fresh change 7 -> 9 of the row, as the dialog's button sends it."""
    from printer_app.state.reports.row_history import RowHistoryState

    row = _row(session)
    row.a4_bw_end = 9
    log_changes(session, [(row.id, "a4_bw_end", 7, 9)])
    session.commit()
    entry = session.exec(select(CounterChangeLog).order_by(CounterChangeLog.id.desc())).first()
    lines = len(session.exec(select(CounterChangeLog)).all())
    state = _state(RowHistoryState, who, "/reports/2026-10")
    state.confirm_id = entry.id
    result = run_handler(RowHistoryState.confirm_revert, state)
    row = _row(session)
    reverted = row.a4_bw_end == 7
    assert reverted == (len(session.exec(select(CounterChangeLog)).all()) == lines + 1), "a revert logs one line"
    row.a4_bw_end, row.a4_bw_end_manual = 7, False
    session.commit()
    return state, result, int(reverted)


def _ask_revert(who: Who, session: Session):
    from printer_app.state.reports.row_history import RowHistoryState

    entry = session.exec(select(CounterChangeLog).order_by(CounterChangeLog.id)).first()
    state = _state(RowHistoryState, who, "/reports/2026-10")
    result = run_handler(RowHistoryState.ask_revert, state, entry.id)
    return state, result, int(state.confirm_id == entry.id)


HISTORY_STATE = ("printer_app.state.reports.month_history", "MonthHistoryState", "/reports/2026-10/history")
LOG_STATE = ("printer_app.state.reports.month_log", "MonthLogState", "/reports/2026-10/log")
ACTIONS = {
    "row panel: open": (HISTORY, _open_panel),
    "month history: search": (HISTORY, _list(*HISTORY_STATE, "set_search", "H1")),
    "month history: sort": (HISTORY, _list(*HISTORY_STATE, "sort_by", "field")),
    "month history: source filter": (HISTORY, _list(*HISTORY_STATE, "set_filter", "source", "manual")),
    "log: sort": (HISTORY, _list(*LOG_STATE, "sort_by", "records")),
    "log: operation filter": (HISTORY, _list(*LOG_STATE, "set_filter", "operation", "excel_upload")),
    "revert: ask": (REVERT, _ask_revert),
    "revert: confirm": (REVERT, _revert),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions(people: dict[str, Who], session: Session, action: str) -> None:
    perms, call = ACTIONS[action]
    outcomes = {}
    for who in people.values():
        state, result, effect = call(who, session)
        refusal = _refusal(result, state)
        outcomes[who.name] = effect
        if who.name == "anonymous":
            assert refusal == "login" and not effect, f"{action}: a signed-out caller must be refused"
        elif who.holds(perms):
            assert refusal is None and effect, f"{action}: {who.name} holds {perms} and must succeed ({result!r})"
        else:
            assert refusal == "toast" and not effect, f"{action}: {who.name} must be refused, nothing changed"
    assert outcomes["Monthly reports — Managers"] and not outcomes["Monthly reports — Viewer"]
    assert not outcomes["Monthly reports — Editors (end)"], "reverting needs the history too: it is where it starts"


def test_unpublished_month_needs_visibility(people: dict[str, Who], session: Session) -> None:
    """The History role sees a published month's history, not an unpublished one's; Managers see both."""
    from printer_app.state.reports.month_history import MonthHistoryState

    session.exec(select(MonthControl)).one().is_published = False
    session.commit()
    for name, shown in (("Monthly reports — History", False), ("Monthly reports — Managers", True)):
        state = _state(MonthHistoryState, people[name], "/reports/2026-10/history", {"month": "2026-10"})
        run_handler(MonthHistoryState.load, state)
        assert bool(state.rows) == shown and (state.problem == "") == shown, name
