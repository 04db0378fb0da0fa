"""Editing counters of a month row (services/reports/counter_edit.py, docs/reports.md §10.5) on SQLite and PostgreSQL:
values digits only (full-width digits from an input method accepted), the allowed set checked inside the service,
the manual flag of end fields, the change log, the optimistic check, the duplicate group recomputed, a closed month,
expired overrides ignored, reset to inventory, and the page's locks read in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.models import CounterChangeLog, MonthControl, MonthlyReport, PrinterModelSpec, SerialEditOverride
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import ConflictError, DomainValidationError
from printer_app.services.reports.counter_edit import edit_counter, locks_for_rows, reset_to_inventory
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.rules import EDIT_END, EDIT_START, OVERRIDE_LOCK

MONTH = date(2026, 10, 1)
BOTH = (EDIT_START, EDIT_END)
RESET = "monthly_report.can_reset_auto_polling"
ACTOR = Actor(user_id=None, ip="10.1.2.3", user_agent="pytest-agent")


def _open(session: Session, until: datetime | None = None, *, days: int = 3) -> None:
    until = until if until is not None or days is None else datetime.now(UTC) + timedelta(days=days)
    session.add(MonthControl(month=MONTH, edit_until=until, is_published=True))
    session.commit()


def _row(session: Session, serial: str = "SN-1", **values) -> MonthlyReport:
    row = MonthlyReport(month=MONTH, serial_number=serial, **values)
    session.add(row)
    session.flush()
    recompute_month(session, MONTH)
    session.commit()
    return row


def _stored(session: Session, row_id: int) -> MonthlyReport:
    session.expire_all()
    return session.get(MonthlyReport, row_id)


def _log(session: Session) -> list[CounterChangeLog]:
    session.expire_all()
    return list(session.exec(select(CounterChangeLog).order_by(CounterChangeLog.id)))


def _edit(session: Session, row: MonthlyReport, field: str, text: object, *, loaded=None, perms=BOTH):
    loaded = getattr(_stored(session, row.id), field) if loaded is None else loaded
    result = edit_counter(session, row_id=row.id, field=field, text=text, loaded=loaded, permissions=perms, actor=ACTOR)
    session.commit()
    return result


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-1", "digits only"),
        ("1.5", "digits only"),
        ("1,5", "digits only"),
        ("+5", "digits only"),
        ("abc", "digits only"),
        ("2²", "digits only"),
        ("", "type a number"),
        ("   ", "type a number"),
        ("100000001", "at most 100,000,000"),
        ("9" * 500, "digits only"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(session: Session, text: str, reason: str) -> None:
    _open(session)
    row = _row(session, a4_bw_end=100)
    with pytest.raises(DomainValidationError) as caught:
        _edit(session, row, "a4_bw_end", text)
    assert reason in caught.value.errors["a4_bw_end"]
    stored = _stored(session, row.id)
    assert stored.a4_bw_end == 100 and not stored.a4_bw_end_manual and _log(session) == []


@pytest.mark.parametrize(
    ("text", "value"), [("1 234", 1234), ("\u00a05\u202f000 ", 5000), ("１２", 12), ("100000000", 10**8)]
)
def test_accepted_values(session: Session, text: str, value: int) -> None:
    _open(session)
    row = _row(session)
    assert _edit(session, row, "a4_bw_start", text).value == value
    assert _stored(session, row.id).a4_bw_start == value


def test_end_edit_sets_its_manual_flag_and_every_change_is_logged(session: Session) -> None:
    _open(session)
    row = _row(session, a4_bw_start=100, a4_bw_end=150)
    _edit(session, row, "a4_bw_start", "90")
    result = _edit(session, row, "a4_bw_end", "200")
    stored = _stored(session, row.id)
    assert (stored.a4_bw_start, stored.a4_bw_end, stored.total_prints) == (90, 200, 110)
    assert result.manual and stored.a4_bw_end_manual and not stored.a4_color_end_manual
    assert not _edit(session, row, "a4_bw_end", "200").changed  # the same value: nothing logged
    lines = [(x.field_name, x.old_value, x.new_value, x.change_source) for x in _log(session)]
    assert lines == [("a4_bw_start", 100, 90, "manual"), ("a4_bw_end", 150, 200, "manual")]
    assert {(x.ip_address, x.user_agent) for x in _log(session)} == {("10.1.2.3", "pytest-agent")}


def test_a_stale_save_is_refused_naming_the_value_stored_now(session: Session) -> None:
    _open(session)
    row = _row(session, a4_bw_end=1500)
    _edit(session, row, "a4_bw_end", "1600", loaded=1500)  # the first tab wins
    with pytest.raises(ConflictError) as caught:
        _edit(session, row, "a4_bw_end", "1700", loaded=1500)  # the second tab loaded 1500 too
    assert "it is now 1,600" in str(caught.value)
    assert _stored(session, row.id).a4_bw_end == 1600 and len(_log(session)) == 1


def test_a_duplicate_group_is_recomputed_and_its_split_enforced(session: Session) -> None:
    _open(session)
    sla = {"normative_availability": 100, "actual_downtime": 20, "non_overdue_requests": 3, "total_requests": 4}
    first = _row(session, "DUP", inventory_number="INV", order_number=1, **sla)
    later = _row(session, "dup ", inventory_number="inv", order_number=2)
    _edit(session, first, "a4_bw_end", "500")
    _edit(session, later, "a3_color_end", "70")
    one, two = _stored(session, first.id), _stored(session, later.id)
    assert (one.total_prints, two.total_prints) == (500, 70)
    assert (one.k1, one.k2) == (pytest.approx(80.0), pytest.approx(75.0))
    with pytest.raises(DomainValidationError, match="A3 fields belong to the later rows"):
        _edit(session, first, "a3_bw_end", "5")
    with pytest.raises(DomainValidationError, match="A4 fields belong to the first row"):
        _edit(session, later, "a4_bw_start", "5")


@pytest.mark.parametrize(
    ("until", "reason"),
    [(datetime(2026, 11, 5, 12, 0, tzinfo=UTC), "Month closed on 2026-11-05"), (None, "never opened")],
)
def test_a_closed_month_is_refused(session: Session, until: datetime | None, reason: str) -> None:
    session.add(MonthControl(month=MONTH, edit_until=until, is_published=True))
    session.commit()
    row = _row(session, a4_bw_end=10)
    with pytest.raises(DomainValidationError, match=reason):
        _edit(session, row, "a4_bw_end", "20")
    assert reason in locks_for_rows(session, MONTH, [row.id], BOTH)[row.id]["a4_bw_start"]
    assert _stored(session, row.id).a4_bw_end == 10


@pytest.mark.parametrize(
    ("perms", "field"), [((), "a4_bw_end"), ((EDIT_START,), "a4_bw_end"), ((EDIT_END,), "a3_bw_start")]
)
def test_without_the_permission_nothing_changes(session: Session, perms: tuple, field: str) -> None:
    _open(session)
    row = _row(session)
    with pytest.raises(DomainValidationError, match="You may not edit"):
        _edit(session, row, field, "5", perms=perms)
    assert getattr(_stored(session, row.id), field) == 0 and _log(session) == []


def _polled(session: Session, serial: str = "POLLED", days: int = 2) -> MonthlyReport:
    last = datetime.now(UTC) - timedelta(days=days)
    return _row(session, serial, equipment_model="Kyocera M2040", inventory_last_ok=last, a4_bw_end_auto=900)


def _override(session: Session, allow: bool, *, expired: bool, serial: str = "polled") -> None:
    moment = datetime.now(UTC) + timedelta(days=-1 if expired else 1)
    session.add(SerialEditOverride(serial=serial, allow_manual_edit=allow, expires_at=moment, reason="audit"))
    session.commit()


def test_auto_lock_precedence_with_real_overrides_and_specs(session: Session) -> None:
    _open(session)
    row = _polled(session)
    stale = _polled(session, "STALE", days=8)

    def lock(perms=BOTH, which=row) -> str | None:
        return locks_for_rows(session, MONTH, [which.id], perms)[which.id]["a4_bw_end"]

    assert lock() == "Auto-filled from the inventory 2 days ago"
    with pytest.raises(DomainValidationError, match="Auto-filled"):
        _edit(session, row, "a4_bw_end", "950")
    assert lock((*BOTH, OVERRIDE_LOCK)) is None and lock(which=stale) is None
    _override(session, True, expired=True)  # an expired unlock is ignored
    assert lock() is not None
    session.exec(sa.delete(SerialEditOverride))
    _override(session, True, expired=False)
    assert lock() is None and _edit(session, row, "a4_bw_end", "950").manual
    _override(session, False, expired=False, serial="stale")  # a force lock locks even a stale poll
    assert "override: audit" in lock(which=stale)
    session.add(PrinterModelSpec(model_name="kyocera  m2040", allow_manual_edit=True, enforce=False))
    session.commit()
    assert lock(which=stale) is not None  # the override wins over the spec
    session.exec(sa.delete(SerialEditOverride))
    session.commit()
    assert lock(which=stale) is None and lock() is None  # the spec allows manual edit


def test_reset_to_inventory(session: Session) -> None:
    _open(session)
    row = _polled(session, days=30)
    _edit(session, row, "a4_bw_end", "1000")
    with pytest.raises(DomainValidationError, match="may not reset"):
        reset_to_inventory(session, row_id=row.id, field="a4_bw_end", permissions=BOTH)
    with pytest.raises(DomainValidationError, match="no value"):
        reset_to_inventory(session, row_id=row.id, field="a3_bw_end", permissions=(RESET,))
    result = reset_to_inventory(session, row_id=row.id, field="a4_bw_end", permissions=(RESET,), actor=ACTOR)
    session.commit()
    stored = _stored(session, row.id)
    assert (result.value, stored.a4_bw_end, stored.a4_bw_end_manual, stored.total_prints) == (900, 900, False, 900)
    last = _log(session)[-1]
    assert (last.old_value, last.new_value, last.comment, last.change_source) == (
        1000,
        900,
        "reset to inventory",
        "manual",
    )
    session.exec(sa.update(MonthControl).values(edit_until=datetime(2026, 11, 1, tzinfo=UTC)))
    session.commit()
    with pytest.raises(DomainValidationError, match="Month closed"):
        reset_to_inventory(session, row_id=row.id, field="a4_bw_end", permissions=(RESET,))


def test_page_locks_take_a_fixed_number_of_queries_and_an_edit_is_announced(session: Session, engine) -> None:
    _open(session)
    ids = [_row(session, f"S{n}", a4_bw_end=n).id for n in range(40)]
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        small = len(locks_for_rows(session, MONTH, ids[:2], BOTH)), len(statements)
        statements.clear()
        large = len(locks_for_rows(session, MONTH, ids, BOTH)), len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert small[0] == 2 and large[0] == 40 and large[1] == small[1] <= 6
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        edit_counter(session, row_id=ids[3], field="a4_bw_end", text="77", loaded=3, permissions=BOTH)
        assert seen == []  # nothing before the commit
        session.commit()
    finally:
        unsubscribe()
    assert (events.REPORTS_CHANGED, {"month": "2026-10", "row_ids": [ids[3]]}) in seen
