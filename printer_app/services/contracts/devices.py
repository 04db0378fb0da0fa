"""Contract devices: linking them to polled printers by serial (docs/contracts.md §9.3)."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from printer_app.models import ContractDevice, Printer
from printer_app.services.serials import has_serial, same_serial


def autolink_devices(session: Session) -> dict[str, int]:
    """Daily batch: each unlinked device with a serial gets the first printer with that serial not linked yet.

    Returns total / linked / not_found / multiple_found / conflicts.
    """
    stats: Counter = Counter()
    taken = set(session.exec(select(ContractDevice.printer_id).where(ContractDevice.printer_id.is_not(None))).all())
    devices = session.exec(
        select(ContractDevice)
        .where(ContractDevice.printer_id.is_(None), has_serial(ContractDevice.serial_number))
        .order_by(ContractDevice.id)
    ).all()
    for device in devices:
        stats["total"] += 1
        candidates = session.exec(
            select(Printer.id)
            .where(same_serial(Printer.serial_number, device.serial_number))
            .order_by(Printer.is_active.desc(), Printer.id)
        ).all()
        if not candidates:
            stats["not_found"] += 1
            continue
        if len(candidates) > 1:
            stats["multiple_found"] += 1
        free = [pid for pid in candidates if pid not in taken]
        if not free:
            stats["conflicts"] += 1
            continue
        device.printer_id = free[0]
        taken.add(free[0])
        session.add(device)
        stats["linked"] += 1
    session.flush()
    return {k: stats.get(k, 0) for k in ("total", "linked", "not_found", "multiple_found", "conflicts")}
