"""Small factories for tests: each makes one valid object, going through the service where validation matters."""

from __future__ import annotations

import itertools
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from printer_app.models import ContractDevice, DeviceModel, InventoryTask, Manufacturer, Organization, Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.inventory.organizations import create_organization, set_organization_active
from printer_app.services.inventory.printers import PrinterInput, create_printer
from printer_app.services.polling.history import PollOutcome, SupplyReading, record_poll

_seq = itertools.count(1)
# The polling method is set on the stored row: tests need states the form refuses (HYBRID before its web rules).
_INPUT_FIELDS = {f.name for f in fields(PrinterInput)} - {"polling_method"}


def make_org(session: Session, **overrides: Any) -> Organization:
    """An organization created by the service; `active=False` deactivates it afterwards."""
    n = next(_seq)
    active = overrides.pop("active", True)
    org = create_organization(session, name=overrides.pop("name", f"Organization {n}"), **overrides)
    if not active:
        set_organization_active(session, org_id=org.id, active=False)
    return org


def make_model(session: Session, maker: str = "HP", name: str = "M404", **overrides: Any) -> DeviceModel:
    """A device model, reusing the manufacturer and the model when they already exist (names ignore case)."""
    manufacturer = session.exec(select(Manufacturer).where(func.lower(Manufacturer.name) == maker.lower())).first()
    if manufacturer is None:
        manufacturer = Manufacturer(name=maker)
        session.add(manufacturer)
        session.flush()
    model = session.exec(
        select(DeviceModel).where(
            DeviceModel.manufacturer_id == manufacturer.id, func.lower(DeviceModel.name) == name.lower()
        )
    ).first()
    if model is None:
        model = DeviceModel(manufacturer_id=manufacturer.id, name=name, **overrides)
        session.add(model)
        session.flush()
    return model


def make_printer(session: Session, **overrides: Any) -> Printer:
    """A printer created by the service; overrides that are not form fields are set on the row afterwards."""
    n = next(_seq)
    data = {"ip_address": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}", "serial_number": f"SN{n:06d}"}
    data |= {k: v for k, v in overrides.items() if k in _INPUT_FIELDS}
    printer = create_printer(session, data=PrinterInput(**data))
    extra = {k: v for k, v in overrides.items() if k not in _INPUT_FIELDS}
    if extra:
        for key, value in extra.items():
            setattr(printer, key, value)
        session.add(printer)
        session.flush()
    return printer


def make_contract_device(session: Session, *, organization: Organization | None = None, **overrides: Any):
    """A contract device (no service exists for them yet, so a plain row)."""
    org = organization or make_org(session)
    device = ContractDevice(organization_id=org.id, **overrides)
    session.add(device)
    session.flush()
    return device


def make_poll(
    session: Session,
    printer: Printer,
    *,
    status: str = TaskStatus.SUCCESS,
    at: datetime | None = None,
    match_rule: str | None = MatchRule.SN_MAC,
    counters: dict[str, int | None] | None = None,
    supplies: list[SupplyReading] | None = None,
    error: str = "",
) -> InventoryTask:
    """One recorded poll through the history service (a success stores counters and supplies)."""
    ok = status == TaskStatus.SUCCESS
    outcome = PollOutcome(
        status=status,
        error_message=error or ("" if ok else f"{status} while polling {printer.ip_address}"),
        match_rule=match_rule if ok else None,
        counters=counters if counters is not None else ({"total_pages": 1000} if ok else {}),
        supplies=supplies or [],
        at=at,
    )
    return record_poll(session, printer=printer, outcome=outcome)
