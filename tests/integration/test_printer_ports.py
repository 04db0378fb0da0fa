"""One active printer per address and SNMP port (issue #20): a print server fronting several devices on one IP holds
one printer per port — in the service, the database index (migration 0012), discovery, the imports that name no
port, and device replacement. On SQLite and PostgreSQL (the `session` fixture runs each test on both)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.models import ContractDevice, Printer, PrinterChangeLog
from printer_app.models.choices import ChangeAction, TaskStatus
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printer_import import ERROR, EXISTING, ImportRow, analyse
from printer_app.services.inventory.printers import PrinterInput, create_printer, update_printer
from printer_app.services.polling.discovery import added_since, known_addresses
from printer_app.services.polling.glpi_xml import import_glpi_xml
from printer_app.services.polling.history import SupplyReading
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import DeviceReading
from tests.factories import make_contract_device, make_org, make_printer
from tests.snmpsim_server import TESTDATA_DIR

IP = "10.20.30.40"
BROTHER_XML = TESTDATA_DIR / "fusioninventory" / "brother_hl5370dw.xml"  # reports MAC 00:1B:A9:0B:A7:52


def _rejected(session: Session, data: PrinterInput, *, printer_id: int | None = None) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as caught:
        if printer_id is None:
            create_printer(session, data=data)
        else:
            update_printer(session, printer_id=printer_id, data=data)
    return caught.value.errors


def test_a_second_printer_on_the_same_ip_is_added_on_another_port(session: Session) -> None:
    first = create_printer(session, data=PrinterInput(ip_address=IP, serial_number="A"))
    second = create_printer(session, data=PrinterInput(ip_address=IP, serial_number="B", snmp_port=1161))
    session.commit()
    assert (first.snmp_port, second.snmp_port) == (161, 1161)
    assert {p.id for p in session.exec(select(Printer).where(Printer.ip_address == IP)).all()} == {first.id, second.id}


def test_the_same_ip_and_port_is_refused_with_the_printer_that_has_them(session: Session, engine: Engine) -> None:
    first = create_printer(session, data=PrinterInput(ip_address=IP, serial_number="FIRST", snmp_port=1161))
    session.commit()
    errors = _rejected(session, PrinterInput(ip_address=IP, serial_number="SECOND", snmp_port=1161))
    assert errors["ip_address"] == (
        f"IP {IP} with SNMP port 1161 is already used by active printer #{first.id} (serial FIRST); another device "
        "behind this address needs a port of its own"
    )
    nameless = create_printer(session, data=PrinterInput(ip_address="10.20.30.41"))
    errors = _rejected(session, PrinterInput(ip_address="10.20.30.41", serial_number="X"))
    assert errors["ip_address"].startswith(
        f"IP 10.20.30.41 with SNMP port 161 is already used by active printer #{nameless.id};"
    )


def test_moving_a_printer_onto_a_taken_port_is_refused_and_an_invalid_port_is_reported_alone(session: Session) -> None:
    create_printer(session, data=PrinterInput(ip_address=IP, snmp_port=161))
    other = create_printer(session, data=PrinterInput(ip_address=IP, serial_number="B", snmp_port=162))
    session.commit()
    errors = _rejected(session, PrinterInput(ip_address=IP, serial_number="B", snmp_port=161), printer_id=other.id)
    assert "SNMP port 161" in errors["ip_address"]
    errors = _rejected(session, PrinterInput(ip_address=IP, serial_number="B", snmp_port=0), printer_id=other.id)
    assert "ip_address" not in errors and "snmp_port" in errors
    session.refresh(other)
    assert other.snmp_port == 162


def test_the_database_holds_one_active_network_printer_per_ip_and_port(session: Session) -> None:
    session.add_all([Printer(ip_address=IP, snmp_port=161), Printer(ip_address=IP, snmp_port=1161)])
    session.add(Printer(ip_address=IP, snmp_port=161, is_active=False))  # history keeps old hardware
    session.flush()
    session.add(Printer(ip_address=IP, snmp_port=1161))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_discovery_knows_a_find_by_its_ip_and_the_scans_port(session: Session) -> None:
    from datetime import timedelta

    from printer_app.models.base import utcnow

    started = utcnow() - timedelta(minutes=1)
    behind = create_printer(session, data=PrinterInput(ip_address=IP, snmp_port=1161))
    session.commit()
    assert IP in known_addresses(session, 1161)
    assert IP not in known_addresses(session, 161)  # a scan on 161 may find another device there
    assert added_since(session, [IP], started, 1161) == {IP: (behind.id, None)}
    assert added_since(session, [IP], started, 161) == {}


def test_the_workbook_import_refuses_an_ip_several_printers_share_and_updates_a_single_one(session: Session) -> None:
    create_printer(session, data=PrinterInput(ip_address=IP, serial_number="A"))
    create_printer(session, data=PrinterInput(ip_address=IP, serial_number="B", snmp_port=1161))
    single = create_printer(session, data=PrinterInput(ip_address="10.20.30.50", serial_number="C", snmp_port=9161))
    session.commit()
    shared, alone = analyse(
        session, [ImportRow(number=1, ip=IP, serial="NEW"), ImportRow(number=2, ip="10.20.30.50", serial="C2")]
    )
    assert shared.row_class == ERROR and shared.errors == [
        f"Several active printers use the IP {IP} (SNMP ports 161, 1161); change them on the printers page."
    ]
    assert alone.row_class == EXISTING and alone.printer_id == single.id


def test_the_xml_import_takes_the_printer_of_the_files_mac_among_several_on_its_ip(session: Session) -> None:
    create_printer(session, data=PrinterInput(ip_address=IP, serial_number="A"))
    brother = create_printer(session, data=PrinterInput(ip_address=IP, mac_address="00:1b:a9:0b:a7:52", snmp_port=2))
    assert import_glpi_xml(session, data=BROTHER_XML.read_bytes(), ip=IP).printer_id == brother.id
    brother.mac_address = None
    session.add(brother)
    session.flush()
    with pytest.raises(DomainValidationError, match=f"Several active printers use IP {IP}"):
        import_glpi_xml(session, data=BROTHER_XML.read_bytes(), ip=IP)


def _reading(serial: str) -> DeviceReading:
    supply = SupplyReading(
        description="Black Toner", kind="toner", color="black", percent=40, level=40, max_capacity=100
    )
    return DeviceReading(serial=serial, mac=None, raw_counters={"TOTAL": 1000}, supplies=[supply])


def test_replacement_hardware_is_reached_on_the_port_and_snmp_settings_of_the_printer_it_replaces(
    session: Session,
) -> None:
    org = make_org(session)
    create_printer(session, data=PrinterInput(ip_address=IP, serial_number="NEIGHBOUR"))  # the server's port 161
    old = make_printer(session, ip_address=IP, serial_number="OLD-1", organization_id=org.id, snmp_port=1161)
    old.snmp_version = "1"
    session.add(old)
    make_contract_device(session, organization=org, serial_number="NEW-9")
    task = run_inventory_for_printer(session, printer_id=old.id, source=lambda _p: _reading("NEW-9"))
    new = session.exec(select(Printer).where(Printer.serial_number == "NEW-9")).one()
    assert task.printer_id == new.id and task.status == TaskStatus.SUCCESS
    assert (new.ip_address, new.snmp_port, new.snmp_version, new.is_active) == (IP, 1161, "1", True)


def test_a_device_moved_to_a_print_servers_port_takes_that_port(session: Session) -> None:
    org = make_org(session)
    here = make_printer(session, ip_address=IP, serial_number="OLD-1", organization_id=org.id, snmp_port=1161)
    create_printer(session, data=PrinterInput(ip_address=IP, serial_number="NEIGHBOUR"))  # port 161 is taken
    moved = make_printer(session, ip_address="10.20.30.99", serial_number="MOV-2", organization_id=org.id)
    session.add(ContractDevice(organization_id=org.id, serial_number="MOV-2"))
    session.flush()
    task = run_inventory_for_printer(session, printer_id=here.id, source=lambda _p: _reading("MOV-2"))
    session.refresh(moved)
    assert task.printer_id == moved.id and task.status == TaskStatus.SUCCESS
    assert (moved.ip_address, moved.snmp_port) == (IP, 1161)
    log = session.exec(select(PrinterChangeLog).where(PrinterChangeLog.action == ChangeAction.IP_CHANGE)).one()
    assert log.old_values == {"ip_address": "10.20.30.99", "snmp_port": 161}
    assert log.new_values == {"ip_address": IP, "snmp_port": 1161}
