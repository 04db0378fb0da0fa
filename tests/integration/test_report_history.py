"""History and revert of month rows (services/reports/history.py, revert.py, bulk_log.py) on SQLite and PostgreSQL:
every filter and sort of the history, a revert that restores, logs its own line, sets the manual flag and recomputes
the group, each refusal leaving everything unchanged, and the bulk operation log of a month (a deleted month's too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from printer_app.models import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport, User
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError
from printer_app.services.reports.bulk_log import log_page
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.history import HistoryFilters, history_page, history_users
from printer_app.services.reports.month_admin import delete_month
from printer_app.services.reports.revert import revert_entry, revert_preview
from printer_app.services.reports.rules import EDIT_END

MONTH = date(2026, 10, 1)
IRKUTSK = ZoneInfo("Asia/Irkutsk")  # UTC+8
OPEN = datetime.now(UTC) + timedelta(days=3)
EDITOR = {EDIT_END, "monthly_report.view_change_history"}


@pytest.fixture
def month(session: Session) -> dict:
    """An open published month: a duplicate group of two rows (A4 / A3) and a single row; two users."""
    alice, bob = User(username="alice", full_name="Alice Smith"), User(username="bob")
    session.add_all([alice, bob, MonthControl(month=MONTH, edit_until=OPEN, is_published=True)])
    first = MonthlyReport(
        month=MONTH,
        order_number=1,
        organization="Alpha",
        serial_number="DUP-1",
        inventory_number="I1",
        a4_bw_end=500,
        normative_availability=100,
        actual_downtime=10,
    )
    later = MonthlyReport(
        month=MONTH, order_number=2, organization="Alpha", serial_number="dup-1", inventory_number="i1", a3_bw_end=40
    )
    single = MonthlyReport(month=MONTH, order_number=3, organization="Beta", serial_number="SN-9", a4_color_end=70)
    session.add_all([first, later, single])
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return {"alice": alice, "bob": bob, "first": first, "later": later, "single": single}


def _change(
    session: Session,
    row: MonthlyReport,
    field: str,
    new: int,
    *,
    who: User | None = None,
    source: str = "manual",
    at: datetime | None = None,
    old: int | str | None = "current",
) -> CounterChangeLog:
    """Set a counter as a writer would (value + log line in one transaction); returns the log line."""
    before = getattr(row, field) if old == "current" else old
    setattr(row, field, new)
    session.add(row)
    log_changes(
        session,
        [(row.id, field, before, new)],
        source=source,
        actor=Actor(user_id=who.id if who else None, ip="10.1.2.3", user_agent="UA/1.0"),
        at=at,
    )
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return session.exec(select(CounterChangeLog).order_by(CounterChangeLog.id.desc())).first()


def _fresh(session: Session, row_id: int) -> MonthlyReport:
    session.expire_all()
    return session.get(MonthlyReport, row_id)


def test_history_filters_and_sorts(session: Session, month: dict) -> None:
    alice, bob, first, single = month["alice"], month["bob"], month["first"], month["single"]
    _change(session, first, "a4_bw_end", 600, who=alice, at=datetime(2026, 10, 1, 15, tzinfo=UTC))  # 23:00 local
    _change(
        session, single, "a4_color_end", 90, who=bob, source="excel_upload", at=datetime(2026, 10, 1, 17, tzinfo=UTC)
    )  # 01:00 on 2 Oct local
    _change(session, first, "a4_bw_start", 5, source="auto_sync", at=datetime(2026, 10, 5, tzinfo=UTC))
    other = MonthlyReport(month=date(2026, 9, 1), serial_number="DUP-1")
    session.add(other)
    session.flush()
    log_changes(session, [(other.id, "a4_bw_end", 1, 2)])
    session.commit()

    def shown(**kw) -> list[tuple[str, int | None]]:
        sort = kw.pop("sort", "time")
        desc = kw.pop("descending", True)
        page = history_page(session, MONTH, filters=HistoryFilters(**kw), sort=sort, descending=desc, tz=IRKUTSK)
        return [(e.field, e.new) for e in page.rows]

    assert shown() == [("a4_bw_start", 5), ("a4_color_end", 90), ("a4_bw_end", 600)]  # only this month, newest first
    assert shown(user=str(alice.id)) == [("a4_bw_end", 600)]
    assert shown(user="system") == [("a4_bw_start", 5)]
    assert shown(user="999999") == [] and shown(user="x'; drop") == []
    assert shown(source="excel_upload") == [("a4_color_end", 90)] and shown(source="bogus") == []
    assert shown(field="a4_bw_end") == [("a4_bw_end", 600)] and shown(field="k1") == []
    assert shown(date_from=date(2026, 10, 2)) == [("a4_bw_start", 5), ("a4_color_end", 90)]
    assert shown(date_to=date(2026, 10, 1)) == [("a4_bw_end", 600)]
    assert shown(search="beta") == [("a4_color_end", 90)] and shown(search="dup-") == shown(row_id=first.id)
    assert shown(search="%") == []
    assert shown(sort="time", descending=False)[0] == ("a4_bw_end", 600)
    assert [e for e, _ in shown(sort="field", descending=False)] == ["a4_bw_end", "a4_bw_start", "a4_color_end"]
    assert [e for e, _ in shown(sort="source", descending=False)] == ["a4_bw_start", "a4_color_end", "a4_bw_end"]
    assert [e for e, _ in shown(sort="user", descending=False)][1:] == ["a4_bw_end", "a4_color_end"]  # Alice, bob

    entry = history_page(session, MONTH, filters=HistoryFilters(user=str(alice.id))).rows[0]
    assert (entry.user, entry.field_label, entry.old, entry.source_label) == (
        "Alice Smith",
        "A4 b/w end",
        500,
        "Manual",
    )
    assert (entry.ip, entry.user_agent, entry.serial, entry.organization) == ("10.1.2.3", "UA/1.0", "DUP-1", "Alpha")
    assert history_users(session, MONTH) == [(str(alice.id), "Alice Smith"), (str(bob.id), "bob")]
    paged = history_page(session, MONTH, page=9, page_size=25)
    assert (paged.page, paged.total, paged.page_size) == (1, 3, 25)


def test_revert_restores_logs_flags_and_recomputes(session: Session, month: dict) -> None:
    first, later, alice = month["first"], month["later"], month["alice"]
    assert _fresh(session, first.id).total_prints == 500 and _fresh(session, later.id).total_prints == 40
    entry = _change(session, first, "a4_bw_end", 800, who=alice)
    assert _fresh(session, first.id).total_prints == 800
    preview = revert_preview(session, entry_id=entry.id, permissions=EDITOR)
    assert (preview.field_label, preview.current, preview.restores, preview.problem) == ("A4 b/w end", "800", "500", "")
    seen: list = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        result = revert_entry(session, entry_id=entry.id, permissions=EDITOR, actor=Actor(user_id=month["bob"].id))
        session.commit()
    finally:
        unsubscribe()
    row = _fresh(session, first.id)
    assert (result.value, row.a4_bw_end, row.a4_bw_end_manual, row.total_prints) == (500, 500, True, 500)
    assert row.k1 == pytest.approx(90.0)
    assert _fresh(session, later.id).total_prints == 40
    line = session.exec(select(CounterChangeLog).order_by(CounterChangeLog.id.desc())).first()
    assert (line.old_value, line.new_value, line.change_source, line.user_id) == (800, 500, "manual", month["bob"].id)
    assert line.comment == f"revert of change #{entry.id}"
    assert seen == [(events.REPORTS_CHANGED, {"month": "2026-10", "row_ids": [first.id]})]
    # reverting the same entry again: the field no longer holds its new value
    with pytest.raises(ConflictError, match="it is now 500, not 800"):
        revert_entry(session, entry_id=entry.id, permissions=EDITOR)
    # a start field: restored, no manual flag to set
    start = _change(session, month["single"], "a4_color_start", 9)
    revert_entry(session, entry_id=start.id, permissions=EDITOR)
    session.commit()
    assert _fresh(session, month["single"].id).a4_color_start == 0


def _snapshot(session: Session) -> tuple:
    session.expire_all()
    rows = [(r.id, r.a4_bw_end, r.a4_bw_end_manual, r.total_prints) for r in session.exec(select(MonthlyReport))]
    return sorted(rows), len(session.exec(select(CounterChangeLog)).all())


@pytest.mark.parametrize("case", ["old unknown", "month closed", "changed since", "no permission", "hidden month"])
def test_revert_refusals_change_nothing(session: Session, month: dict, case: str) -> None:
    first = month["first"]
    entry = _change(session, first, "a4_bw_end", 800, old=None if case == "old unknown" else "current")
    permissions = set(EDITOR)
    expected: type[Exception] = DomainValidationError
    if case == "month closed":
        control = session.exec(select(MonthControl)).one()
        control.edit_until = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    elif case == "changed since":
        _change(session, first, "a4_bw_end", 900)
        expected = ConflictError
    elif case == "no permission":
        permissions = {"monthly_report.view_change_history"}
    elif case == "hidden month":
        session.exec(select(MonthControl)).one().is_published = False
        session.commit()
        expected = NotFoundError
    before = _snapshot(session)
    with pytest.raises(expected) as caught:
        revert_entry(session, entry_id=entry.id, permissions=permissions)
    session.rollback()
    assert _snapshot(session) == before
    if case == "changed since":
        assert "it is now 900" in str(caught.value)
    if case != "hidden month":
        assert revert_preview(session, entry_id=entry.id, permissions=permissions).problem
    with pytest.raises(NotFoundError):
        revert_entry(session, entry_id=987654, permissions=EDITOR)


def test_bulk_log_lists_a_month_and_keeps_a_deleted_months_log(session: Session, month: dict) -> None:
    started = datetime(2026, 10, 3, 8, tzinfo=UTC)
    session.add_all(
        [
            BulkChangeLog(
                operation_type="excel_upload",
                month=MONTH,
                records_affected=3,
                user_id=month["alice"].id,
                fields_changed=["a4_bw_end", "serial_number"],
                started_at=started,
                finished_at=started + timedelta(seconds=75),
                params={"file_name": "oct.xlsx", "replace_month": True, "upload_id": 4},
            ),
            BulkChangeLog(
                operation_type="bulk_sync",
                month=MONTH,
                records_affected=2,
                started_at=started + timedelta(1),
                finished_at=started + timedelta(days=1, seconds=2),
                success=False,
                error_message="boom",
                params={"updated_rows": 2, "skipped_serials": {"X1": "no printer"}},
            ),
            BulkChangeLog(operation_type="excel_upload", month=date(2026, 9, 1), started_at=started),
        ]
    )
    session.commit()
    page = log_page(session, MONTH)
    assert [(e.operation, e.records) for e in page.rows] == [("bulk_sync", 2), ("excel_upload", 3)]
    sync, upload = page.rows
    assert (sync.success, sync.error, sync.user, sync.duration) == (False, "boom", "system", "2 s")
    assert sync.params == ["Rows updated: 2", "Skipped serials: X1: no printer"]
    assert (upload.user, upload.duration, upload.operation_label) == ("Alice Smith", "1 min 15 s", "Excel upload")
    assert upload.fields == ["A4 b/w end", "serial_number"]
    assert upload.params == ["File: oct.xlsx", "Replace the month: yes"]
    assert [e.operation for e in log_page(session, MONTH, operation="bulk_sync").rows] == ["bulk_sync"]
    assert log_page(session, MONTH, operation="nonsense").rows == []
    assert [e.records for e in log_page(session, MONTH, sort="records", descending=False).rows] == [2, 3]

    delete_month(session, month=MONTH)
    session.add(MonthControl(month=MONTH, is_published=True))  # uploaded again
    session.commit()
    assert [e.operation for e in log_page(session, MONTH).rows] == ["month_delete", "bulk_sync", "excel_upload"]
