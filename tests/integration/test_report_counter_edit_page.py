"""The month table's counter editing as signed-in tabs use it (state/reports/month_table.py): locks of the shown rows
per role, a bad value kept with its reason, Tab saving and moving to the next editable cell, an edit in progress
surviving another tab's change (the live re-read) and then refused with the value stored now, reset to inventory."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.groups import recompute_month
from printer_app.state.reports.month_table import MonthTableState
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401
from tests.integration.test_report_table_page import _tab

MONTH = date(2026, 10, 1)
ROLES = {
    "viewer": "Monthly reports — Viewer",
    "end": "Monthly reports — Editors (end)",
    "manager": "Monthly reports — Managers",
}


@pytest.fixture
def cookies(app_db: str, session: Session) -> dict[str, str]:  # noqa: F811
    return {who: session_cookie(session, username=who, groups=(role,)) for who, role in ROLES.items()}


@pytest.fixture
def rows(session: Session) -> list[MonthlyReport]:
    session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime.now(UTC) + timedelta(days=3)))
    made = [
        MonthlyReport(month=MONTH, order_number=1, serial_number="A-1", a4_bw_start=100, a4_bw_end=150),
        MonthlyReport(
            month=MONTH,
            order_number=2,
            serial_number="B-2",
            a4_bw_end=300,
            a4_bw_end_auto=320,
            inventory_last_ok=datetime.now(UTC) - timedelta(days=1),
        ),
    ]
    session.add_all(made)
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return made


def _loaded(cookie: str) -> MonthTableState:
    tab = _tab(cookie)
    tab.hidden_columns = ""
    run_handler(MonthTableState.load, tab)
    return tab


def test_locks_per_role_and_the_refusals(cookies, rows) -> None:
    viewer, end = _loaded(cookies["viewer"]), _loaded(cookies["end"])
    assert all(v for row in viewer.rows for v in row.locks.values())  # nothing editable, every cell says why
    first, polled = end.rows
    assert first.locks["a4_bw_end"] == "" and first.locks["a4_bw_start"] == "You may not edit start counters."
    assert polled.locks["a4_bw_end"].startswith("Auto-filled from the inventory") and polled.pinned["a4_bw_end"]
    assert "Not allowed" in repr(run_handler(MonthTableState.start_edit, end, first.id, "a4_bw_start"))
    assert "Auto-filled" in repr(run_handler(MonthTableState.start_edit, end, polled.id, "a4_bw_end"))
    assert "Not allowed" in repr(run_handler(MonthTableState.start_edit, viewer, first.id, "a4_bw_end"))
    assert end.editing == "" and viewer.editing == ""
    asyncio.run(MonthTableState.start_edit.fn(end, row_id=first.id, field="a4_bw_end"))  # as Reflex calls it: by name
    assert end.editing == f"{first.id}:a4_bw_end"
    answer = asyncio.run(MonthTableState.save_edit.fn(end, form={"value": "151"}))
    assert answer is None and end.rows[0].cells["a4_bw_end"] == "151"


def test_bad_value_stays_then_tab_saves_and_moves_on(cookies, rows, session: Session) -> None:
    manager = _loaded(cookies["manager"])
    first = manager.rows[0]
    run_handler(MonthTableState.start_edit, manager, first.id, "a4_bw_start")
    answer = run_handler(MonthTableState.save_edit, manager, {"value": "12.5"})
    assert "digits only" in repr(answer) and "digits only" in manager.edit_error and manager.editing
    run_handler(MonthTableState.edit_key, manager, "Tab", {"shift_key": False})
    run_handler(MonthTableState.blur_edit, manager, "120")
    assert manager.editing == f"{first.id}:a4_bw_end" and manager.edit_error == ""  # the next editable cell
    run_handler(MonthTableState.edit_key, manager, "Tab", {"shift_key": True})
    run_handler(MonthTableState.blur_edit, manager, "160")
    assert manager.editing == f"{first.id}:a4_bw_start"  # Shift+Tab went back
    run_handler(MonthTableState.edit_key, manager, "Escape")
    run_handler(MonthTableState.blur_edit, manager, "999")  # a blur without Tab saves nothing
    session.expire_all()
    stored = session.get(MonthlyReport, first.id)
    assert (stored.a4_bw_start, stored.a4_bw_end, stored.a4_bw_end_manual) == (120, 160, True)
    assert manager.rows[0].manual["a4_bw_end"] and manager.rows[0].cells["total_prints"] == "40"


def test_an_edit_survives_another_tabs_change_and_is_then_refused(cookies, rows, session: Session) -> None:
    tab_a, tab_b = _loaded(cookies["manager"]), _loaded(cookies["manager"])
    row_id = rows[0].id
    run_handler(MonthTableState.start_edit, tab_b, row_id, "a4_bw_end")
    run_handler(MonthTableState.start_edit, tab_a, row_id, "a4_bw_end")
    run_handler(MonthTableState.save_edit, tab_a, {"value": "170"})
    run_handler(MonthTableState.reset_filters, tab_b)  # re-reads the page as the live update does
    assert tab_b.editing == f"{row_id}:a4_bw_end" and tab_b.rows[0].cells["a4_bw_end"] == "170"
    answer = run_handler(MonthTableState.save_edit, tab_b, {"value": "180"})
    assert "it is now 170" in repr(answer) and tab_b.editing == ""
    session.expire_all()
    assert session.get(MonthlyReport, row_id).a4_bw_end == 170


def test_reset_to_inventory_from_the_table(cookies, rows, session: Session) -> None:
    manager, end = _loaded(cookies["manager"]), _loaded(cookies["end"])
    polled = rows[1]
    session.get(MonthlyReport, polled.id).a4_bw_end_manual = True
    session.commit()
    assert "Not allowed" in repr(run_handler(MonthTableState.reset_counter, end, polled.id, "a4_bw_end"))
    run_handler(MonthTableState.reset_filters, manager)
    assert manager.rows[1].manual["a4_bw_end"] and manager.rows[1].reset_hint["a4_bw_end"].endswith("320")
    answer = run_handler(MonthTableState.reset_counter, manager, polled.id, "a4_bw_end")
    assert "320" in repr(answer) and not manager.rows[1].manual["a4_bw_end"]
    session.expire_all()
    assert session.get(MonthlyReport, polled.id).a4_bw_end == 320
