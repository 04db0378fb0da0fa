"""Role x action matrix of the month table's counter editing (issue #17), built like tests/integration/
test_access_matrix.py and with its helpers: each handler called directly on the server with the Cookie header of
each role; a caller without the permission is refused (sign-in page or a "Not allowed" toast) and nothing changes,
even when the tab's state was forged to show the cell as editable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.columns import COUNTER_FIELDS
from printer_app.state.reports.month_table import MonthTableState
from printer_app.state.reports.table_view import RowView
from tests.integration.state_fixtures import app_db, run_handler  # noqa: F401
from tests.integration.test_access_matrix import Who, _refusal, _signed_in, _state

REPORTS = "monthly_report.access_monthly_report"
EDIT_START = "monthly_report.edit_counters_start"
EDIT_END = "monthly_report.edit_counters_end"
RESET = "monthly_report.can_reset_auto_polling"
ROLE_NAMES = (
    "Monthly reports — Viewer",
    "Monthly reports — Editors (end)",
    "Monthly reports — Editors (start)",
    "Monthly reports — Managers",
)
MONTH = date(2026, 10, 1)


@pytest.fixture
def people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    """The roles above, a user without groups, a superuser and nobody; one open month with one row."""
    people = _signed_in(session, ROLE_NAMES, prefix="editor")
    session.add(MonthControl(month=MONTH, edit_until=datetime.now(UTC) + timedelta(days=1), is_published=True))
    session.add(MonthlyReport(month=MONTH, serial_number="MATRIX-E", a4_bw_end_auto=7))
    session.commit()
    return people


def _row(session: Session) -> MonthlyReport:
    session.expire_all()
    return session.exec(select(MonthlyReport).where(MonthlyReport.serial_number == "MATRIX-E")).one()


def _tab(who: Who, row: MonthlyReport) -> MonthTableState:
    """A tab showing the row with every counter forged editable: only the handler's own checks can refuse."""
    state = _state(MonthTableState, who, "/reports/2026-10", {"month": "2026-10"})
    state.report_month, state.editable = "2026-10", True
    raw = {name: repr(getattr(row, name)) for name in COUNTER_FIELDS}
    state.rows = [RowView(id=row.id, raw=raw, locks=dict.fromkeys(COUNTER_FIELDS, ""))]
    return state


def _open(field: str) -> Callable:
    def call(who: Who, session: Session):
        row = _row(session)
        state = _tab(who, row)
        result = run_handler(MonthTableState.start_edit, state, row.id, field)
        return state, result, int(state.editing == f"{row.id}:{field}")

    return call


def _save(field: str) -> Callable:
    def call(who: Who, session: Session):
        row = _row(session)
        before = getattr(row, field)
        state = _tab(who, row)
        state.editing, state.edit_loaded = f"{row.id}:{field}", str(before)
        result = run_handler(MonthTableState.save_edit, state, {"value": str(before + 1)})
        return state, result, int(getattr(_row(session), field) != before)

    return call


def _tab_save(who: Who, session: Session):
    """Tab in the editor of an end counter: the blur that follows saves."""
    row = _row(session)
    before = row.a3_bw_end
    state = _tab(who, row)
    state.editing, state.tab_move = f"{row.id}:a3_bw_end", "next"
    result = run_handler(MonthTableState.blur_edit, state, str(before + 1))
    return state, result, int(_row(session).a3_bw_end != before)


def _reset(who: Who, session: Session):
    row = _row(session)
    row.a4_bw_end, row.a4_bw_end_manual = 99, True
    session.commit()
    state = _tab(who, row)
    result = run_handler(MonthTableState.reset_counter, state, row.id, "a4_bw_end")
    after = _row(session)
    return state, result, int(after.a4_bw_end == 7 and not after.a4_bw_end_manual)


ACTIONS: list[tuple[str, tuple[str, ...], Callable]] = [
    ("open a start counter", (REPORTS, EDIT_START), _open("a4_bw_start")),
    ("open an end counter", (REPORTS, EDIT_END), _open("a4_color_end")),
    ("save a start counter", (REPORTS, EDIT_START), _save("a3_color_start")),
    ("save an end counter", (REPORTS, EDIT_END), _save("a4_bw_end")),
    ("tab-save an end counter", (REPORTS, EDIT_END), _tab_save),
    ("reset to inventory", (REPORTS, RESET), _reset),
]


@pytest.mark.parametrize("action", [name for name, _, _ in ACTIONS])
def test_edit_actions(people: dict[str, Who], session: Session, action: str) -> None:
    _, perms, call = next(a for a in ACTIONS if a[0] == action)
    outcomes = set()
    for who in people.values():
        state, result, effect = call(who, session)
        refusal = _refusal(result, state)
        if who.name == "anonymous":
            assert refusal == "login" and not effect, f"{action}: a signed-out caller must be refused"
        elif who.holds(perms):
            assert refusal is None and effect, f"{action}: {who.name} holds {perms} and must succeed ({result!r})"
        else:
            assert refusal == "toast" and not effect, f"{action}: {who.name} must be refused, nothing changed"
        outcomes.add(bool(effect))
    assert outcomes == {True, False}


def test_the_roles_hold_what_the_matrix_assumes(people: dict[str, Who]) -> None:
    can = {name: who.holds for name, who in people.items()}
    assert not can["Monthly reports — Viewer"]((EDIT_START,)) and not can["Monthly reports — Viewer"]((EDIT_END,))
    assert can["Monthly reports — Editors (end)"]((EDIT_END,)) and not can["Monthly reports — Editors (end)"]((RESET,))
    assert can["Monthly reports — Editors (start)"]((EDIT_START,))
    assert can["Monthly reports — Managers"]((EDIT_START, EDIT_END, RESET))
    assert not can["Monthly reports — Managers"](("monthly_report.override_auto_lock",))
