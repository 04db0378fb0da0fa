"""The poll pipeline (docs/inventory-and-polling.md §3 and §4) on a real database, with the device simulated by a
scripted reading."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from printer_app.models import EntityChangeLog, InventoryTask, PageCounter, Printer, PrinterChangeLog, SupplyLevel
from printer_app.models.base import utcnow
from printer_app.models.choices import ChangeAction, MatchRule, TaskStatus
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.polling.history import SupplyReading
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import AcquisitionError, DeviceReading
from tests.factories import make_contract_device, make_model, make_org, make_poll, make_printer

MAC = "00:1B:A9:0B:A7:52"


def reading(**overrides) -> DeviceReading:
    data = {
        "serial": "SN-A",
        "mac": MAC,
        "raw_counters": {"TOTAL": 12000},
        "supplies": [
            SupplyReading(
                description="Black Toner", kind="toner", color="black", percent=40, level=40, max_capacity=100
            )
        ],
    }
    return DeviceReading(**(data | overrides))


def source_of(r: DeviceReading):
    return lambda _printer: r


def poll(session, printer, r=None, **kw):
    task = run_inventory_for_printer(session, printer_id=printer.id, source=source_of(r or reading()), **kw)
    session.flush()
    return task


def test_first_poll_learns_mac_and_stores_counters(session):
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer)
    assert task.status == TaskStatus.SUCCESS
    assert task.match_rule == MatchRule.SN_MAC  # MAC learned first, then serial + MAC both match
    session.refresh(printer)
    assert printer.mac_address == MAC
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
    assert (counter.total_pages, counter.bw_a4, counter.color_a4) == (12000, 12000, 0)  # mono: all B/W A4
    assert counter.toner_black == "40"
    assert session.exec(select(SupplyLevel).where(SupplyLevel.task_id == task.id)).one().percent == 40
    assert printer.last_counter_id == counter.id and printer.last_poll_status == TaskStatus.SUCCESS
    log = session.exec(select(PrinterChangeLog).where(PrinterChangeLog.printer_id == printer.id)).one()
    assert log.action == ChangeAction.MAC_UPDATE


def test_first_poll_with_other_serial_passes_by_mac_only(session):
    printer = make_printer(session, serial_number="STORED")
    task = poll(session, printer)
    assert (task.status, task.match_rule) == (TaskStatus.SUCCESS, MatchRule.MAC_ONLY)


def test_serial_only_when_nothing_reports_a_mac(session):
    printer = make_printer(session, serial_number="SN-A")
    assert poll(session, printer, reading(mac=None)).match_rule == MatchRule.SN_ONLY


def test_mac_mismatch_is_a_validation_error_even_with_equal_serial(session):
    printer = make_printer(session, serial_number="SN-A", mac_address="AA:AA:AA:AA:AA:AA")
    task = poll(session, printer)
    assert task.status == TaskStatus.VALIDATION_ERROR
    assert "MAC mismatch" in task.error_message
    assert session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).first() is None


def test_mac_owned_by_another_active_printer_fails(session):
    make_printer(session, mac_address=MAC)
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer)
    assert task.status == TaskStatus.FAILED and "already used by active printer" in task.error_message
    session.refresh(printer)
    assert printer.mac_address is None


def test_no_counters_and_no_supplies_and_unreachable_fail(session):
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer, reading(raw_counters={}, supplies=[]))
    assert task.status == TaskStatus.FAILED and "No valid page counters" in task.error_message

    def dead(_p):
        raise AcquisitionError("No SNMP response from 10.0.0.1:161 within 2.0 s x 2 attempts")

    task = run_inventory_for_printer(session, printer_id=printer.id, source=dead)
    assert task.status == TaskStatus.FAILED and "No SNMP response" in task.error_message
    session.refresh(printer)
    assert printer.last_poll_status == TaskStatus.FAILED


def test_zero_counter_counts_as_present(session):
    printer = make_printer(session, serial_number="SN-A")
    assert poll(session, printer, reading(raw_counters={"TOTAL": 0})).status == TaskStatus.SUCCESS


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ({"total_pages": 10000, "bw_a4": 10000}, {"TOTAL": 8000}, "significant decrease"),
        ({"total_pages": 10000, "bw_a4": 10000}, {"TOTAL": 16000}, "jump"),
    ],
)
def test_history_rules_reject_without_counters(session, old, new, fragment):
    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    make_poll(session, printer, at=utcnow() - timedelta(hours=2), counters=old)
    task = poll(session, printer, reading(raw_counters=new))
    assert task.status == TaskStatus.HISTORICAL_INCONSISTENCY
    assert fragment in task.error_message
    assert session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).first() is None


def test_jump_allowed_after_a_day(session):
    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    make_poll(session, printer, at=utcnow() - timedelta(hours=30), counters={"total_pages": 10000, "bw_a4": 10000})
    assert poll(session, printer, reading(raw_counters={"TOTAL": 16000})).status == TaskStatus.SUCCESS


def test_stable_colour_history_rejects_mono_reading(session):
    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    for h in (50, 40, 30):
        make_poll(session, printer, at=utcnow() - timedelta(hours=h), counters={"total_pages": 5000, "color_a4": 5000})
    task = poll(session, printer, reading(raw_counters={"TOTAL": 5100}))  # mono reading: no colour pages
    assert task.status == TaskStatus.HISTORICAL_INCONSISTENCY
    assert "colour" in task.error_message


def test_colour_device_reports_everything_as_colour(session):
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer, reading(raw_counters={"TOTAL": 900, "BW_A4": 300, "COLOR_A4": 600}, is_color=True))
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
    assert (counter.bw_a4, counter.color_a4) == (0, 900)


def test_replacement_new_hardware(session):
    org = make_org(session)
    model = make_model(session)
    old = make_printer(session, serial_number="OLD-1", mac_address="AA:AA:AA:AA:AA:AA", organization_id=org.id)
    device = make_contract_device(session, organization=org, serial_number="new-9", device_model_id=model.id)
    task = poll(session, old, reading(serial="NEW-9", mac="BB:BB:BB:BB:BB:BB"))
    session.refresh(old)
    new = session.exec(select(Printer).where(Printer.serial_number == "NEW-9")).one()
    assert not old.is_active and old.replaced_by_id == new.id and old.replaced_at is not None
    assert new.is_active and new.ip_address == old.ip_address and new.device_model_id == model.id
    assert task.printer_id == new.id and task.status == TaskStatus.SUCCESS
    session.refresh(device)
    assert device.printer_id == new.id
    actions = {log.action for log in session.exec(select(PrinterChangeLog)).all()}
    assert {ChangeAction.DEACTIVATION, ChangeAction.REPLACEMENT} <= actions


def test_replacement_device_moved_ip(session):
    org = make_org(session)
    here = make_printer(session, serial_number="OLD-1", mac_address="AA:AA:AA:AA:AA:AA", organization_id=org.id)
    moved = make_printer(session, serial_number="MOV-2", mac_address=MAC, organization_id=org.id)
    make_contract_device(session, organization=org, serial_number="MOV-2")
    ip = here.ip_address
    task = poll(session, here, reading(serial="MOV-2"))
    session.refresh(here)
    session.refresh(moved)
    assert not here.is_active and here.replaced_by_id == moved.id
    assert moved.ip_address == ip and task.printer_id == moved.id and task.status == TaskStatus.SUCCESS
    log = session.exec(select(PrinterChangeLog).where(PrinterChangeLog.action == ChangeAction.IP_CHANGE)).one()
    assert log.printer_id == moved.id and "moved from" in log.comment


def test_no_replacement_without_contract_device(session):
    printer = make_printer(session, serial_number="OLD-1", mac_address="AA:AA:AA:AA:AA:AA")
    task = poll(session, printer, reading(serial="NEW-9"))
    assert task.status == TaskStatus.VALIDATION_ERROR
    session.refresh(printer)
    assert printer.is_active


def test_unexpected_error_is_recorded_as_failed_and_nothing_half_written(session):
    printer = make_printer(session, serial_number="SN-A")
    bad = reading(supplies=[SupplyReading(description="x", percent=250)])  # violates the percent check
    task = poll(session, printer, bad)
    assert task.status == TaskStatus.FAILED and task.error_message.startswith("Unexpected error")
    assert session.exec(select(PageCounter).where(PageCounter.printer_id == printer.id)).first() is None
    assert len(session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer.id)).all()) == 1


def test_events_announce_start_and_result(session):
    seen = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        printer = make_printer(session, serial_number="SN-A")
        poll(session, printer)
        assert [k for k, _ in seen] == [events.INVENTORY_START]  # the result waits for the commit
        session.commit()
    finally:
        unsubscribe()
    assert [k for k, _ in seen] == [events.INVENTORY_START, events.INVENTORY_UPDATE]
    result = seen[1][1]
    assert result["status"] == TaskStatus.SUCCESS and result["counters"]["total_pages"] == 12000
    assert result["mac"] == MAC


def test_empty_serial_and_model_are_learned_never_overwritten(session):
    printer = make_printer(session, serial_number="")
    task = poll(session, printer, reading(manufacturer="Ricoh", model="Aficio MP C3002"))
    session.refresh(printer)
    assert task.match_rule == MatchRule.MAC_ONLY
    assert (printer.serial_number, printer.model) == ("SN-A", "Ricoh Aficio MP C3002")
    actions = [log.action for log in session.exec(select(PrinterChangeLog)).all()]
    assert ChangeAction.SERIAL_UPDATE in actions
    poll(session, printer, reading(serial="SN-B", mac=MAC))  # MAC still matches: accepted, serial kept
    session.refresh(printer)
    assert printer.serial_number == "SN-A"


def test_redelivered_message_records_nothing_twice(session):
    printer = make_printer(session, serial_number="SN-A")
    first = run_inventory_for_printer(session, printer_id=printer.id, source=source_of(reading()), message_id="m-1")
    again = run_inventory_for_printer(session, printer_id=printer.id, source=source_of(reading()), message_id="m-1")
    assert first.id == again.id
    assert len(session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer.id)).all()) == 1


# ---- what the device did not report (issue #11) ----------------------------------------------------------------

COUNTERS = ("total_pages", "bw_a4", "bw_a3", "color_a4", "color_a3")


def _counter(session, task) -> PageCounter:
    return session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()


def test_poll_without_page_counter_stores_its_supplies_as_a_success(session):
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer, reading(raw_counters={}))
    assert (task.status, task.error_message, task.note) == (TaskStatus.SUCCESS, "", "no page counter reported")
    counter = _counter(session, task)
    assert [getattr(counter, k) for k in COUNTERS] == [None] * 5  # empty, not 0
    assert counter.toner_black == "40"
    assert session.exec(select(SupplyLevel).where(SupplyLevel.task_id == task.id)).one().percent == 40
    session.refresh(printer)
    assert (printer.last_counter_id, printer.last_poll_status) == (counter.id, TaskStatus.SUCCESS)


def test_history_checks_skip_missing_counters(session):
    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    for h in (50, 40, 30):
        make_poll(session, printer, at=utcnow() - timedelta(hours=h), counters={"total_pages": 9000, "color_a4": 9000})
    assert poll(session, printer, reading(raw_counters={})).status == TaskStatus.SUCCESS  # no colour pages "vanished"
    # The poll without counters is no history to compare with: a drop against the last real counter still counts.
    task = poll(session, printer, reading(raw_counters={"TOTAL": 5000}, is_color=True))
    assert task.status == TaskStatus.HISTORICAL_INCONSISTENCY
    assert "significant decrease 9000 -> 5000" in task.error_message


def test_device_and_printer_without_serial_or_mac_are_polled_as_not_verifiable(session):
    printer = make_printer(session, serial_number="")
    task = poll(session, printer, reading(serial="", mac=None))
    assert (task.status, task.match_rule) == (TaskStatus.SUCCESS, MatchRule.NONE)
    session.refresh(printer)
    assert printer.last_match_rule == MatchRule.NONE
    task = poll(session, printer, reading(serial="", mac=MAC))  # the first MAC it ever reports is learned
    session.refresh(printer)
    assert (task.match_rule, printer.mac_address) == (MatchRule.MAC_ONLY, MAC)
    assert poll(session, printer, reading(serial="", mac=None)).status == TaskStatus.VALIDATION_ERROR  # now it can


def test_first_serial_of_a_printer_without_identity_is_learned(session):
    printer = make_printer(session, serial_number="")
    task = poll(session, printer, reading(serial="SN-Z", mac=None))
    session.refresh(printer)
    assert (task.status, task.match_rule, printer.serial_number) == (TaskStatus.SUCCESS, MatchRule.SN_ONLY, "SN-Z")


def test_stored_identity_is_still_required_when_the_device_reports_none(session):
    printer = make_printer(session, serial_number="SN-A")
    task = poll(session, printer, reading(serial="", mac=None))
    assert (task.status, task.match_rule) == (TaskStatus.VALIDATION_ERROR, None)


def test_a_crashing_history_check_marks_the_poll(session):
    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    make_poll(session, printer, at=utcnow() - timedelta(hours=2), counters={"total_pages": 100})
    # A naive clock cannot be compared with the stored (aware) poll times: the check itself raises TypeError.
    task = poll(session, printer, now=datetime(2030, 1, 1, 12))
    assert (task.status, task.history_check_failed) == (TaskStatus.SUCCESS, True)
    assert task.note.startswith("history check failed: ")
    assert poll(session, printer).history_check_failed is False


def test_accepting_a_counter_reset_as_the_baseline(session):
    from printer_app.services.polling.baseline import accept_counter_baseline, rejected_counters

    printer = make_printer(session, serial_number="SN-A", mac_address=MAC)
    make_poll(session, printer, at=utcnow() - timedelta(days=3), counters={"total_pages": 250_000, "bw_a4": 250_000})
    assert rejected_counters(session, printer) is None
    board_swap = reading(raw_counters={"TOTAL": 120})
    assert poll(session, printer, board_swap).status == TaskStatus.HISTORICAL_INCONSISTENCY
    rejected = poll(session, printer, board_swap)
    assert rejected.status == TaskStatus.HISTORICAL_INCONSISTENCY  # forever, until ...
    session.refresh(printer)
    assert rejected_counters(session, printer).id == rejected.id  # what the printer page offers to accept
    accept_counter_baseline(session, printer_id=printer.id, actor=Actor(user_id=None, ip="10.1.2.3"))
    session.refresh(printer)
    assert rejected_counters(session, printer) is None
    assert printer.counter_baseline_at is not None
    printer_log = select(EntityChangeLog).where(EntityChangeLog.object_type == "printer")
    entry = session.exec(printer_log.order_by(EntityChangeLog.id.desc())).first()
    assert (entry.object_id, entry.action, entry.ip_address) == (printer.id, "update", "10.1.2.3")
    assert entry.changes["counter_baseline"]["old"] is None and entry.changes["counter_baseline"]["new"]
    assert session.exec(select(InventoryTask).where(InventoryTask.printer_id == printer.id)).all()[-1].status == (
        TaskStatus.HISTORICAL_INCONSISTENCY  # accepting polls nothing by itself
    )
    task = poll(session, printer, board_swap)
    assert task.status == TaskStatus.SUCCESS and _counter(session, task).total_pages == 120
    assert poll(session, printer, reading(raw_counters={"TOTAL": 90})).status == TaskStatus.HISTORICAL_INCONSISTENCY
