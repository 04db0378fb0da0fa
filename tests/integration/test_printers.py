"""Printer create/update/delete: the service's validation and the database constraints behind it."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.models import ContractDevice, InventoryTask, Organization, PageCounter, Printer, SupplyLevel
from printer_app.models.choices import ConnectionType, TaskStatus
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.inventory.printers import PrinterInput, create_printer, delete_printer, update_printer
from printer_app.services.polling.history import SupplyReading
from tests.factories import make_contract_device, make_model, make_org, make_poll, make_printer

COLUMNS = ("ip_address", "ip_numeric", "serial_number", "mac_address", "organization_id", "snmp_community", "is_active")


def _snapshot(engine: Engine) -> list[tuple]:
    """Every printer row as committed, read through a fresh session."""
    with Session(engine) as fresh:
        printers = fresh.exec(select(Printer).order_by(Printer.id)).all()
        return [tuple(getattr(p, c) for c in COLUMNS) for p in printers]


def _rejected(session: Session, data: PrinterInput, *, printer_id: int | None = None) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as caught:
        if printer_id is None:
            create_printer(session, data=data)
        else:
            update_printer(session, printer_id=printer_id, data=data)
    return caught.value.errors


def test_create_valid_printer_stores_normalised_values(session: Session, engine: Engine) -> None:
    org = make_org(session)
    model = make_model(session)
    data = PrinterInput(
        ip_address=" 192.168.1.20 ",
        serial_number="  CNB1234567 ",
        mac_address="aa-bb-cc-dd-ee-ff",
        organization_id=org.id,
        device_model_id=model.id,
        snmp_community="private_1",
    )
    printer = create_printer(session, data=data)
    session.commit()

    with Session(engine) as fresh:
        stored = fresh.get(Printer, printer.id)
        assert stored.ip_address == "192.168.1.20"
        assert stored.ip_numeric == 3232235796
        assert stored.serial_number == "CNB1234567"
        assert stored.mac_address == "AA:BB:CC:DD:EE:FF"
        assert (stored.organization_id, stored.device_model_id) == (org.id, model.id)
        assert stored.snmp_community == "private_1"
        assert stored.is_active
        assert stored.connection_type == ConnectionType.NETWORK
        assert stored.last_poll_status is None


@pytest.mark.parametrize("ip", ["10.0.0.256", "abc", "", "10.0.0", "1.2.3.4.5", "fe80::1"])
def test_invalid_ipv4_rejected_with_message_naming_the_field(session: Session, ip: str) -> None:
    errors = _rejected(session, PrinterInput(ip_address=ip))

    assert set(errors) == {"ip_address"}
    assert "IPv4" in errors["ip_address"]
    assert session.exec(select(func.count(Printer.id))).one() == 0


def test_every_invalid_field_is_reported_at_once(session: Session) -> None:
    errors = _rejected(session, PrinterInput(ip_address="300.1.1.1", mac_address="xyz", snmp_community="a b"))

    assert set(errors) == {"ip_address", "mac_address", "snmp_community"}


def test_duplicate_active_ip_rejected_and_nothing_changed(session: Session, engine: Engine) -> None:
    existing = make_printer(session, ip_address="10.1.1.1", serial_number="FIRST", mac_address="02:00:00:00:00:01")
    session.commit()
    before = _snapshot(engine)

    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", serial_number="SECOND"))

    assert f"#{existing.id}" in errors["ip_address"]
    assert "FIRST" in errors["ip_address"]
    assert _snapshot(engine) == before


def test_same_ip_allowed_when_the_other_printer_is_inactive(session: Session) -> None:
    old = make_printer(session, ip_address="10.1.1.1", is_active=False)
    new = make_printer(session, ip_address="10.1.1.1")
    session.commit()

    assert new.id != old.id
    # Reactivating the old one would now clash with the new one.
    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", is_active=True), printer_id=old.id)
    assert f"#{new.id}" in errors["ip_address"]


@pytest.mark.parametrize("raw", ["aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "AA:bb:cc:DD:ee:FF", "aabbccddeeff"])
def test_mac_is_normalised(session: Session, raw: str) -> None:
    assert make_printer(session, mac_address=raw).mac_address == "AA:BB:CC:DD:EE:FF"


def test_blank_mac_is_stored_as_none(session: Session) -> None:
    assert make_printer(session, mac_address="   ").mac_address is None


@pytest.mark.parametrize("raw", ["aa-bb-cc", "aa:bb:cc:dd:ee:ff:00", "zz:zz:zz:zz:zz:zz", "not a mac"])
def test_bad_mac_rejected(session: Session, raw: str) -> None:
    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", mac_address=raw))

    assert set(errors) == {"mac_address"}
    assert raw.strip() in errors["mac_address"]


def test_duplicate_active_mac_rejected_whatever_its_notation(session: Session, engine: Engine) -> None:
    existing = make_printer(session, mac_address="aa:bb:cc:dd:ee:ff")
    session.commit()
    before = _snapshot(engine)

    errors = _rejected(session, PrinterInput(ip_address="10.9.9.9", mac_address="AABB.CCDD.EEFF"))

    assert f"#{existing.id}" in errors["mac_address"]
    assert _snapshot(engine) == before


def test_same_mac_allowed_when_the_other_printer_is_inactive(session: Session) -> None:
    make_printer(session, mac_address="aa:bb:cc:dd:ee:ff", is_active=False)
    assert make_printer(session, mac_address="aa:bb:cc:dd:ee:ff").is_active


@pytest.mark.parametrize("community", ["pub lic", "a;b", "", "$(reboot)", "x" * 65])
def test_community_outside_the_safe_charset_rejected(session: Session, community: str) -> None:
    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", snmp_community=community))

    assert set(errors) == {"snmp_community"}


def test_unknown_polling_method_rejected(session: Session) -> None:
    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", polling_method="TELNET"))

    assert set(errors) == {"polling_method"}


def test_inactive_organization_rejected(session: Session) -> None:
    org = make_org(session, name="Archived Ltd", active=False)
    session.commit()

    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", organization_id=org.id))

    assert "Archived Ltd" in errors["organization_id"]
    assert session.exec(select(func.count(Printer.id))).one() == 0


def test_missing_organization_and_model_rejected(session: Session) -> None:
    errors = _rejected(session, PrinterInput(ip_address="10.1.1.1", organization_id=999, device_model_id=999))

    assert set(errors) == {"organization_id", "device_model_id"}


def test_update_changes_fields(session: Session, engine: Engine) -> None:
    printer = make_printer(session, ip_address="10.1.1.1")
    org = make_org(session)
    session.commit()

    data = PrinterInput(ip_address="10.1.1.2", serial_number="NEW", mac_address="aabbccddeeff", organization_id=org.id)
    update_printer(session, printer_id=printer.id, data=data)
    session.commit()

    assert _snapshot(engine) == [("10.1.1.2", 167837954, "NEW", "AA:BB:CC:DD:EE:FF", org.id, "public", True)]


def test_update_may_keep_its_own_ip_and_mac(session: Session) -> None:
    printer = make_printer(session, ip_address="10.1.1.1", mac_address="aabbccddeeff")

    data = PrinterInput(ip_address="10.1.1.1", mac_address="AA:BB:CC:DD:EE:FF", serial_number="RENAMED")
    assert update_printer(session, printer_id=printer.id, data=data).serial_number == "RENAMED"


@pytest.mark.parametrize(
    "change",
    [
        {"ip_address": "10.1.1.999"},
        {"ip_address": "10.2.2.2"},  # the other printer's IP
        {"mac_address": "02:00:00:00:00:02"},  # the other printer's MAC
        {"mac_address": "bad"},
        {"snmp_community": "a;b"},
        {"organization_id": -1},
    ],
)
def test_update_with_invalid_data_leaves_the_row_unchanged(session: Session, engine: Engine, change: dict) -> None:
    printer = make_printer(session, ip_address="10.1.1.1", serial_number="KEEP", mac_address="02:00:00:00:00:01")
    make_printer(session, ip_address="10.2.2.2", mac_address="02:00:00:00:00:02")
    session.commit()
    before = _snapshot(engine)

    data = PrinterInput(**{"ip_address": "10.1.1.1", "serial_number": "CHANGED", **change})
    _rejected(session, data, printer_id=printer.id)

    assert (printer.ip_address, printer.serial_number) == ("10.1.1.1", "KEEP")  # not even changed in memory
    assert _snapshot(engine) == before


def test_update_of_missing_printer_raises_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError):
        update_printer(session, printer_id=12345, data=PrinterInput(ip_address="10.1.1.1"))


def test_delete_removes_the_printer_and_its_history(session: Session, engine: Engine) -> None:
    doomed = make_printer(session, serial_number="GONE")
    kept = make_printer(session)
    device = make_contract_device(session, serial_number="GONE", printer_id=doomed.id)
    supplies = [SupplyReading(description="Black Toner", kind="toner", color="black", percent=40)]
    for printer in (doomed, kept):
        make_poll(session, printer, supplies=supplies)
        make_poll(session, printer, status=TaskStatus.FAILED)
    session.commit()

    delete_printer(session, printer_id=doomed.id)
    session.commit()

    with Session(engine) as fresh:
        assert fresh.get(Printer, doomed.id) is None
        for model in (InventoryTask, PageCounter):
            assert fresh.exec(select(func.count()).where(model.printer_id == doomed.id)).one() == 0
            assert fresh.exec(select(func.count()).where(model.printer_id == kept.id)).one() >= 1
        assert fresh.exec(select(func.count(SupplyLevel.id))).one() == 1  # only the kept printer's supply
        assert fresh.get(ContractDevice, device.id).printer_id is None  # the contract device stays, unlinked


def test_delete_of_missing_printer_raises_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError):
        delete_printer(session, printer_id=12345)


# The database constraints hold on their own, whatever path writes the rows.


def _insert_conflict(session: Session, *rows) -> None:
    session.add_all(rows)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_db_rejects_two_active_network_printers_with_one_ip(session: Session) -> None:
    _insert_conflict(session, Printer(ip_address="10.1.1.1"), Printer(ip_address="10.1.1.1"))


def test_db_allows_one_ip_for_inactive_or_usb_printers(session: Session) -> None:
    session.add_all(
        [
            Printer(ip_address="10.1.1.1"),
            Printer(ip_address="10.1.1.1", is_active=False),
            Printer(ip_address="0.0.0.0", connection_type=ConnectionType.USB, serial_number="U1"),
            Printer(ip_address="0.0.0.0", connection_type=ConnectionType.USB, serial_number="U2"),
        ]
    )
    session.flush()


def test_db_rejects_two_active_usb_printers_with_one_serial(session: Session) -> None:
    usb = {"ip_address": "0.0.0.0", "connection_type": ConnectionType.USB, "serial_number": "U1"}
    _insert_conflict(session, Printer(**usb), Printer(**usb))


def test_db_rejects_two_active_printers_with_one_mac(session: Session) -> None:
    mac = "AA:BB:CC:DD:EE:FF"
    _insert_conflict(
        session, Printer(ip_address="10.1.1.1", mac_address=mac), Printer(ip_address="10.1.1.2", mac_address=mac)
    )


def test_db_organization_name_unique_ignoring_case(session: Session) -> None:
    _insert_conflict(session, Organization(name="Acme Print"), Organization(name="ACME print"))


def test_db_contract_serial_unique_per_organization_ignoring_case(session: Session) -> None:
    first, second = make_org(session), make_org(session)
    make_contract_device(session, organization=first, serial_number="AB123")
    make_contract_device(session, organization=second, serial_number="ab123")  # another organization: fine
    make_contract_device(session, organization=first, serial_number="")
    make_contract_device(session, organization=first, serial_number="")  # blank serials never clash
    session.commit()

    _insert_conflict(session, ContractDevice(organization_id=first.id, serial_number="aB123"))


# Linking contract devices by serial (docs/contracts.md §9.3).


def _links(engine: Engine) -> dict[int, int | None]:
    """Contract device id -> linked printer id, as committed."""
    with Session(engine) as fresh:
        return dict(fresh.exec(select(ContractDevice.id, ContractDevice.printer_id)).all())


def test_new_printer_links_contract_device_by_trimmed_case_insensitive_serial(session: Session, engine: Engine) -> None:
    device = make_contract_device(session, serial_number=" abc123 ")

    printer = make_printer(session, serial_number="ABC123")
    session.commit()

    assert _links(engine) == {device.id: printer.id}


def test_linking_skips_devices_already_linked_and_other_serials(session: Session, engine: Engine) -> None:
    taken = make_printer(session, serial_number="OTHER")
    linked = make_contract_device(session, serial_number="XYZ1", printer_id=taken.id)
    unrelated = make_contract_device(session, serial_number="XYZ2")

    make_printer(session, serial_number="xyz1")
    session.commit()

    assert _links(engine) == {linked.id: taken.id, unrelated.id: None}


def test_a_printer_links_to_at_most_one_device(session: Session, engine: Engine) -> None:
    # ContractDevice.printer_id is unique (one-to-one), so of several matching devices the oldest is linked.
    first = make_contract_device(session, serial_number="DUP1")
    second = make_contract_device(session, serial_number="dup1")

    printer = make_printer(session, serial_number="DUP1")
    session.commit()

    assert _links(engine) == {first.id: printer.id, second.id: None}


def test_printer_without_serial_links_nothing(session: Session, engine: Engine) -> None:
    device = make_contract_device(session, serial_number="")

    make_printer(session, serial_number="")
    session.commit()

    assert _links(engine) == {device.id: None}
