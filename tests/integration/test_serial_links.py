"""Contract devices and printers link by serial compared trimmed and ignoring case (services/serials.py), from
whichever side comes second: the daily auto-link for a device, the printer form for a printer."""

from __future__ import annotations

import random

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import ContractDevice, EntityChangeLog, Printer
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.contracts.devices import _store_links, autolink_devices
from printer_app.services.inventory.printers import PrinterInput, create_printer
from printer_app.services.polling.pipeline import DeviceReading, run_inventory_for_printer
from printer_app.services.serials import serial_key
from tests.factories import make_contract_device, make_org, make_printer
from tests.integration.cli_runner import RunCli, app_cli, json_out  # noqa: F401


def _links(engine: Engine) -> dict[int, int | None]:
    """Contract device id -> linked printer id, as committed."""
    with Session(engine) as fresh:
        return dict(fresh.exec(select(ContractDevice.id, ContractDevice.printer_id)).all())


def test_a_contract_device_links_to_the_polled_printer_whose_serial_differs_in_case_and_spaces(
    session: Session, engine: Engine
) -> None:
    printer = make_printer(session, serial_number="", mac_address=None)
    reading = DeviceReading(serial="XY-77-ab", raw_counters={"TOTAL": 100})
    task = run_inventory_for_printer(session, printer_id=printer.id, source=lambda _p: reading)
    assert task.status == TaskStatus.SUCCESS and printer.serial_number == "XY-77-ab"  # learned from the device
    device = make_contract_device(session, serial_number="  xy-77-AB ")
    other = make_contract_device(session, serial_number="XY-77")  # a prefix is another serial
    session.commit()

    stats = autolink_devices(session)
    session.commit()

    assert _links(engine) == {device.id: printer.id, other.id: None}
    assert (stats["linked"], stats["not_found"]) == (1, 1)


def test_a_new_printer_links_to_the_contract_device_whose_serial_differs_in_case_and_spaces(
    session: Session, engine: Engine
) -> None:
    device = make_contract_device(session, serial_number=" cnb-4411 ")
    session.commit()

    printer = create_printer(session, data=PrinterInput(ip_address="10.7.7.7", serial_number="  CNB-4411  "))
    session.commit()

    assert printer.serial_number == "CNB-4411"
    assert _links(engine) == {device.id: printer.id}


def _reference_links(session: Session) -> tuple[dict[int, int], dict[str, int]]:
    """The rule of DOMAIN 9 applied device by device in Python: what the set-based batch must give."""
    printers = session.exec(select(Printer.id, Printer.serial_number, Printer.is_active)).all()
    devices = session.exec(
        select(ContractDevice.id, ContractDevice.serial_number, ContractDevice.printer_id).order_by(ContractDevice.id)
    ).all()
    taken = {p for _d, _s, p in devices if p is not None}
    links: dict[int, int] = {}
    stats = dict.fromkeys(("total", "linked", "not_found", "multiple_found", "conflicts", "errors"), 0)
    for device_id, serial, printer_id in devices:
        if printer_id is not None or not serial_key(serial):
            continue
        stats["total"] += 1
        same = sorted((not active, pid) for pid, s, active in printers if serial_key(s) == serial_key(serial))
        if not same:
            stats["not_found"] += 1
            continue
        stats["multiple_found"] += len(same) > 1
        free = [pid for _inactive, pid in same if pid not in taken]
        if not free:
            stats["conflicts"] += 1
            continue
        links[device_id] = free[0]
        taken.add(free[0])
        stats["linked"] += 1
    return links, stats


def _count_statements(engine: Engine) -> list[str]:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_the_batch_gives_what_the_rule_gives_device_by_device_in_a_few_queries(
    session: Session, engine: Engine
) -> None:
    rng = random.Random(15)
    orgs = [make_org(session) for _ in range(3)]
    serials = [f"SN-{n:03d}" for n in range(40)]
    for n in range(60):  # several printers per serial, some inactive, some already linked below
        serial = rng.choice(serials)
        printer = make_printer(session, serial_number=rng.choice([serial, serial.lower(), f" {serial} "]))
        if rng.random() < 0.3:
            printer.is_active = False
            printer.ip_address = f"10.250.0.{n}"
            session.add(printer)
    for n in range(300):
        serial = rng.choice([*serials, "", "   ", f"GHOST-{n}"])
        serial = rng.choice([serial, serial.lower(), f"  {serial}\t", f"\xa0{serial.lower()}\r\n"])
        org = orgs[n % 3]
        exists = session.exec(
            select(ContractDevice.id).where(
                ContractDevice.organization_id == org.id,
                func.lower(ContractDevice.serial_number) == serial.lower(),
                ContractDevice.serial_number != "",
            )
        ).first()
        if not exists:
            make_contract_device(session, organization=org, serial_number=serial)
    session.commit()
    expected_links, expected_stats = _reference_links(session)
    assert expected_stats["conflicts"] and expected_stats["multiple_found"] and expected_stats["not_found"]
    before = _links(engine)

    statements = _count_statements(engine)
    stats = autolink_devices(session)
    session.commit()

    assert stats == expected_stats
    after = _links(engine)
    assert {d: p for d, p in after.items() if before[d] is None and p is not None} == expected_links
    assert len(statements) <= 8, statements  # one read, one update, one insert of change-log rows, savepoint
    assert autolink_devices(session)["linked"] == 0  # nothing left to link: a second run changes nothing


def test_two_devices_wanting_one_printer_one_gets_it_the_other_is_a_conflict(session: Session, engine: Engine) -> None:
    printer = make_printer(session, serial_number="MOVED-1")
    first = make_contract_device(session, serial_number="moved-1")
    second = make_contract_device(session, serial_number=" MOVED-1")  # the same serial in another organization
    session.commit()

    stats = autolink_devices(session)
    session.commit()

    assert _links(engine) == {first.id: printer.id, second.id: None}
    assert stats == {"total": 2, "linked": 1, "not_found": 0, "multiple_found": 0, "conflicts": 1, "errors": 0}


def test_an_inactive_printer_is_linked_when_it_is_the_only_one_and_an_active_one_comes_first(
    session: Session, engine: Engine
) -> None:
    old = make_printer(session, serial_number="REPL-9", is_active=False)
    only_inactive = make_printer(session, serial_number="GONE-3", is_active=False)
    new = make_printer(session, serial_number="repl-9")
    session.commit()
    replaced = make_contract_device(session, serial_number="Repl-9 ")
    retired = make_contract_device(session, serial_number="gone-3")
    session.commit()

    stats = autolink_devices(session)
    session.commit()

    assert _links(engine) == {replaced.id: new.id, retired.id: only_inactive.id}
    assert old.id < new.id and stats["multiple_found"] == 1 and stats["linked"] == 2


def test_the_batch_writes_the_change_log_and_announces_the_linked_devices_after_the_commit(
    session: Session, engine: Engine
) -> None:
    printer = make_printer(session, serial_number="LOG-1")
    device = make_contract_device(session, serial_number="log-1")
    session.commit()  # the printer came first: nothing linked yet
    seen: list[tuple[str, dict]] = []
    unsubscribe = events.subscribe(lambda kind, payload: seen.append((kind, payload)))
    try:
        autolink_devices(session)
        assert seen == []  # not before the commit
        session.commit()
    finally:
        unsubscribe()

    assert seen == [(events.CONTRACTS_CHANGED, {"device_ids": [device.id]})]
    with Session(engine) as fresh:
        entry = fresh.exec(
            select(EntityChangeLog)
            .where(EntityChangeLog.object_type == "contractdevice", EntityChangeLog.object_id == device.id)
            .order_by(EntityChangeLog.id.desc())
        ).first()
    assert entry is not None and entry.action == "update"
    assert entry.changes["printer_id"]["old"] is None and entry.changes["printer_id"]["new"] == printer.id


def test_a_link_the_database_refuses_is_counted_and_the_others_are_stored(session: Session, engine: Engine) -> None:
    holder = make_contract_device(session, serial_number="held-1")
    held = make_printer(session, serial_number="HELD-1")  # its creation links the holder
    free = make_printer(session, serial_number="FREE-1")
    late = make_contract_device(session, serial_number="nothing")
    good = make_contract_device(session, serial_number="other")
    session.commit()
    assert _links(engine)[holder.id] == held.id

    # a printer linked by a concurrent save between the batch's read and its write: the unique link refuses it
    done = _store_links(session, [(late.id, "held-1", held.id), (good.id, "free-1", free.id)], None)
    session.commit()

    assert done == [good.id]
    assert _links(engine) == {holder.id: held.id, late.id: None, good.id: free.id}


def test_a_new_printer_takes_the_device_of_its_own_organization_first(session: Session, engine: Engine) -> None:
    old_org, new_org = make_org(session), make_org(session)
    before = make_contract_device(session, organization=old_org, serial_number="MV-77")
    after = make_contract_device(session, organization=new_org, serial_number="mv-77 ")
    session.commit()

    printer = create_printer(
        session, data=PrinterInput(ip_address="10.9.9.9", serial_number="Mv-77", organization_id=str(new_org.id))
    )
    session.commit()

    assert _links(engine) == {before.id: None, after.id: printer.id}


def test_a_new_printer_without_a_serial_or_with_an_unknown_one_links_nothing(session: Session, engine: Engine) -> None:
    device = make_contract_device(session, serial_number="KNOWN-1")
    session.commit()
    create_printer(session, data=PrinterInput(ip_address="10.9.9.10", serial_number=""))
    create_printer(session, data=PrinterInput(ip_address="10.9.9.11", serial_number="UNKNOWN-1"))
    session.commit()
    assert _links(engine) == {device.id: None}


def test_a_failed_printer_creation_leaves_no_link(session: Session, engine: Engine) -> None:
    device = make_contract_device(session, serial_number="ROLL-1")
    session.commit()
    create_printer(session, data=PrinterInput(ip_address="10.9.9.12", serial_number="roll-1"))
    session.rollback()
    assert _links(engine) == {device.id: None}


def test_contracts_link_command_prints_the_stats(app_cli: RunCli, session: Session, engine: Engine) -> None:  # noqa: F811
    printer = make_printer(session, serial_number="CLI-1")
    device = make_contract_device(session, serial_number="cli-1")
    make_contract_device(session, serial_number="CLI-NONE")
    session.commit()  # the printer came first: nothing linked yet

    stats = json_out(app_cli("contracts", "link", "--json"))
    text_run = app_cli("contracts", "link")

    assert stats == {"total": 2, "linked": 1, "not_found": 1, "multiple_found": 0, "conflicts": 0, "errors": 0}
    assert _links(engine)[device.id] == printer.id
    assert text_run.exit_code == 0
    assert "linked 0" in text_run.stdout and "Devices without a printer: 1" in text_run.stdout


def test_a_batch_rolled_back_by_its_caller_leaves_no_link(session: Session, engine: Engine) -> None:
    make_printer(session, serial_number="UNDO-1")
    device = make_contract_device(session, serial_number="undo-1")
    session.commit()
    seen: list[str] = []
    unsubscribe = events.subscribe(lambda kind, _payload: seen.append(kind))
    try:
        assert autolink_devices(session)["linked"] == 1  # the batch's first write comes after its reads
        session.rollback()
    finally:
        unsubscribe()
    assert _links(engine) == {device.id: None}
    assert seen == []
