"""The reference data of a contracts import, read in bulk: organizations, manufacturers, models, cities, and the
stored devices and printers by serial."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from printer_app.models import Organization, Printer
from printer_app.models.choices import ImportRowClass
from printer_app.models.contracts import (
    City,
    ContractDevice,
    DeviceModel,
    Manufacturer,
)
from printer_app.services.serials import serial_key

LOOKUP_BATCH = 500  # values per IN (...) list


def name_key(text: str | None) -> str:
    """How names of organizations, cities, manufacturers and models are compared: collapsed, lower case."""
    return " ".join((text or "").split()).lower()


def in_batches(items: Sequence[Any], size: int = LOOKUP_BATCH) -> Iterable[Sequence[Any]]:
    """Slices of `items`, for IN lists and bulk statements of a bounded size."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Lookups:
    """The reference data an analysis or an apply needs, read with a few queries (no query per row).

    Serials are matched in Python with `serial_key` (trimmed, lower case): the stored devices' and printers'
    serials are read whole, two narrow queries, rather than asked for with `lower(trim(serial)) IN (...)`, whose
    `lower()` leaves non-ASCII letters alone on SQLite (Cyrillic look-alikes are common in these files).
    """

    orgs: dict[str, int] = field(default_factory=dict)  # name_key -> id
    manufacturers: dict[str, int] = field(default_factory=dict)
    models: dict[tuple[int, str], int] = field(default_factory=dict)  # (manufacturer id, name_key) -> id
    cities: dict[str, int] = field(default_factory=dict)
    # serial key -> the stored devices with it, (id, organization id, printer id), oldest first
    devices: dict[str, list[tuple[int, int, int | None]]] = field(default_factory=dict)
    printers: dict[str, list[int]] = field(default_factory=dict)  # serial key -> printer ids, active first
    linked: dict[int, int] = field(default_factory=dict)  # printer id -> the device linked to it

    @classmethod
    def load(cls, session: Session) -> Lookups:
        found = cls()
        for oid, name in session.exec(select(Organization.id, Organization.name)).all():
            found.orgs.setdefault(name_key(name), oid)
        for mid, name in session.exec(select(Manufacturer.id, Manufacturer.name)).all():
            found.manufacturers.setdefault(name_key(name), mid)
        for did, mid, name in session.exec(select(DeviceModel.id, DeviceModel.manufacturer_id, DeviceModel.name)):
            found.models.setdefault((mid, name_key(name)), did)
        for cid, name in session.exec(select(City.id, City.name)).all():
            found.cities.setdefault(name_key(name), cid)
        devices = session.exec(
            select(
                ContractDevice.id,
                ContractDevice.organization_id,
                ContractDevice.printer_id,
                ContractDevice.serial_number,
            ).order_by(ContractDevice.id)
        ).all()
        for did, org_id, printer_id, serial in devices:
            if printer_id is not None:
                found.linked[printer_id] = did
            key = serial_key(serial)
            if key:
                found.devices.setdefault(key, []).append((did, org_id, printer_id))
        printers = session.exec(
            select(Printer.id, Printer.serial_number)
            .where(Printer.serial_number != "")
            .order_by(Printer.is_active.desc(), Printer.id)
        ).all()
        for pid, serial in printers:
            key = serial_key(serial)
            if key:
                found.printers.setdefault(key, []).append(pid)
        return found

    def record(self, device_id: int, org_id: int, printer_id: int | None, key: str) -> None:
        """Keep the index in step with a device the apply just created, moved or linked."""
        entries = self.devices.setdefault(key, [])
        for index, (did, _org, _printer) in enumerate(entries):
            if did == device_id:
                entries[index] = (device_id, org_id, printer_id)
                break
        else:
            entries.append((device_id, org_id, printer_id))
        if printer_id is not None:
            self.linked[printer_id] = device_id

    def free_printer(self, key: str, device_id: int | None) -> int | None:
        """The printer a device with this serial would be linked to: the first not linked to another device."""
        for pid in self.printers.get(key, ()):
            owner = self.linked.get(pid)
            if owner is None or owner == device_id:
                return pid
        return None

    def base_class(self, org_id: int | None, key: str) -> tuple[str, int | None]:
        """NEW / MATCH / MOVED of a valid row, and the stored device it matches."""
        devices = self.devices.get(key, [])
        same = [d for d in devices if d[1] == org_id]
        if same:
            return ImportRowClass.MATCH.value, same[0][0]
        if devices:
            return ImportRowClass.MOVED.value, devices[0][0]
        return ImportRowClass.NEW.value, None

    def device_printer(self, key: str, device_id: int | None) -> int | None:
        for did, _org, printer_id in self.devices.get(key, []):
            if did == device_id:
                return printer_id
        return None
