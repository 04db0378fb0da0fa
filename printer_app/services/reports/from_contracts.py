"""A month without preparing Excel (docs/reports.md §10.8): rows generated from the contract devices of chosen
organizations and statuses, counters taken from the previous month and from inventory polls.

Per device (one row; organization, city, address, "maker model", serial; no inventory number):
- a device whose serial (trimmed, case-folded) the month already holds is skipped, as is a second device of the
  same serial among those chosen, and a device without a serial (it matches neither polls nor rows);
- start counters: per field the largest end value of the previous month's rows of that serial; without such rows,
  the first successful poll of the month;
- end counters: the latest successful poll of the month up to now (also the `*_auto` values, `device_ip`,
  `inventory_last_ok`, `inventory_autosync_at`);
- a poll's counters map as a4_bw ← bw_a4, a4_color ← color_a4, a3_bw ← bw_a3, a3_color ← color_a3;
- counters the model's enforcing spec does not allow are 0 (as on upload); unseen models get a non-enforcing spec;
- the printer of a serial: the active one first, then the newest.
A, D, L and W stay 0 for an upload or a hand entry. The month gets a control row when it has none (editable until
its last day, unpublished, auto-sync on); a closed month is refused. Logged as BulkChangeLog `bulk_sync` with
params {"source": "contracts", ...}.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.db import unicode_lower
from printer_app.i18n import gettext
from printer_app.models import (
    BulkChangeLog,
    City,
    ContractDevice,
    ContractStatus,
    DeviceModel,
    InventoryTask,
    Manufacturer,
    MonthControl,
    MonthlyReport,
    Organization,
    PageCounter,
    Printer,
)
from printer_app.models.base import utcnow
from printer_app.models.choices import BulkOperation, TaskStatus
from printer_app.services import events
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.reports.columns import END_FIELDS
from printer_app.services.reports.formulas import fold
from printer_app.services.reports.groups import recompute_month
from printer_app.services.reports.months import default_edit_until, is_editable, month_bounds, month_key
from printer_app.services.reports.months import previous_month as previous
from printer_app.services.reports.specs import allowed_fields, ensure_specs, normalise_model
from printer_app.services.reports.visibility import month_control

NO_STATUS = 0  # stands for "devices without a status" among the chosen status ids
CHUNK = 500
POLL_FIELDS = {"a4_bw": "bw_a4", "a4_color": "color_a4", "a3_bw": "bw_a3", "a3_color": "color_a3"}


@dataclass
class Candidates:
    """What a creation would do: devices chosen, rows it would add, and why the others would be left out."""

    devices: int = 0
    new: int = 0
    already_in_month: int = 0
    no_serial: int = 0
    duplicate_serial: int = 0


@dataclass
class FromContractsResult(Candidates):
    created: int = 0
    start_from_previous: int = 0
    start_from_poll: int = 0
    end_from_poll: int = 0
    without_polls: int = 0


def contract_choices(session: Session) -> dict[str, list[tuple[int, str]]]:
    """The dialog's choices: organizations that have contract devices, and the statuses (id NO_STATUS = none)."""
    orgs = session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(ContractDevice.organization_id).distinct()))
        .order_by(Organization.name)
    ).all()
    statuses = session.execute(sa.select(ContractStatus.id, ContractStatus.name).order_by(ContractStatus.name)).all()
    return {"organizations": [tuple(o) for o in orgs], "statuses": [tuple(s) for s in statuses]}


def _ids(values: Iterable[object], name: str) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise DomainValidationError({name: gettext("Not a choice of the list.")}) from None
    if any(i < 0 or i > 2**31 for i in ids):
        raise DomainValidationError({name: gettext("Not a choice of the list.")})
    return ids


def _devices(session: Session, organization_ids: list[int], status_ids: list[int]) -> list[dict]:
    status_filter = []
    if NO_STATUS in status_ids:
        status_filter.append(ContractDevice.status_id.is_(None))
    if real := [i for i in status_ids if i != NO_STATUS]:
        status_filter.append(ContractDevice.status_id.in_(real))
    query = (
        sa.select(
            ContractDevice.id,
            ContractDevice.serial_number,
            ContractDevice.address,
            Organization.name.label("organization"),
            City.name.label("city"),
            Manufacturer.name.label("maker"),
            DeviceModel.name.label("model"),
        )
        .join(Organization, Organization.id == ContractDevice.organization_id)
        .outerjoin(City, City.id == ContractDevice.city_id)
        .outerjoin(DeviceModel, DeviceModel.id == ContractDevice.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .where(ContractDevice.organization_id.in_(organization_ids), sa.or_(*status_filter))
        .order_by(Organization.name, City.name, ContractDevice.address, ContractDevice.id)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def _select(session: Session, month: date, organization_ids, status_ids) -> tuple[Candidates, list[dict]]:
    orgs = _ids(organization_ids, "organizations")
    statuses = _ids(status_ids, "statuses")
    if not orgs:
        raise DomainValidationError({"organizations": gettext("Choose at least one organization.")})
    if not statuses:
        raise DomainValidationError({"statuses": gettext("Choose at least one status.")})
    in_month = {
        fold(s) for (s,) in session.execute(sa.select(MonthlyReport.serial_number).where(MonthlyReport.month == month))
    }
    found = Candidates()
    chosen: list[dict] = []
    seen: set[str] = set()
    for device in _devices(session, orgs, statuses):
        found.devices += 1
        serial = fold(device["serial_number"])
        if not serial:
            found.no_serial += 1
        elif serial in in_month:
            found.already_in_month += 1
        elif serial in seen:
            found.duplicate_serial += 1
        else:
            seen.add(serial)
            chosen.append(device)
    found.new = len(chosen)
    return found, chosen


def preview_from_contracts(session: Session, *, month: date, organization_ids, status_ids) -> Candidates:
    """How many rows a creation with these choices would add (nothing is written)."""
    return _select(session, month, organization_ids, status_ids)[0]


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _previous_ends(session: Session, month: date, serials: list[str]) -> dict[str, dict[str, int]]:
    """Per folded serial, the largest end value of each counter among the previous month's rows."""
    t = MonthlyReport.__table__
    key = unicode_lower(sa.func.trim(t.c.serial_number))
    ends: dict[str, dict[str, int]] = {}
    for part in _chunks(serials):
        query = (
            sa.select(key.label("serial"), *(sa.func.max(t.c[name]).label(name) for name in END_FIELDS))
            .where(t.c.month == previous(month), key.in_(part))
            .group_by(key)
        )
        for row in session.execute(query):
            ends[fold(row.serial)] = {name: int(row._mapping[name] or 0) for name in END_FIELDS}
    return ends


def _printers(session: Session, serials: list[str]) -> dict[str, tuple[int, str]]:
    """Per folded serial, (printer id, IP) of its printer: the active one first, then the newest."""
    key = unicode_lower(sa.func.trim(Printer.serial_number))
    found: dict[str, tuple[int, str]] = {}
    for part in _chunks(serials):
        query = (
            sa.select(key.label("serial"), Printer.id, Printer.ip_address)
            .where(key.in_(part))
            .order_by(Printer.is_active.desc(), Printer.id.desc())
        )
        for row in session.execute(query):
            found.setdefault(fold(row.serial), (row.id, row.ip_address))
    return found


def _polls(session: Session, printer_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple[dict, dict]]:
    """Per printer, the (first, last) successful poll's counters in [start, end] (each with `recorded_at`)."""
    ok = (
        sa.select(PageCounter)
        .join(InventoryTask, InventoryTask.id == PageCounter.task_id)
        .where(InventoryTask.status == TaskStatus.SUCCESS, PageCounter.recorded_at.between(start, end))
    )
    polls: dict[int, tuple[dict, dict]] = {}
    for part in _chunks(printer_ids):
        bounds = (
            sa.select(
                PageCounter.printer_id,
                sa.func.min(PageCounter.recorded_at).label("first"),
                sa.func.max(PageCounter.recorded_at).label("last"),
            )
            .join(InventoryTask, InventoryTask.id == PageCounter.task_id)
            .where(
                InventoryTask.status == TaskStatus.SUCCESS,
                PageCounter.recorded_at.between(start, end),
                PageCounter.printer_id.in_(part),
            )
            .group_by(PageCounter.printer_id)
            .subquery()
        )
        query = ok.join(
            bounds,
            sa.and_(
                bounds.c.printer_id == PageCounter.printer_id,
                sa.or_(PageCounter.recorded_at == bounds.c.first, PageCounter.recorded_at == bounds.c.last),
            ),
        ).order_by(PageCounter.recorded_at, PageCounter.id)
        for counter in session.execute(query).scalars():
            reading = {"at": counter.recorded_at, **{f: int(getattr(counter, p) or 0) for f, p in POLL_FIELDS.items()}}
            first, _last = polls.get(counter.printer_id, (reading, reading))
            polls[counter.printer_id] = (first, reading)
    return polls


def _open_month(session: Session, month: date, edit_until: datetime | None) -> MonthControl:
    control = month_control(session, month)
    if control is None:
        until = edit_until or default_edit_until(month, get_settings().tz)
        control = MonthControl(month=month, edit_until=until, is_published=False, auto_sync_enabled=True)
        session.add(control)
        session.flush()
    elif not is_editable(control.edit_until):
        raise DomainValidationError(
            {"month": gettext("{month} is closed: make it editable first.", month=month_key(month))}
        )
    return control


def create_month_from_contracts(
    session: Session,
    *,
    month: date,
    organization_ids,
    status_ids,
    actor: Actor | None = None,
    edit_until: datetime | None = None,
    now: datetime | None = None,
) -> FromContractsResult:
    """Add a row per chosen contract device to the month (see the module), recompute it, log it; in the caller's
    transaction. `edit_until` is the new control row's (default: the month's last day); `now` bounds the polls."""
    started = now or utcnow()
    found, devices = _select(session, month, organization_ids, status_ids)
    if not devices:
        raise DomainValidationError(
            {"form": gettext("None of the chosen devices can be added: see the figures of the preview.")}
        )
    _open_month(session, month, edit_until)
    result = FromContractsResult(**asdict(found))
    serials = [fold(d["serial_number"]) for d in devices]
    previous_ends = _previous_ends(session, month, serials)
    printers = _printers(session, serials)
    first_at, last_at = month_bounds(month, get_settings().tz)
    polls = _polls(session, sorted({p for p, _ip in printers.values()}), first_at, min(last_at, started))
    models = [" ".join(p for p in (d["maker"], d["model"]) if p) for d in devices]
    specs = ensure_specs(session, models)
    next_order = (
        session.execute(sa.select(sa.func.max(MonthlyReport.order_number)).where(MonthlyReport.month == month)).scalar()
        or 0
    ) + 1
    rows = []
    for index, (device, model) in enumerate(zip(devices, models, strict=True)):
        serial = fold(device["serial_number"])
        allowed = allowed_fields(specs.get(normalise_model(model)))
        printer = printers.get(serial)
        first, last = polls.get(printer[0], (None, None)) if printer else (None, None)
        values: dict[str, object] = {}
        if serial in previous_ends:
            result.start_from_previous += 1
            values |= {f.replace("_end", "_start"): v for f, v in previous_ends[serial].items()}
        elif first is not None:
            result.start_from_poll += 1
            values |= {f"{name}_start": first[name] for name in POLL_FIELDS}
        if last is not None:
            result.end_from_poll += 1
            values |= {f"{name}_end": last[name] for name in POLL_FIELDS}
            values |= {f"{name}_end_auto": last[name] for name in POLL_FIELDS}
            values |= {"device_ip": printer[1], "inventory_last_ok": last["at"], "inventory_autosync_at": started}
        else:
            result.without_polls += 1
        for name in list(values):
            counter = name.removesuffix("_auto")
            if counter.endswith(("_start", "_end")) and counter not in allowed:
                values[name] = 0
        rows.append(
            MonthlyReport(
                month=month,
                order_number=next_order + index,
                organization=(device["organization"] or "")[:200],
                city=(device["city"] or "")[:128],
                address=(device["address"] or "")[:255],
                equipment_model=model[:200],
                serial_number=device["serial_number"].strip()[:128],
                **values,
            )
        )
    session.add_all(rows)
    session.flush()
    recompute_month(session, month)
    result.created = len(rows)
    session.add(
        BulkChangeLog(
            user_id=actor.user_id if actor else None,
            operation_type=BulkOperation.BULK_SYNC.value,
            month=month,
            records_affected=result.created,
            fields_changed=[],
            params={
                "source": "contracts",
                "organization_ids": _ids(organization_ids, "organizations"),
                "status_ids": _ids(status_ids, "statuses"),
                **asdict(result),
            },
            started_at=started,
            finished_at=utcnow(),
            success=True,
            ip_address=actor.ip if actor else None,
        )
    )
    session.flush()
    events.publish_after_commit(session, events.REPORTS_CHANGED, {"month": month_key(month), "all": True})
    return result
