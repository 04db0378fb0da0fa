"""The month sync (services/reports/sync_month.py) on SQLite and PostgreSQL: starts from the first poll of the
period (never over a start already entered), ends and *_auto from the last one unless manual, the duplicate split,
counters that went backwards stored as read, the stats, the bulk log, progress per chunk, a second run that changes
nothing, and the refusals (missing, closed, auto-sync off, already running)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.models import BulkChangeLog, CounterChangeLog
from printer_app.models.base import utcnow
from printer_app.services import events
from printer_app.services.reports import sync_lock
from printer_app.services.reports.months import month_bounds, month_key, previous_month
from printer_app.services.reports.sync_month import sync_month
from printer_app.services.reports.sync_run import SyncRefused, running_progress
from tests.factories import make_printer
from tests.integration.contract_import_fixtures import app_database_fixture  # noqa: F401
from tests.integration.report_sync_data import add_row, open_month, poll, row_of, this_month

pytestmark = pytest.mark.usefixtures("app_database")
MONTH = previous_month(this_month())
KEYS = {"updated_rows", "groups_recomputed", "skipped_serials", "duplicate_groups", "errors"}


@pytest.fixture
def month(session: Session):
    """The previous month, open and auto-synced; its local start (UTC)."""
    open_month(session, MONTH)
    return month_bounds(MONTH, get_settings().tz)[0]


def _log_count(session: Session) -> int:
    return len(session.exec(select(CounterChangeLog)).all())


def test_a_month_sync_fills_starts_ends_and_auto_values_and_reports_its_stats(session: Session, month) -> None:
    a = make_printer(session, serial_number="SN-A", ip_address="10.9.0.1")
    b = make_printer(session, serial_number="SN-DUP", ip_address="10.9.0.2")
    idle = make_printer(session, serial_number="SN-IDLE")
    poll(session, a, month - timedelta(days=2), bw_a4=1, color_a4=1, bw_a3=1, color_a3=1)  # before the period
    poll(session, a, month + timedelta(days=1), bw_a4=100, color_a4=10, bw_a3=5, color_a3=None)
    poll(session, a, month + timedelta(days=5), bw_a4=None, color_a4=None, bw_a3=None, color_a3=None)  # no counter
    poll(session, a, month + timedelta(days=9), bw_a4=400, color_a4=40, bw_a3=8, color_a3=None)
    poll(session, b, month + timedelta(days=2), bw_a4=1000, bw_a3=50)
    poll(session, b, month + timedelta(days=3), bw_a4=1200, bw_a3=70)
    poll(session, idle, month - timedelta(days=3), bw_a4=9)
    row = add_row(session, MONTH, "sn-a", a4_color_start=7, a4_color_end=99, a4_color_end_manual=True)
    dup1 = add_row(session, MONTH, "SN-DUP", inventory_number="I1", order_number=1)
    dup2 = add_row(session, MONTH, "SN-DUP", inventory_number="i1", order_number=2)
    gone = add_row(session, MONTH, "SN-GONE", a4_bw_end=5)
    add_row(session, MONTH, "SN-IDLE")
    add_row(session, MONTH, "")
    session.commit()
    heard: list[dict] = []
    unsubscribe = events.subscribe(lambda kind, p: heard.append(p) if kind == events.REPORT_SYNC_PROGRESS else None)
    try:
        stats = sync_month(MONTH, chunk_size=1)
    finally:
        unsubscribe()
    synced = row_of(session, row)
    assert [synced[f"{n}_start"] for n in ("a4_bw", "a4_color", "a3_bw", "a3_color")] == [100, 7, 5, 0]
    assert [synced[f"{n}_end"] for n in ("a4_bw", "a4_color", "a3_bw", "a3_color")] == [400, 99, 8, 0]
    assert [synced[f"{n}_end_auto"] for n in ("a4_bw", "a4_color", "a3_bw", "a3_color")] == [400, 40, 8, None]
    assert synced["device_ip"] == "10.9.0.1" and synced["inventory_last_ok"] == month + timedelta(days=9)
    assert synced["inventory_autosync_at"] is not None
    assert synced["total_prints"] == (400 - 100) + (99 - 7) + (8 - 5)
    one, two = row_of(session, dup1), row_of(session, dup2)
    assert (one["a4_bw_start"], one["a4_bw_end"], one["a3_bw_end"], one["a3_bw_end_auto"]) == (1000, 1200, 0, None)
    assert (two["a4_bw_end"], two["a3_bw_start"], two["a3_bw_end"]) == (0, 50, 70)
    assert (one["total_prints"], two["total_prints"]) == (200, 20)
    assert row_of(session, gone)["a4_bw_end"] == 5
    assert stats.updated_rows == 3 and stats.groups_recomputed == 2 and stats.duplicate_groups == 1
    assert stats.errors == []
    assert [s["serial"] for s in stats.skipped_serials] == ["SN-GONE", "SN-IDLE"]
    assert (
        "no printer" in stats.skipped_serials[0]["reason"]
        and "no successful poll" in stats.skipped_serials[1]["reason"]
    )
    bulk = session.exec(select(BulkChangeLog)).one()
    assert (bulk.operation_type, bulk.records_affected, bulk.success) == ("bulk_sync", 3, True)
    assert set(bulk.params) >= KEYS and bulk.params["updated_rows"] == 3
    logs = session.exec(select(CounterChangeLog)).all()
    assert {c.change_source for c in logs} == {"auto_sync"}
    assert not [c for c in logs if c.field_name == "a4_color_end"]  # the manual end was not written
    assert ("a4_bw_start", 0, 100) in {(c.field_name, c.old_value, c.new_value) for c in logs if c.report_id == row}
    assert [(p["done"], p["status"]) for p in heard] == [(0, "running"), (1, "running"), (3, "running"), (3, "done")]
    assert {p["month"] for p in heard} == {month_key(MONTH)} and heard[-1]["stats"]["updated_rows"] == 3
    before = _log_count(session)
    again = sync_month(MONTH)
    assert (again.updated_rows, again.groups_recomputed, _log_count(session)) == (0, 0, before)
    assert row_of(session, row)["a4_bw_end"] == 400


def test_counters_that_went_backwards_are_stored_as_read(session: Session, month) -> None:
    printer = make_printer(session, serial_number="SN-R")
    poll(session, printer, month + timedelta(days=1), bw_a4=40_000)
    row = add_row(session, MONTH, "SN-R", a4_bw_start=45_000, a4_bw_end=50_000)
    session.commit()
    sync_month(MONTH)
    stored = row_of(session, row)
    assert (stored["a4_bw_start"], stored["a4_bw_end"], stored["total_prints"]) == (45_000, 40_000, -5_000)
    log = session.exec(select(CounterChangeLog)).one()
    assert (log.field_name, log.old_value, log.new_value) == ("a4_bw_end", 50_000, 40_000)


@pytest.mark.parametrize(
    ("control", "words"),
    [(None, "does not exist"), ({"closed": True}, "closed"), ({"auto_sync": False}, "Auto-sync is off")],
)
def test_a_missing_closed_or_not_auto_synced_month_is_refused(session: Session, control, words: str) -> None:
    if control is not None:
        open_month(session, MONTH, **control)
    row = add_row(session, MONTH, "SN-A")
    make_printer(session, serial_number="SN-A")
    session.commit()
    with pytest.raises(SyncRefused, match=words):
        sync_month(MONTH)
    assert row_of(session, row)["inventory_autosync_at"] is None
    assert session.exec(select(BulkChangeLog)).all() == []


def test_one_sync_of_a_month_at_a_time(session: Session, month) -> None:
    add_row(session, MONTH, "SN-A")
    session.commit()
    key = month_key(MONTH)
    assert sync_lock.claim(key, "other-run")
    try:
        sync_lock.save_progress(key, {"month": key, "done": 2, "total": 9, "status": "running", "stats": {}})
        with pytest.raises(SyncRefused, match="a sync of this month is already running"):
            sync_month(MONTH)
        assert running_progress(MONTH)["done"] == 2  # what a tab opened now shows
        sync_month(MONTH, token="other-run")  # the same run (a redelivered message) takes its lock back
        assert sync_lock.holder(key) is None  # and releases it at the end
    finally:
        sync_lock.release(key, "other-run")
    assert running_progress(MONTH) is None
    assert sync_month(MONTH, now=utcnow()).errors == []
