"""The /reports/<YYYY-MM> page's state, called as a signed-in tab would: a malformed month, an unpublished month
(hidden without the visibility permission), filters read from a hostile URL, the export of the shown rows re-opened
with openpyxl, an inline edit that stores K1 and a stale one refused with the current value."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import openpyxl
import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.groups import recompute_month
from printer_app.state.reports.month_table import MonthTableState
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401

MONTH = date(2026, 10, 1)
ROLES = {
    "viewer": "Monthly reports — Viewer",
    "upload": "Monthly reports — Upload",
    "visibility": "Monthly reports — Visibility",
}


@pytest.fixture
def cookies(app_db: str, session: Session) -> dict[str, str]:  # noqa: F811
    return {who: session_cookie(session, username=who, groups=(role,)) for who, role in ROLES.items()}


def _tab(cookie: str, month: str = "2026-10", query: dict | None = None) -> MonthTableState:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "report-test", "origin": "http://localhost:3000"}
    path = f"/reports/{month}" + ("?" + urlencode(query) if query else "")
    root.router = RouterData.from_router_data(
        {"headers": headers, "pathname": "/reports/[month]", "asPath": path, "query": {"month": month, **(query or {})}}
    )
    return root.get_substate(MonthTableState.get_full_name().split("."))


def _seed(session: Session, *, published: bool = True, open_days: int = 3) -> dict[str, MonthlyReport]:
    session.add(
        MonthControl(month=MONTH, is_published=published, edit_until=datetime.now(UTC) + timedelta(days=open_days))
    )
    rows = {
        "a": MonthlyReport(
            month=MONTH,
            order_number=1,
            organization="Альфа",
            city="Иркутск",
            serial_number="AA-1",
            a4_bw_end=1500,
            normative_availability=100,
            actual_downtime=10,
        ),
        "b": MonthlyReport(month=MONTH, order_number=2, organization="Бета", serial_number="BB-2", a4_bw_end=700),
        "c": MonthlyReport(month=MONTH, order_number=3, organization="Бета", serial_number="CC-3", a4_bw_start=9),
    }
    session.add_all(rows.values())
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return rows


def test_malformed_and_hidden_months(cookies, session):
    _seed(session, published=False)
    bad = _tab(cookies["viewer"], "2026-13")
    run_handler(MonthTableState.load, bad)
    assert bad.access == "ok" and "not a month" in bad.problem and bad.rows == []
    hidden = _tab(cookies["viewer"])
    run_handler(MonthTableState.load, hidden)
    assert "not found or is not published" in hidden.problem and hidden.rows == []
    assert not _tab(cookies["viewer"]).loaded
    answers = run_handler(MonthTableState.export, hidden, "month")  # nothing leaks through the export
    assert "download" not in repr(answers).lower()
    manager = _tab(cookies["visibility"])
    run_handler(MonthTableState.load, manager)
    assert manager.problem == "" and manager.total == 3 and manager.month_title == "October 2026"
    absent = _tab(cookies["visibility"], "2025-01")
    run_handler(MonthTableState.load, absent)
    assert "not found" in absent.problem


def test_hostile_url_totals_and_export_of_shown_rows(cookies, session):
    _seed(session)
    query = {
        "org": "бета",
        "sort": "DROP",
        "page": "-1",
        "size": "7",
        "k1": "1e999",
        "anomalies": "yes",
        "q": "x" * 500,
    }
    state = _tab(cookies["viewer"], query=query)
    run_handler(MonthTableState.load, state)
    assert state.loaded and state.total == 0  # the long search matches nothing
    assert (state.sort, state.page, state.page_size, state.k1_below, state.anomalies) == ("order_number", 1, 50, "", "")
    run_handler(MonthTableState.set_search, state, "")
    assert [r.cells["serial_number"] for r in state.rows] == ["BB-2", "CC-3"]
    assert state.totals["total_prints"] == "691" and state.totals["a4_bw_end"] == "700"
    assert state.url == "/reports/2026-10?org=%D0%B1%D0%B5%D1%82%D0%B0"
    negative = next(r for r in state.rows if r.cells["serial_number"] == "CC-3")
    assert negative.negative and "Negative" in negative.anomaly
    run_handler(MonthTableState.sort_by, state, "total_prints")  # descending first
    answers = run_handler(MonthTableState.export, state, "shown")
    download = next(a for a in answers if "download" in repr(a).lower())
    assert "monthly_report_2026-10.xlsx" in repr(download)
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", repr(download))[1])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "2026-10" and sheet["A1"].value == "№ п/п"
    assert [row[6].value for row in sheet.iter_rows(min_row=2)] == ["BB-2", "CC-3"]  # the table's order
    state.english = True
    answers = run_handler(MonthTableState.export, state, "month")
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", repr(answers))[1])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 4 and sheet["A1"].value != "№ п/п"


def test_inline_edit_stores_k1_and_a_stale_tab_is_refused(cookies, session):
    rows = _seed(session)
    viewer = _tab(cookies["viewer"])
    run_handler(MonthTableState.load, viewer)
    assert not viewer.can_edit
    assert "Not allowed" in repr(run_handler(MonthTableState.start_edit, viewer, rows["a"].id, "actual_downtime"))
    mine, other = _tab(cookies["upload"]), _tab(cookies["upload"])
    for tab in (mine, other):
        run_handler(MonthTableState.load, tab)
        assert tab.can_edit
    run_handler(MonthTableState.start_edit, mine, rows["a"].id, "actual_downtime")
    assert mine.editing == f"{rows['a'].id}:actual_downtime"
    answer = run_handler(MonthTableState.save_edit, mine, {"value": "-1"})
    assert "0 or more" in repr(answer) and mine.editing  # refused, the field stays open to fix it
    run_handler(MonthTableState.save_edit, mine, {"value": "25,5"})
    assert mine.editing == "" and mine.rows[0].cells["k1"] == "74.50"
    session.expire_all()
    assert session.get(MonthlyReport, rows["a"].id).k1 == pytest.approx(74.5)
    run_handler(MonthTableState.start_edit, other, rows["a"].id, "actual_downtime")
    answer = run_handler(MonthTableState.save_edit, other, {"value": "1"})
    assert "it is now 25.5" in repr(answer) and other.rows[0].cells["actual_downtime"] == "25.5"
    session.expire_all()
    assert session.get(MonthlyReport, rows["a"].id).actual_downtime == 25.5
