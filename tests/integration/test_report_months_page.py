"""The month list's state handlers called as a browser tab would (real state tree, real sessions, real database):
what each role sees, the actions and their refusals, the editable-until dialog, the delete question, the export and
the create-from-contracts dialog."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, date, datetime

import openpyxl
from sqlmodel import Session, func, select

from printer_app.config import get_settings
from printer_app.models import BulkChangeLog, ContractStatus, MonthControl, MonthlyReport, User
from printer_app.services.reports.groups import recompute_month
from printer_app.state.reports.month_from_contracts import FromContractsState
from printer_app.state.reports.months import MonthsState
from tests.factories import make_contract_device, make_org
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
MANAGERS, VIEWER = "Monthly reports — Managers", "Monthly reports — Viewer"


def _seed(session: Session) -> None:
    session.add_all(
        [
            MonthlyReport(month=OCT, organization="Альфа", serial_number="A1", a4_bw_start=10, a4_bw_end=30,
                          normative_availability=100, actual_downtime=25, device_ip="10.1.1.1"),
            MonthlyReport(month=OCT, organization="Бета", serial_number="B1", a4_bw_end=5),
            MonthlyReport(month=NOV, organization="Альфа", serial_number="A1", a4_bw_start=30, a4_bw_end=31),
            MonthControl(month=OCT, is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)),
        ]
    )  # fmt: skip
    session.flush()
    recompute_month(session, OCT)
    recompute_month(session, NOV)
    session.commit()


def _loaded(cookie: str) -> MonthsState:
    state = tab(MonthsState, cookie, "/reports")
    run_handler(MonthsState.load, state)
    return state


def _control(session: Session, month: date) -> MonthControl | None:
    session.expire_all()
    return session.exec(select(MonthControl).where(MonthControl.month == month)).first()


def test_what_each_role_sees(app_db: str, session: Session) -> None:  # noqa: F811
    _seed(session)
    viewer = _loaded(session_cookie(session, username="viewer", groups=(VIEWER,)))
    assert viewer.access == "ok"
    assert [r.key for r in viewer.rows] == ["2026-10"], "an unpublished month is hidden"
    october = viewer.rows[0]
    assert (october.rows, october.organizations, october.total_prints, october.avg_k1_text) == (2, 2, 25, "75")
    assert october.completion_text == "—", "no metrics without view_monthly_report_metrics"
    assert october.label == "October 2026" and october.published and october.editable

    manager = _loaded(session_cookie(session, username="manager", groups=(MANAGERS,)))
    assert [r.key for r in manager.rows] == ["2026-11", "2026-10"]
    assert manager.rows[1].completion_text == "0 %", "no spec: all four end fields needed"
    assert manager.rows[1].potential_text == "50 %"
    run_handler(MonthsState.sort_by, manager, "total_prints")
    assert [r.key for r in manager.shown] == ["2026-10", "2026-11"], "most prints first"
    assert "not be sorted" in repr(run_handler(MonthsState.sort_by, manager, "drop table"))

    nobody = tab(MonthsState, session_cookie(session, username="nobody"), "/reports")
    run_handler(MonthsState.load, nobody)
    assert nobody.access == "denied" and nobody.rows == []


def test_publish_auto_sync_and_refusals(app_db: str, session: Session) -> None:  # noqa: F811
    _seed(session)
    viewer = _loaded(session_cookie(session, username="viewer", groups=(VIEWER,)))
    assert "Not allowed" in repr(run_handler(MonthsState.set_published, viewer, "2026-11", True))
    assert _control(session, NOV) is None

    manager = _loaded(session_cookie(session, username="manager", groups=(MANAGERS,)))
    assert run_handler(MonthsState.set_published, manager, "2026-11", True) is None
    assert _control(session, NOV).is_published and manager.rows[0].published
    run_handler(MonthsState.set_auto_sync, manager, "2026-11", False)
    assert not _control(session, NOV).auto_sync_enabled
    for hostile in ("2026-13", "x" * 500, 7, None):
        assert "not a month" in repr(run_handler(MonthsState.set_published, manager, hostile, False)).lower()
    assert "There is no report for 2020-01" in repr(run_handler(MonthsState.set_published, manager, "2020-01", True))
    assert session.exec(select(func.count()).select_from(MonthControl)).one() == 2

    run_handler(MonthsState.set_published, manager, "2026-11", False)
    assert "There is no report" in repr(run_handler(MonthsState.export, viewer, "2026-11")), "hidden: not found"


def test_editable_until_dialog(app_db: str, session: Session) -> None:  # noqa: F811
    _seed(session)
    manager = _loaded(session_cookie(session, username="manager", groups=(MANAGERS,)))
    run_handler(MonthsState.open_edit_until, manager, "2026-11")
    assert manager.edit_key == "2026-11" and manager.edit_value == "2026-11-30T23:59", "closed: the month's last day"
    run_handler(MonthsState.set_edit_value, manager, "garbage")
    run_handler(MonthsState.save_edit_until, manager)
    assert manager.edit_error and _control(session, NOV) is None
    run_handler(MonthsState.set_edit_value, manager, "2026-12-05T18:30")
    run_handler(MonthsState.save_edit_until, manager)
    wanted = datetime(2026, 12, 5, 18, 30, tzinfo=get_settings().tz).astimezone(UTC)
    assert _control(session, NOV).edit_until == wanted and manager.edit_key == ""
    assert manager.rows[0].editable and "05" in manager.rows[0].edit_until_text

    run_handler(MonthsState.open_edit_until, manager, "2026-11")
    run_handler(MonthsState.close_month, manager)
    assert _control(session, NOV).edit_until is None and not manager.rows[0].editable

    uploader = _loaded(session_cookie(session, username="viewer", groups=(VIEWER,)))
    uploader.edit_key, uploader.edit_value = "2026-10", "2030-01-01T00:00"
    assert "Not allowed" in repr(run_handler(MonthsState.save_edit_until, uploader))


def test_delete_question_and_delete(app_db: str, session: Session) -> None:  # noqa: F811
    _seed(session)
    manager = _loaded(session_cookie(session, username="manager", groups=(MANAGERS,)))
    viewer = _loaded(session_cookie(session, username="viewer", groups=(VIEWER,)))
    viewer.delete_key = "2026-10"
    assert "Not allowed" in repr(run_handler(MonthsState.confirm_delete, viewer))
    assert session.exec(select(func.count()).where(MonthlyReport.month == OCT)).one() == 2

    run_handler(MonthsState.ask_delete, manager, "2026-10")
    assert "October 2026" in manager.delete_text and " 2 rows" in manager.delete_text
    answer = run_handler(MonthsState.confirm_delete, manager)
    assert "2026-10 deleted: 2 rows" in repr(answer)
    assert session.exec(select(func.count()).where(MonthlyReport.month == OCT)).one() == 0
    log = session.exec(select(BulkChangeLog)).one()
    user = session.exec(select(User).where(User.username == "manager")).one()
    assert (log.operation_type, log.user_id, log.records_affected) == ("month_delete", user.id, 2)
    assert [r.key for r in manager.rows] == ["2026-11"] and manager.delete_key == ""


def test_export_downloads_the_month_workbook(app_db: str, session: Session) -> None:  # noqa: F811
    _seed(session)
    viewer = _loaded(session_cookie(session, username="viewer", groups=(VIEWER,)))
    answers = run_handler(MonthsState.export, viewer, "2026-10")
    text = repr(answers)
    assert "monthly_report_2026-10.xlsx" in text
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", text)
    assert payload, "the workbook travels as a data URL"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload.group(1))))
    sheet = book["2026-10"]
    assert sheet.max_row == 3 and {sheet.cell(r, 7).value for r in (2, 3)} == {"A1", "B1"}


def test_create_from_contracts_dialog(app_db: str, session: Session) -> None:  # noqa: F811
    org = make_org(session, name="Гамма")
    status = ContractStatus(name="Активен")
    session.add(status)
    session.flush()
    make_contract_device(session, organization=org, serial_number="G1", status_id=status.id)
    make_contract_device(session, organization=org, serial_number="G2", status_id=None)
    session.commit()

    viewer = tab(FromContractsState, session_cookie(session, username="viewer", groups=(VIEWER,)), "/reports")
    assert "Not allowed" in repr(run_handler(FromContractsState.open_dialog, viewer))
    viewer.chosen_orgs, viewer.chosen_statuses, viewer.month = [str(org.id)], [str(status.id)], "2026-10"
    assert "Not allowed" in repr(run_handler(FromContractsState.create, viewer))
    assert session.exec(select(func.count()).select_from(MonthlyReport)).one() == 0

    state = tab(FromContractsState, session_cookie(session, username="manager", groups=(MANAGERS,)), "/reports")
    run_handler(FromContractsState.open_dialog, state)
    assert state.open and state.organizations == [[str(org.id), "Гамма"]]
    assert [s[1] for s in state.statuses] == ["Активен", "No status"] and len(state.chosen_statuses) == 2
    run_handler(FromContractsState.run_preview, state)
    assert "at least one organization" in state.error
    run_handler(FromContractsState.toggle_org, state, str(org.id))
    run_handler(FromContractsState.toggle_status, state, "0")  # no status: unticked
    run_handler(FromContractsState.set_month, state, "2026-10")
    run_handler(FromContractsState.run_preview, state)
    assert state.preview.startswith("1 of 1 devices would be added")
    run_handler(FromContractsState.create, state)
    assert state.result.startswith("2026-10: rows created: 1") and not state.error
    rows = session.exec(select(MonthlyReport.serial_number)).all()
    assert rows == ["G1"]
    run_handler(FromContractsState.set_month, state, "October")
    run_handler(FromContractsState.create, state)
    assert "not a month" in state.error
