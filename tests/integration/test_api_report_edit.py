"""Monthly report counters through the JSON API (issue #18 with #17's rules) on SQLite and PostgreSQL: the same
allowed set, validation, optimistic check, manual flag, change log and reset as the month table."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select
from starlette.testclient import TestClient

from printer_app.models import CounterChangeLog, MonthControl, MonthlyReport
from tests.integration.api_fixtures import Person, api_people_fixture, client_fixture  # noqa: F401
from tests.integration.state_fixtures import app_db  # noqa: F401  (api_people's)

OCTOBER = date(2026, 10, 1)


def _row(session: Session, month: date = OCTOBER) -> MonthlyReport:
    session.expire_all()
    return session.exec(select(MonthlyReport).where(MonthlyReport.month == month)).one()


def test_an_end_counter_is_stored_by_the_rules_logged_and_reset(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    editor = api_people["Monthly reports — Editors (end)"]
    row = _row(session)
    url = f"/api/v1/reports/2026-10/rows/{row.id}/end-counters"
    stored = client.patch(url, json={"field": "a4_bw_end", "value": 1200}, headers=editor.headers)
    assert stored.status_code == 200, stored.text
    assert stored.json() | {"row_id": 0} == {
        "row_id": 0,
        "field": "a4_bw_end",
        "value": 1200,
        "manual": True,
        "total_prints": 1200,
        "changed": True,
    }
    line = session.exec(select(CounterChangeLog).where(CounterChangeLog.report_id == row.id)).one()
    assert (line.user_id, line.old_value, line.new_value, line.change_source) == (editor.user_id, 0, 1200, "manual")
    assert line.ip_address and line.user_agent

    stale = client.patch(url, json={"field": "a4_bw_end", "value": 7, "expected": 1100}, headers=editor.headers)
    assert stale.status_code == 409 and "1,200" in stale.json()["detail"].replace("\u00a0", ",").replace(" ", ",")
    too_big = client.patch(url, json={"field": "a4_bw_end", "value": 100_000_001}, headers=editor.headers)
    wrong_kind = client.patch(url, json={"field": "a4_bw_start", "value": 5}, headers=editor.headers)
    assert (too_big.status_code, wrong_kind.status_code) == (422, 422)
    assert _row(session).a4_bw_end == 1200

    start = client.patch(
        f"/api/v1/reports/2026-10/rows/{row.id}/start-counters",
        json={"field": "a4_bw_start", "value": 5},
        headers=editor.headers,
    )
    assert start.status_code == 403  # the start counters need edit_counters_start

    resetter = api_people["Monthly reports — Reset auto-polling"]
    back = client.post(
        f"/api/v1/reports/2026-10/rows/{row.id}/end-counters/reset",
        json={"field": "a4_bw_end"},
        headers=resetter.headers,
    )
    assert back.status_code == 200 and back.json()["value"] == 500 and back.json()["manual"] is False
    assert (_row(session).a4_bw_end, _row(session).a4_bw_end_manual) == (500, False)


def test_a_closed_month_or_a_row_of_another_month_changes_nothing(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    root = api_people["superuser"]
    row = _row(session)
    september = _row(session, date(2026, 9, 1))
    elsewhere = client.patch(
        f"/api/v1/reports/2026-10/rows/{september.id}/end-counters",
        json={"field": "a4_bw_end", "value": 9},
        headers=root.headers,
    )
    assert elsewhere.status_code == 404
    control = session.exec(select(MonthControl).where(MonthControl.month == OCTOBER)).one()
    control.edit_until = datetime(2020, 1, 1, tzinfo=UTC)
    session.commit()
    closed = client.patch(
        f"/api/v1/reports/2026-10/rows/{row.id}/end-counters",
        json={"field": "a4_bw_end", "value": 9},
        headers=root.headers,
    )
    assert closed.status_code == 422 and "closed" in closed.json()["detail"].lower()
    assert _row(session).a4_bw_end == 0 and _row(session, date(2026, 9, 1)).a4_bw_end == 0
    assert session.exec(select(CounterChangeLog)).all() == []
