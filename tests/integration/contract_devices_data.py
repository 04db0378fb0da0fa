"""Reference data and devices for the contract devices tests (list, store, export, page states)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from printer_app.models import City, ContractDevice, ContractStatus, ServiceProvider
from printer_app.models.choices import SupplyKind
from printer_app.services.polling.history import SupplyReading
from tests.factories import make_model, make_org, make_poll, make_printer


@dataclass
class Refs:
    """Two of each: organizations, cities, models (of two makers), statuses, providers."""

    org_a: object
    org_b: object
    irkutsk: City
    angarsk: City
    hp: object
    kyocera: object
    active: ContractStatus
    repair: ContractStatus
    amb: ServiceProvider
    tonex: ServiceProvider


def make_refs(session: Session) -> Refs:
    org_a, org_b = make_org(session, name="Alpha Clinic"), make_org(session, name="beta School")
    irkutsk, angarsk = City(name="Irkutsk"), City(name="Angarsk")
    active = ContractStatus(name="Active", color="#2e7d32")
    repair = ContractStatus(name="In repair", color="#ffeb3b")
    amb = ServiceProvider(name="АМБ", code="amb", issue_tracker="okdesk", support_email="sd@amb.example")
    tonex = ServiceProvider(name="Tonex", code="tonex")
    session.add_all([irkutsk, angarsk, active, repair, amb, tonex])
    session.flush()
    hp, kyocera = make_model(session, "HP", "LaserJet M404"), make_model(session, "Kyocera", "ECOSYS P2040")
    return Refs(org_a, org_b, irkutsk, angarsk, hp, kyocera, active, repair, amb, tonex)


def device(session: Session, refs: Refs, **overrides) -> ContractDevice:
    """A contract device row (defaults: Alpha Clinic, Irkutsk, HP, Active, АМБ)."""
    values = {
        "organization_id": refs.org_a.id,
        "city_id": refs.irkutsk.id,
        "address": "Lenina 1",
        "device_model_id": refs.hp.id,
        "status_id": refs.active.id,
        "service_provider_id": refs.amb.id,
    } | overrides
    row = ContractDevice(**values)
    session.add(row)
    session.flush()
    return row


def polled_printer(session: Session, serial: str, *, total: int = 12345, toner: tuple[int, ...] = (40, 7)):
    """An active printer with one successful poll: a page counter and toner levels."""
    printer = make_printer(session, serial_number=serial)
    supplies = [
        # descriptions as a device reports them (the e2e language check takes "Toner" for an untranslated label)
        SupplyReading(description=f"TK-117{i}", kind=SupplyKind.TONER, percent=p, level=p, max_capacity=100)
        for i, p in enumerate(toner)
    ]
    supplies.append(SupplyReading(description="DK-1150", kind=SupplyKind.DRUM, percent=1, level=1, max_capacity=100))
    make_poll(session, printer, counters={"total_pages": total}, supplies=supplies)
    return printer
