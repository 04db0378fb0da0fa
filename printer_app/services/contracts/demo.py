"""Contracts demo data (called by the inventory demo loader): cities, statuses, service providers, the demo models'
cartridges, and contract devices for most demo printers so a new user sees a populated contracts page.

Idempotent like the inventory demo: reference rows are got or created by name (providers by code), devices by
organization + serial, so a second run adds nothing. Most devices are linked to their demo printer; a few carry
serials no printer reports (unlinked), and one serial stands under two organizations (a device moved between them:
the old contract terminated, the new one linked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert
from sqlmodel import Session, select

from printer_app.models import (
    Cartridge,
    City,
    ContractDevice,
    ContractStatus,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    Printer,
    ServiceProvider,
)
from printer_app.models.choices import CartridgeColor, IssueTracker

CITIES = ("Иркутск", "Ангарск", "Шелехов", "Усолье-Сибирское")
STATUSES = (("Активен", "#2e7d32"), ("Приостановлен", "#f59e0b"), ("Расторгнут", "#c62828"))
PROVIDERS = (
    ("amb", "АМБ", IssueTracker.OKDESK, "servicedesk@amb.example.ru"),
    ("tonex", "Tonex", IssueTracker.NONE, ""),
)
K, C, M, Y = CartridgeColor.BLACK, CartridgeColor.CYAN, CartridgeColor.MAGENTA, CartridgeColor.YELLOW
# (manufacturer, model) -> (name, part number, colour, primary): the consumables of inventory.demo.MODELS.
CARTRIDGES = {
    ("Brother", "HL-5370DW"): [
        ("Тонер-картридж TN-3280", "TN-3280", K, True),
        ("Фотобарабан DR-3200", "DR-3200", K, False),
    ],
    ("Canon", "LBP6670"): [("Картридж 719H", "3480B002", K, True)],
    ("Epson", "WF-C5790"): [
        (f"Картридж T945{n} XL", f"C13T945{n}40", col, True) for n, col in ((1, K), (2, C), (3, M), (4, Y))
    ],
    ("HP", "LaserJet MFP M130nw"): [("Картридж HP 17A", "CF217A", K, True), ("Фотобарабан HP 19A", "CF219A", K, False)],
    ("HP", "Color LaserJet Pro M252dw"): [
        (f"Картридж HP 201X {name}", part, col, True)
        for name, part, col in (
            ("черный", "CF400X", K),
            ("голубой", "CF401X", C),
            ("пурпурный", "CF403X", M),
            ("желтый", "CF402X", Y),
        )
    ],
    ("HP", "Color LaserJet flow MFP M880"): [
        (f"Картридж HP 827A {name}", part, col, True)
        for name, part, col in (
            ("черный", "CF300A", K),
            ("голубой", "CF301A", C),
            ("пурпурный", "CF303A", M),
            ("желтый", "CF302A", Y),
        )
    ],
    ("OKI", "MC873"): [
        (f"Тонер OKI MC873 {c.value}", part, c, True)
        for c, part in ((K, "45862840"), (C, "45862839"), (M, "45862838"), (Y, "45862837"))
    ],
    ("Ricoh", "Aficio MP C3002"): [
        (f"Тонер Ricoh MP C3502E {c.value}", part, c, True)
        for c, part in ((K, "842016"), (C, "842019"), (M, "842018"), (Y, "842017"))
    ],
    ("Samsung", "M4080FX"): [
        ("Картридж MLT-D201L", "MLT-D201L", K, True),
        ("Фотобарабан MLT-R201", "MLT-R201", K, False),
    ],
    ("Xerox", "AltaLink C8045"): [
        (f"Тонер Xerox AltaLink {c.value}", part, c, True)
        for c, part in ((K, "006R01697"), (C, "006R01698"), (M, "006R01699"), (Y, "006R01700"))
    ],
}
STREETS = ("ул. Ленина", "ул. Карла Маркса", "ул. Байкальская", "ул. Лермонтова", "ул. Трилиссера", "пр-т Мира")
UNPOLLED = ("VNB3K21874", "CNBJ918273", "X3H1045521", "ZDDRB07K3A")  # serials of contracted devices no poll reported


@dataclass
class ContractsDemoStats:
    devices: int = 0
    linked: int = 0
    cartridges: int = 0


def _get_or_create(session: Session, model, lookup: dict, **extra):
    query = select(model)
    for key, value in lookup.items():
        col = getattr(model, key)
        query = query.where(func.lower(col) == func.lower(value) if isinstance(value, str) else col == value)
    obj = session.exec(query).first()
    if obj is None:
        obj = model(**lookup, **extra)
        session.add(obj)
        session.flush()
        return obj, True
    return obj, False


def _provider(session: Session, code: str, name: str, tracker: str, support_email: str) -> ServiceProvider:
    """By code (the init-db seed may have made it), else by name, else a new one."""
    found = session.exec(select(ServiceProvider).where(func.lower(ServiceProvider.code) == func.lower(code))).first()
    found = (
        found
        or session.exec(select(ServiceProvider).where(func.lower(ServiceProvider.name) == func.lower(name))).first()
    )
    if found is None:
        found = ServiceProvider(code=code, name=name, issue_tracker=tracker, support_email=support_email)
        session.add(found)
        session.flush()
    return found


def _cartridges(session: Session) -> int:
    """The demo models' cartridges and their model links; returns how many cartridges were created."""
    created = 0
    for (maker, model_name), items in CARTRIDGES.items():
        manufacturer = session.exec(
            select(Manufacturer).where(func.lower(Manufacturer.name) == func.lower(maker))
        ).first()
        if manufacturer is None:
            continue
        model = session.exec(
            select(DeviceModel).where(
                DeviceModel.manufacturer_id == manufacturer.id, func.lower(DeviceModel.name) == func.lower(model_name)
            )
        ).first()
        if model is None:
            continue
        for name, part, colour, primary in items:
            cartridge, new = _get_or_create(
                session, Cartridge, {"name": name, "part_number": part}, color=colour, capacity=""
            )
            created += new
            _get_or_create(
                session,
                DeviceModelCartridge,
                {"device_model_id": model.id, "cartridge_id": cartridge.id},
                is_primary=primary,
            )
    return created


def load_contracts_demo(session: Session) -> ContractsDemoStats:
    """Create what is missing (the demo printers must exist: inventory.demo.load_demo_data calls this last)."""
    stats = ContractsDemoStats()
    cities = [_get_or_create(session, City, {"name": name})[0] for name in CITIES]
    active, suspended, ended = (
        _get_or_create(session, ContractStatus, {"name": name}, color=colour)[0] for name, colour in STATUSES
    )
    amb, tonex = (_provider(session, *p) for p in PROVIDERS)
    stats.cartridges = _cartridges(session)

    printers = session.exec(
        select(Printer)
        .where(Printer.ip_address.like("127.20.%"), Printer.serial_number.like("DEMO%"))
        .order_by(Printer.id)
    ).all()
    with_org = [p for p in printers if p.organization_id is not None]
    if not with_org:
        return stats
    existing = {
        (org_id, serial.lower())
        for org_id, serial in session.exec(select(ContractDevice.organization_id, ContractDevice.serial_number)).all()
    }
    held = set(session.exec(select(ContractDevice.printer_id).where(ContractDevice.printer_id.is_not(None))).all())
    rows: list[dict] = []

    def add(printer: Printer | None, org_id: int, serial: str, n: int, **extra) -> None:
        if (org_id, serial.lower()) in existing:
            return
        existing.add((org_id, serial.lower()))
        wanted = extra.pop("link", True)
        link = printer.id if printer is not None and printer.id not in held and wanted else None
        if link is not None:
            held.add(link)
        rows.append(
            {
                "organization_id": org_id,
                "city_id": cities[n % len(cities)].id,
                "address": f"{STREETS[n % len(STREETS)]}, {n % 90 + 1}",
                "room_number": f"каб. {100 + n % 40}",
                "device_model_id": printer.device_model_id if printer is not None else None,
                "serial_number": serial,
                "status_id": (suspended if n % 17 == 4 else active).id,
                "service_provider_id": (tonex if n % 5 == 3 else amb).id,
                "service_start_month": date(2024 + n % 2, n % 12 + 1, 1),
                "comment": "",
                "printer_id": link,
            }
            | extra
        )

    for printer in with_org:
        n = int(printer.serial_number[4:])
        if n % 8 != 7:  # most printers are under contract
            add(printer, printer.organization_id, printer.serial_number, n)
    moved = with_org[0]  # the same serial under another organization: the contract it left, terminated
    other_org = next((p.organization_id for p in with_org if p.organization_id != moved.organization_id), None)
    if other_org is not None:
        add(
            moved,
            other_org,
            moved.serial_number,
            0,
            link=False,
            status_id=ended.id,
            comment="Перемещён в другую организацию",
        )
    models = [p.device_model_id for p in with_org]
    for i, serial in enumerate(UNPOLLED):
        template = with_org[(i * 7) % len(with_org)]
        add(None, template.organization_id, serial, i + 3, device_model_id=models[i % len(models)])
    if rows:
        session.execute(insert(ContractDevice), [ContractDevice(**r).model_dump(exclude={"id"}) for r in rows])
        session.flush()
    stats.devices = len(rows)
    stats.linked = sum(r["printer_id"] is not None for r in rows)
    return stats
