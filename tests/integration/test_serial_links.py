"""Contract devices and printers link by serial compared trimmed and ignoring case (services/serials.py), from
whichever side comes second: the daily auto-link for a device, the printer form for a printer."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.models import ContractDevice
from printer_app.models.choices import TaskStatus
from printer_app.services.contracts.devices import autolink_devices
from printer_app.services.inventory.printers import PrinterInput, create_printer
from printer_app.services.polling.pipeline import DeviceReading, run_inventory_for_printer
from tests.factories import make_contract_device, make_printer


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
