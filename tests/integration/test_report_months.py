"""The month list's figures and the month management (docs/reports.md §10.6 month list, §10.5 delete) on SQLite and
PostgreSQL: one summary per month from SQL aggregates, spec- and group-aware completion, publish / edit-until /
auto-sync creating the control row, and the all-or-nothing delete with its BulkChangeLog."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from printer_app.models import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport, PrinterModelSpec
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.month_admin import delete_month, set_auto_sync, set_edit_until, set_published
from printer_app.services.reports.month_list import month_summaries, visible_summaries

OCT, NOV, SEP = date(2026, 10, 1), date(2026, 11, 1), date(2026, 9, 1)


def _add(session: Session, month: date = OCT, **values) -> MonthlyReport:
    row = MonthlyReport(month=month, **values)
    session.add(row)
    session.flush()
    return row


def _seed(session: Session) -> None:
    """October: 5 rows (a mono A4 model, a duplicate group, an unknown model), November: 1 row, September: control
    row only (published)."""
    session.add(PrinterModelSpec(model_name="Mono  A4", is_color=False, paper_format="A4", enforce=True))
    # complete: a mono A4 spec needs only a4_bw_end
    _add(
        session,
        order_number=1,
        organization="Альфа",
        equipment_model="mono a4",
        serial_number="S1",
        a4_bw_start=10,
        a4_bw_end=110,
        normative_availability=100,
        actual_downtime=10,
        device_ip="10.0.0.1",
    )
    # duplicate group (serial, inventory ignoring case): first row needs A4 ends, later row A3 ends
    _add(
        session,
        order_number=2,
        organization="Альфа",
        equipment_model="Any",
        serial_number="Д-1",
        inventory_number="X",
        a4_bw_end=5,
        a4_color_end=6,
        non_overdue_requests=1,
        total_requests=2,
        device_ip="10.0.0.2",
        a4_bw_end_manual=True,
    )
    _add(
        session,
        order_number=3,
        organization="Бета",
        equipment_model="Any",
        serial_number="д-1 ",
        inventory_number="x",
        a3_bw_end=7,
        a3_color_end=0,
        device_ip="10.0.0.3",
    )  # incomplete: a3_color_end 0
    # no spec, a group of one: every end field needed -> incomplete
    _add(
        session,
        order_number=4,
        organization="Бета",
        equipment_model="Other",
        serial_number="S4",
        a4_bw_end=1,
        normative_availability=0,
        total_requests=0,
        device_ip="",
    )
    # no serial, no inventory: stands alone (not one group with the next)
    _add(
        session,
        order_number=5,
        organization="",
        equipment_model="Other",
        a4_bw_end=1,
        a4_color_end=1,
        a3_bw_end=1,
        a3_color_end=1,
        normative_availability=50,
        actual_downtime=0,
    )
    _add(session, NOV, organization="Гамма", serial_number="N1", a4_bw_start=5, a4_bw_end=15)
    session.add(MonthControl(month=SEP, is_published=True, edit_until=None))
    session.add(MonthControl(month=OCT, is_published=False, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    session.flush()
    for month in (OCT, NOV):
        recompute_month(session, month)
    session.commit()


def test_summaries_figures_and_metrics(session: Session) -> None:
    _seed(session)
    by_key = {s.key: s for s in month_summaries(session)}
    assert list(by_key) == ["2026-11", "2026-10", "2026-09"], "newest first; a control row alone is a month"
    oct_ = by_key["2026-10"]
    assert (oct_.rows, oct_.organizations) == (5, 2)
    # totals: S1 100; the group: first row its a4 (5 + 6), later its a3 (7); S4 1; alone 4
    assert oct_.total_prints == 100 + 11 + 7 + 1 + 4
    assert oct_.avg_k1 == pytest.approx((90.0 + 100.0) / 2), "only rows with A > 0"
    assert oct_.avg_k2 == pytest.approx(50.0), "only rows with W > 0"
    assert oct_.metrics == {"complete": 3, "with_ip": 3, "actual": 2}
    assert oct_.completion == 60.0 and oct_.autofill_potential == 60.0 and oct_.autofill_actual == 66.7
    assert oct_.editable and not oct_.published and oct_.auto_sync
    nov = by_key["2026-11"]
    assert (nov.rows, nov.total_prints, nov.avg_k1, nov.avg_k2) == (1, 10, None, None)
    assert nov.autofill_potential == 0.0 and nov.autofill_actual is None, "no row with an IP: no actual share"
    assert not nov.editable and not nov.published, "a month without control row is closed and unpublished"
    sep = by_key["2026-09"]
    assert sep.rows == 0 and sep.completion is None and sep.published

    plain = month_summaries(session, with_metrics=False)
    assert all(s.completion is None and not s.metrics for s in plain)
    assert [s.key for s in visible_summaries(session, can_manage=False, with_metrics=False)] == ["2026-09"]
    assert len(visible_summaries(session, can_manage=True, with_metrics=False)) == 3


def test_completion_follows_spec_changes(session: Session) -> None:
    """The same rows become incomplete when an enforcing colour spec asks for colour ends."""
    _seed(session)
    spec = session.exec(select(PrinterModelSpec).where(PrinterModelSpec.model_name == "Mono  A4")).one()
    spec.is_color = True
    session.commit()
    oct_ = next(s for s in month_summaries(session) if s.key == "2026-10")
    assert oct_.metrics["complete"] == 2


def test_publish_edit_until_auto_sync_create_the_control_row(session: Session) -> None:
    _seed(session)
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        set_published(session, month=NOV, published=True)
        assert not seen, "announced only after the commit"
        session.commit()
    finally:
        unsubscribe()
    assert seen == [(events.REPORTS_CHANGED, {"month": "2026-11", "all": True})]
    control = session.exec(select(MonthControl).where(MonthControl.month == NOV)).one()
    assert control.is_published and control.edit_until is None and control.auto_sync_enabled

    until = datetime(2026, 12, 5, 18, 30, tzinfo=ZoneInfo("Asia/Irkutsk"))
    set_edit_until(session, month=NOV, edit_until=until)
    set_auto_sync(session, month=NOV, enabled=False)
    session.commit()
    session.expire_all()
    control = session.exec(select(MonthControl).where(MonthControl.month == NOV)).one()
    assert control.edit_until == until.astimezone(UTC) and not control.auto_sync_enabled
    set_edit_until(session, month=NOV, edit_until=None)
    session.commit()
    assert session.exec(select(MonthControl.edit_until).where(MonthControl.month == NOV)).one() is None

    with pytest.raises(DomainValidationError):
        set_edit_until(session, month=NOV, edit_until=datetime(2026, 12, 5))
    with pytest.raises(NotFoundError):
        set_published(session, month=date(2020, 1, 1), published=True)
    session.rollback()
    assert session.exec(select(func.count()).select_from(MonthControl)).one() == 3, "nothing made for no month"


def test_delete_month_removes_rows_logs_and_control(session: Session) -> None:
    _seed(session)
    row = session.exec(select(MonthlyReport).where(MonthlyReport.month == OCT)).first()
    session.add(CounterChangeLog(report_id=row.id, field_name="a4_bw_end", old_value=1, new_value=2))
    nov_row = session.exec(select(MonthlyReport).where(MonthlyReport.month == NOV)).one()
    session.add(CounterChangeLog(report_id=nov_row.id, field_name="a4_bw_end", old_value=1, new_value=2))
    session.commit()

    deleted = delete_month(session, month=OCT, actor=Actor(user_id=None, ip="192.0.2.7"))
    session.commit()
    assert deleted == 5
    assert session.exec(select(func.count()).where(MonthlyReport.month == OCT)).one() == 0
    assert session.exec(select(func.count()).select_from(CounterChangeLog)).one() == 1, "November's log stays"
    assert session.exec(select(MonthControl).where(MonthControl.month == OCT)).first() is None
    log = session.exec(select(BulkChangeLog)).one()
    assert (log.operation_type, log.records_affected, log.month, log.ip_address) == (
        "month_delete",
        5,
        OCT,
        "192.0.2.7",
    )
    assert log.success and log.finished_at is not None
    assert [s.key for s in month_summaries(session)] == ["2026-11", "2026-09"]

    assert delete_month(session, month=SEP) == 0, "a month of a control row only can be deleted too"
    session.commit()
    with pytest.raises(NotFoundError):
        delete_month(session, month=OCT)


def test_delete_month_is_all_or_nothing(session: Session) -> None:
    _seed(session)
    delete_month(session, month=OCT)
    session.rollback()
    assert session.exec(select(func.count()).where(MonthlyReport.month == OCT)).one() == 5
    assert session.exec(select(func.count()).select_from(BulkChangeLog)).one() == 0


def test_month_list_stays_fast_with_a_year_of_large_months(session: Session) -> None:
    """12 months x 5,000 rows: the list (with metrics) is a few aggregate queries, not a walk over 60,000 rows."""
    table = MonthlyReport.__table__
    now = datetime.now(UTC)
    for m in range(12):
        month = date(2025, m + 1, 1)
        session.execute(
            table.insert(),
            [
                {
                    "month": month,
                    "order_number": i,
                    "organization": f"Org {i % 40}",
                    "equipment_model": f"Model {i % 25}",
                    "serial_number": f"S{i // 2}",  # pairs: duplicate groups
                    "inventory_number": "",
                    "a4_bw_end": i % 3,
                    "a3_bw_end": i % 5,
                    "device_ip": "10.0.0.1" if i % 2 else None,
                    "total_prints": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(5000)
            ],
        )
    session.commit()
    statements: list[str] = []
    engine = session.get_bind()

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        started = time.perf_counter()
        summaries = month_summaries(session)
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(summaries) == 12 and all(s.rows == 5000 and s.total_prints == 5000 for s in summaries)
    assert all(s.organizations == 40 and s.autofill_potential == 50.0 for s in summaries)
    assert len(statements) <= 4, f"a fixed number of aggregate queries, whatever the months: {len(statements)}"
    assert elapsed < 15.0, f"the month list took {elapsed:.2f} s"  # ~0.5 s on an idle machine; CI is shared
    assert session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 60000
