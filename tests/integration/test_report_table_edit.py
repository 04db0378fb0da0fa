"""Editing A, D, L, W of a month row (services/reports/row_edit.py): validation with the reason and nothing
written, a closed month refused, the optimistic check against the value the tab loaded, K1 / K2 stored in the same
transaction, the change log row and the live-update event after the commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from printer_app.models import EntityChangeLog, MonthControl, MonthlyReport
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.row_edit import edit_sla_value, parse_value

MONTH = date(2026, 10, 1)


def _row(session: Session, *, open_until: datetime | None, **values) -> MonthlyReport:
    session.add(MonthControl(month=MONTH, edit_until=open_until, is_published=True))
    row = MonthlyReport(month=MONTH, serial_number="SN-1", **values)
    session.add(row)
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return row


def _stored(session: Session, row_id: int) -> MonthlyReport:
    session.expire_all()
    return session.get(MonthlyReport, row_id)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    yield seen
    unsubscribe()


LATER = datetime.now(UTC) + timedelta(days=3)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("normative_availability", "720", 720.0),
        ("normative_availability", " 12,5 ", 12.5),
        ("actual_downtime", "1\u00a0000,25", 1000.25),
        ("non_overdue_requests", "7", 7),
        ("total_requests", "0", 0),
    ],
)
def test_parse_accepts(field: str, text: str, value: float) -> None:
    assert parse_value(field, text) == value


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("normative_availability", "-1", "0 or more"),
        ("normative_availability", "abc", "0 or more"),
        ("actual_downtime", "", "type a number"),
        ("actual_downtime", "1e5", "0 or more"),
        ("non_overdue_requests", "2,5", "whole number"),
        ("total_requests", "-3", "whole number"),
        ("total_requests", "999999999", "at most"),
        ("k1", "50", "cannot be edited"),
        ("organization", "x", "cannot be edited"),
    ],
)
def test_parse_refuses_with_the_reason(field: str, text: str, reason: str) -> None:
    with pytest.raises(DomainValidationError) as caught:
        parse_value(field, text)
    assert reason in str(caught.value)


def test_edit_a_stores_k1_logs_and_announces(session: Session, published) -> None:
    row = _row(session, open_until=LATER, normative_availability=100, actual_downtime=10)
    assert _stored(session, row.id).k1 == 90
    result = edit_sla_value(
        session, row_id=row.id, field="normative_availability", text="200", loaded=100.0, actor=Actor(user_id=None)
    )
    assert published == []  # not before the commit
    session.commit()
    assert result.changed and result.k1 == 95
    stored = _stored(session, row.id)
    assert stored.normative_availability == 200 and stored.k1 == 95
    log = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "monthlyreport")).one()
    assert log.object_id == row.id and log.action == "update"
    assert log.changes["normative_availability"]["old"] == 100 and log.changes["normative_availability"]["new"] == 200
    assert log.changes["k1"]["new"] == 95
    assert (events.REPORTS_CHANGED, {"month": "2026-10", "row_ids": [row.id]}) in published


def test_edit_l_w_recomputes_k2_and_l_above_w_clamps(session: Session) -> None:
    row = _row(session, open_until=LATER, non_overdue_requests=3, total_requests=4)
    edit_sla_value(session, row_id=row.id, field="non_overdue_requests", text="9", loaded=3)
    session.commit()
    assert _stored(session, row.id).k2 == 100  # L > W: K2 clamps at 100
    edit_sla_value(session, row_id=row.id, field="total_requests", text="18", loaded=4)
    session.commit()
    assert _stored(session, row.id).k2 == 50


def test_bad_value_and_closed_month_change_nothing(session: Session) -> None:
    row = _row(session, open_until=LATER, normative_availability=100)
    with pytest.raises(DomainValidationError):
        edit_sla_value(session, row_id=row.id, field="normative_availability", text="-5", loaded=100.0)
    session.rollback()
    assert _stored(session, row.id).normative_availability == 100
    closed = session.exec(select(MonthControl)).one()
    closed.edit_until = datetime.now(UTC) - timedelta(minutes=1)
    session.add(closed)
    session.commit()
    with pytest.raises(DomainValidationError, match="closed"):
        edit_sla_value(session, row_id=row.id, field="normative_availability", text="5", loaded=100.0)
    session.rollback()
    closed.edit_until = None
    session.add(closed)
    session.commit()
    with pytest.raises(DomainValidationError, match="closed"):
        edit_sla_value(session, row_id=row.id, field="normative_availability", text="5", loaded=100.0)
    session.rollback()
    assert _stored(session, row.id).normative_availability == 100
    assert session.exec(select(EntityChangeLog)).all() == []
    with pytest.raises(NotFoundError):
        edit_sla_value(session, row_id=row.id + 1000, field="normative_availability", text="5", loaded=0)


def test_a_stale_tab_is_refused_with_the_current_value(session: Session) -> None:
    row = _row(session, open_until=LATER, actual_downtime=3)
    edit_sla_value(session, row_id=row.id, field="actual_downtime", text="7,5", loaded=3.0)  # the other tab
    session.commit()
    with pytest.raises(ConflictError) as caught:
        edit_sla_value(session, row_id=row.id, field="actual_downtime", text="1", loaded=3.0)
    session.rollback()
    assert "7.5" in str(caught.value)
    assert _stored(session, row.id).actual_downtime == 7.5
    same = edit_sla_value(session, row_id=row.id, field="actual_downtime", text="7.5", loaded=7.5)
    session.commit()
    assert not same.changed
    assert len(session.exec(select(EntityChangeLog)).all()) == 1
