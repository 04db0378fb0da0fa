"""The per-poll sync of the month reports (services/reports/sync_poll.py) through the real poll pipeline, on SQLite
and PostgreSQL: open months with auto-sync get *_auto and the non-manual end values, the current month gets its auto
values whatever its lock, the duplicate-group split and specs hold, and a failure of the sync never fails the poll."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from printer_app.models import CounterChangeLog, InventoryTask, PrinterModelSpec
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.polling.history import SupplyReading
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import DeviceReading
from printer_app.services.reports.months import month_key, previous_month
from tests.factories import make_printer
from tests.integration.report_sync_data import add_row, open_month, row_of, this_month

MAC = "00:1B:A9:0B:A7:52"
COUNTS = {"TOTAL": 1500, "BW_A4": 1000, "BW_A3": 500}  # a mono device: a4_bw 1000, a3_bw 500, colours 0


TONER = SupplyReading(description="Black Toner", kind="toner", color="black", percent=40, level=40, max_capacity=100)


def _poll(session: Session, printer, raw: dict | None = None) -> InventoryTask:
    counts = COUNTS if raw is None else raw
    reading = DeviceReading(serial="SN-A", mac=MAC, raw_counters=counts, supplies=[TONER])
    task = run_inventory_for_printer(session, printer_id=printer.id, source=lambda _p: reading)
    session.flush()
    return task


def _logs(session: Session) -> list[tuple[int, str, int | None, int | None, str]]:
    query = select(CounterChangeLog).order_by(CounterChangeLog.report_id, CounterChangeLog.field_name)
    return [(c.report_id, c.field_name, c.old_value, c.new_value, c.change_source) for c in session.exec(query)]


def test_a_poll_fills_the_open_months_rows_of_its_serial_except_manual_ends(session: Session) -> None:
    month = previous_month(this_month())
    open_month(session, month)
    printer = make_printer(session, serial_number="SN-A", ip_address="10.9.0.7")
    row = add_row(session, month, "sn-A", a4_bw_start=100, a4_bw_end=200, a3_bw_end=7, a3_bw_end_manual=True)
    other = add_row(session, month, "SN-B", a4_bw_end=5)
    heard: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: heard.append((kind, payload)))
    try:
        task = _poll(session, printer)
        assert not [p for k, p in heard if k == events.REPORTS_CHANGED], "announced before the commit"
        session.commit()
    finally:
        unsubscribe()
    stored = row_of(session, row)
    assert (stored["a4_bw_end"], stored["a4_bw_end_auto"]) == (1000, 1000)
    assert (stored["a3_bw_end"], stored["a3_bw_end_auto"]) == (7, 500)  # manual end kept, its auto value updated
    assert stored["a4_bw_start"] == 100 and stored["a3_bw_start"] == 0  # starts never touched by a poll
    assert (stored["a4_color_end"], stored["a4_color_end_auto"]) == (0, 0)
    assert stored["device_ip"] == "10.9.0.7" and stored["inventory_autosync_at"] is not None
    assert stored["inventory_last_ok"] == session.get(InventoryTask, task.id).task_timestamp
    assert stored["total_prints"] == (1000 - 100) + 7  # the group recomputed in the same transaction
    assert row_of(session, other)["a4_bw_end"] == 5
    assert _logs(session) == [(row, "a4_bw_end", 200, 1000, "auto_sync")]
    assert (events.REPORTS_CHANGED, {"month": month_key(month), "row_ids": [row]}) in heard


def test_duplicate_groups_get_a4_on_the_first_row_and_a3_on_the_later_ones(session: Session) -> None:
    month = previous_month(this_month())
    open_month(session, month)
    printer = make_printer(session, serial_number="SN-A")
    first = add_row(session, month, "SN-A", inventory_number="INV-1", order_number=1)
    second = add_row(session, month, "sn-a", inventory_number="inv-1", order_number=2)
    _poll(session, printer)
    one, two = row_of(session, first), row_of(session, second)
    assert (one["a4_bw_end"], one["a3_bw_end"], one["a3_bw_end_auto"]) == (1000, 0, None)
    assert (two["a4_bw_end"], two["a4_bw_end_auto"], two["a3_bw_end"]) == (0, None, 500)
    assert (one["total_prints"], two["total_prints"]) == (1000, 500)


def test_an_enforcing_spec_keeps_the_counters_its_model_cannot_have(session: Session) -> None:
    month = previous_month(this_month())
    open_month(session, month)
    session.add(PrinterModelSpec(model_name="Mono A4", is_color=False, paper_format="A4", enforce=True))
    printer = make_printer(session, serial_number="SN-A")
    row = add_row(session, month, "SN-A", equipment_model="mono  a4")
    _poll(session, printer)
    stored = row_of(session, row)
    assert (stored["a4_bw_end"], stored["a3_bw_end"], stored["a3_bw_end_auto"]) == (1000, 0, None)


def test_closed_and_auto_sync_off_months_are_untouched_but_the_current_month_gets_its_auto_values(
    session: Session,
) -> None:
    current, previous = this_month(), previous_month(this_month())
    before = previous_month(previous)
    open_month(session, current, auto_sync=False)
    open_month(session, previous, closed=True)
    open_month(session, before, auto_sync=False)
    printer = make_printer(session, serial_number="SN-A", ip_address="10.9.0.8")
    now_row = add_row(session, current, "SN-A", a4_bw_end=3)
    closed_row = add_row(session, previous, "SN-A", a4_bw_end=3)
    off_row = add_row(session, before, "SN-A", a4_bw_end=3)
    _poll(session, printer)
    stored = row_of(session, now_row)
    assert (stored["a4_bw_end"], stored["a4_bw_end_auto"], stored["a3_bw_end_auto"]) == (3, 1000, 500)
    assert stored["device_ip"] == "10.9.0.8" and stored["inventory_last_ok"] is not None
    assert stored["inventory_autosync_at"] is None
    for untouched in (closed_row, off_row):
        stored = row_of(session, untouched)
        assert (stored["a4_bw_end"], stored["a4_bw_end_auto"], stored["device_ip"]) == (3, None, None)
    assert _logs(session) == []


def test_a_poll_without_counters_changes_nothing(session: Session) -> None:
    month = previous_month(this_month())
    open_month(session, month)
    printer = make_printer(session, serial_number="SN-A")
    row = add_row(session, month, "SN-A", a4_bw_end=3)
    task = _poll(session, printer, raw={})
    assert task.status == TaskStatus.SUCCESS
    stored = row_of(session, row)
    assert (stored["a4_bw_end"], stored["a4_bw_end_auto"], stored["inventory_last_ok"]) == (3, None, None)


def test_a_failing_sync_never_fails_the_poll(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    month = previous_month(this_month())
    open_month(session, month)
    printer = make_printer(session, serial_number="SN-A")
    add_row(session, month, "SN-A")
    session.commit()
    session.execute(sa.text("ALTER TABLE monthlyreport RENAME TO monthlyreport_away"))
    try:
        task = _poll(session, printer)
        session.commit()
    finally:
        session.rollback()
        session.execute(sa.text("ALTER TABLE monthlyreport_away RENAME TO monthlyreport"))
        session.commit()
    stored = session.get(InventoryTask, task.id)
    assert stored is not None and stored.status == TaskStatus.SUCCESS
    assert "month report sync after the poll" in caplog.text  # it did fail, and was rolled back alone
