"""Device replacement (docs/inventory-and-polling.md §4.4) and the printer's own change log of identity changes made by
polls."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from printer_app.models import ContractDevice, Printer, PrinterChangeLog
from printer_app.models.choices import ChangeAction
from printer_app.services.contracts.devices import link_new_printer
from printer_app.services.serials import same_serial
from printer_app.services.validators import ip_to_int

if TYPE_CHECKING:
    from printer_app.services.polling.reading import DeviceReading

# How the device at an address is reached besides its community: a replacement there is reached the same way.
SNMP_ACCESS = (
    "snmp_port",
    "snmp_version",
    "snmp_v3_user",
    "snmp_v3_auth_protocol",
    "snmp_v3_auth_key",
    "snmp_v3_priv_protocol",
    "snmp_v3_priv_key",
    "snmp_v3_context",
)


def replace_device(session: Session, *, printer: Printer, reading: DeviceReading, now: datetime) -> Printer | None:
    """docs/inventory-and-polling.md §4.4: the serial at this IP belongs to a contract device, so the hardware moved or
    was replaced.

    The old printer is deactivated first (the unique index of active addresses would refuse the new row otherwise).
    The device answered at the old printer's address with its SNMP settings: the printer that takes its place (the
    one it moved from elsewhere, or a new one) is reached the same way, on the same port.
    """
    serial = reading.serial.strip()
    device = session.exec(
        select(ContractDevice).where(same_serial(ContractDevice.serial_number, serial)).order_by(ContractDevice.id)
    ).first()
    if device is None:
        return None
    moved = session.exec(
        select(Printer).where(Printer.serial_number == serial, Printer.is_active, Printer.id != printer.id)
    ).first()
    ip = printer.ip_address
    _deactivate(session, printer, now)
    if moved is not None:
        old_ip, old_port = moved.ip_address, moved.snmp_port
        printer.replaced_by_id = moved.id
        moved.ip_address, moved.ip_numeric, moved.snmp_port = ip, ip_to_int(ip), printer.snmp_port
        if reading.mac and moved.mac_address != reading.mac and not _mac_taken(session, reading.mac, moved.id):
            moved.mac_address = reading.mac
        session.add(moved)
        session.flush()
        log_change(
            session,
            moved,
            ChangeAction.IP_CHANGE,
            {"ip_address": old_ip} | ({"snmp_port": old_port} if old_port != moved.snmp_port else {}),
            {"ip_address": ip} | ({"snmp_port": moved.snmp_port} if old_port != moved.snmp_port else {}),
            related=printer,
            comment=f"moved from {old_ip} to {ip}",
        )
        return moved
    new = Printer(
        ip_address=ip,
        ip_numeric=ip_to_int(ip),
        serial_number=serial,
        mac_address=reading.mac if reading.mac and not _mac_taken(session, reading.mac, None) else None,
        organization_id=printer.organization_id or device.organization_id,
        snmp_community=printer.snmp_community,
        **{name: getattr(printer, name) for name in SNMP_ACCESS},
        polling_method=printer.polling_method,
        device_model_id=device.device_model_id or printer.device_model_id,
    )
    session.add(new)
    session.flush()
    printer.replaced_by_id = new.id
    session.add(printer)
    log_change(
        session,
        new,
        ChangeAction.REPLACEMENT,
        {"serial_number": printer.serial_number},
        {"serial_number": serial},
        related=printer,
        comment=f"replaces printer #{printer.id} at {ip}",
    )
    link_new_printer(session, printer=new)
    session.flush()
    return new


def _deactivate(session: Session, printer: Printer, now: datetime) -> None:
    printer.is_active = False
    printer.replaced_at = now
    session.add(printer)
    session.flush()
    log_change(session, printer, ChangeAction.DEACTIVATION, {"is_active": True}, {"is_active": False})


def _mac_taken(session: Session, mac: str, except_id: int | None) -> bool:
    query = select(Printer.id).where(Printer.mac_address == mac, Printer.is_active)
    if except_id is not None:
        query = query.where(Printer.id != except_id)
    return session.exec(query).first() is not None


def log_change(
    session: Session,
    printer: Printer,
    action: str,
    old: dict,
    new: dict,
    *,
    related: Printer | None = None,
    comment: str = "",
) -> None:
    """One PrinterChangeLog row: what a poll changed about the printer's identity, and why."""
    session.add(
        PrinterChangeLog(
            printer_id=printer.id,
            action=action,
            old_values=old,
            new_values=new,
            related_printer_id=related.id if related else None,
            comment=comment,
        )
    )
