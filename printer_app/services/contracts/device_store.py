"""Contract devices: create, update, change status, delete — validated, logged, linked by serial, announced.

A device has no `version` column: an edit form's save names the `updated_at` it loaded instead, and the row is
claimed with one atomic `UPDATE ... WHERE updated_at = loaded`, so of two saves from the same load exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from printer_app.db import unicode_lower
from printer_app.i18n import N_, gettext
from printer_app.models import (
    City,
    ContractDevice,
    ContractStatus,
    DeviceModel,
    Organization,
    Printer,
    ServiceProvider,
)
from printer_app.models.base import utcnow
from printer_app.services import events
from printer_app.services.audit import Actor, audit, diff, snapshot
from printer_app.services.concurrency import conflict
from printer_app.services.contracts.months import month_field
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.serials import same_serial, serial_key
from printer_app.services.validators import parse_id, row_id

MAX_ADDRESS, MAX_ROOM, MAX_SERIAL, MAX_COMMENT = 255, 128, 128, 2000
LABELS = {
    "organization_id": N_("Organization"),
    "city_id": N_("City"),
    "address": N_("Address"),
    "room_number": N_("Room"),
    "device_model_id": N_("Model"),
    "serial_number": N_("Serial number"),
    "status_id": N_("Status"),
    "service_provider_id": N_("Service provider"),
    "service_start_month": N_("Service month"),
    "comment": N_("Comment"),
    "printer_id": N_("Printer"),
}


@dataclass
class DeviceInput:
    """What the device form sends: ids as text (a select's value; "" for none), the month as typed."""

    organization: str = ""
    city: str = ""
    address: str = ""
    room: str = ""
    model: str = ""
    serial: str = ""
    status: str = ""
    provider: str = ""
    service_month: str = ""
    comment: str = ""


@dataclass
class SaveResult:
    """The saved device, and the printer its serial linked it to on this save (None: no new link)."""

    device: ContractDevice
    linked_ip: str = ""
    link_note: str = ""  # why a printer with that serial was not linked


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _ref(session: Session, model, value: object, field: str, *, required: str = "", missing: str = "") -> int | None:
    """The id a select names, checked to exist; "" is none (refused when `required` says so)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise DomainValidationError({field: gettext(required)})
        return None
    ident = row_id(text)
    if ident is None or session.get(model, ident) is None:
        raise DomainValidationError({field: gettext(missing, value=text[:40])})
    return ident


def _values(session: Session, data: DeviceInput, *, device_id: int | None) -> dict:
    """The validated column values of a device; the first refusal per field, all fields checked."""
    errors: dict[str, str] = {}
    values: dict = {}

    def check(field: str, fn) -> None:
        try:
            fn()
        except DomainValidationError as exc:
            errors.update({k: v for k, v in exc.errors.items() if k not in errors})

    def ref(column: str, field: str, model, required: str, missing: str) -> None:
        def run() -> None:
            values[column] = _ref(session, model, getattr(data, field), field, required=required, missing=missing)

        check(field, run)

    ref("organization_id", "organization", Organization, N_("Choose the organization"), N_("No organization #{value}"))
    ref("city_id", "city", City, N_("Choose the city"), N_("No city #{value}"))
    ref("device_model_id", "model", DeviceModel, N_("Choose the model"), N_("No device model #{value}"))
    ref("status_id", "status", ContractStatus, "", N_("No status #{value}"))
    ref("service_provider_id", "provider", ServiceProvider, "", N_("No service provider #{value}"))
    for column, field, limit, required in (
        ("address", "address", MAX_ADDRESS, N_("Address is required")),
        ("room_number", "room", MAX_ROOM, ""),
        ("serial_number", "serial", MAX_SERIAL, ""),
    ):
        text = _text(getattr(data, field))
        if required and not text:
            errors[field] = gettext(required)
        elif len(text) > limit:
            errors[field] = gettext("At most {n} characters (this is {length})", n=limit, length=len(text))
        values[column] = text
    comment = str(data.comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = gettext("At most {n} characters (this is {length})", n=MAX_COMMENT, length=len(comment))
    values["comment"] = comment

    def month() -> None:
        values["service_start_month"] = month_field(data.service_month, "service_month")

    check("service_month", month)
    if not errors and values["serial_number"]:
        _check_unique(session, values["organization_id"], values["serial_number"], device_id)
    if errors:
        raise DomainValidationError(errors)
    return values


def _check_unique(session: Session, org_id: int, serial: str, device_id: int | None) -> None:
    clash = session.exec(
        select(ContractDevice.id).where(
            ContractDevice.organization_id == org_id,
            unicode_lower(ContractDevice.serial_number) == serial.lower(),
            ContractDevice.id != (device_id or -1),
        )
    ).first()
    if clash is not None:
        raise _duplicate(session, org_id, serial)


def _duplicate(session: Session, org_id: int, serial: str) -> DomainValidationError:
    org = session.get(Organization, org_id)
    message = gettext("Serial {serial} is already under contract for {org}", serial=serial, org=org.name if org else "")
    return DomainValidationError({"serial": message})


def _flush(session: Session, values: dict) -> None:
    """Flush; a concurrent save of the same serial (the unique index) becomes the same refusal as the check's."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate(session, values["organization_id"], values["serial_number"]) from None


def _link(session: Session, device: ContractDevice) -> tuple[str, str]:
    """DOMAIN 9: a device saved without a printer gets the first active printer with its serial (trimmed, any case),
    unless that printer is linked to another device. Returns (the linked IP, or why not)."""
    if device.printer_id is not None or not serial_key(device.serial_number):
        return "", ""
    printer = session.exec(
        select(Printer)
        .where(same_serial(Printer.serial_number, device.serial_number), Printer.is_active)
        .order_by(Printer.id)
    ).first()
    if printer is None:
        return "", ""
    taken = session.exec(
        select(ContractDevice.id).where(ContractDevice.printer_id == printer.id, ContractDevice.id != device.id)
    ).first()
    if taken is not None:
        note = gettext(
            "Printer {ip} has this serial but is linked to another contract device (#{id})",
            ip=printer.ip_address,
            id=taken,
        )
        return "", note
    device.printer_id = printer.id
    session.add(device)
    session.flush()
    return printer.ip_address, ""


def _announce(session: Session, *device_ids: int) -> None:
    events.publish_after_commit(session, events.CONTRACTS_CHANGED, {"device_ids": list(device_ids)})


def _labels() -> dict[str, str]:
    return {key: gettext(label) for key, label in LABELS.items()}


def create_device(session: Session, *, data: DeviceInput, actor: Actor | None = None) -> SaveResult:
    """Add a device; it links to its polled printer by serial when one is free."""
    values = _values(session, data, device_id=None)
    device = ContractDevice(**values)
    session.add(device)
    _flush(session, values)
    ip, note = _link(session, device)
    audit(session, device, "create", actor)
    _announce(session, device.id)
    return SaveResult(device=device, linked_ip=ip, link_note=note)


def update_device(
    session: Session,
    *,
    device_id: object,
    data: DeviceInput,
    loaded_at: datetime | None,
    actor: Actor | None = None,
) -> SaveResult:
    """Change a device; `loaded_at` is the `updated_at` the form loaded (None: the CLI, no check)."""
    device = get_device(session, device_id=device_id)
    values = _values(session, data, device_id=device.id)
    changed = {key: value for key, value in values.items() if getattr(device, key) != value}
    if changed:
        _claim(session, device, loaded_at)
        before = snapshot(device)
        for key, value in changed.items():
            setattr(device, key, value)
        session.add(device)
        _flush(session, values)
        ip, note = _link(session, device)
        audit(session, device, "update", actor, diff(before, snapshot(device), labels=_labels()))
        _announce(session, device.id)
        return SaveResult(device=device, linked_ip=ip, link_note=note)
    return SaveResult(device=device)


def _claim(session: Session, device: ContractDevice, loaded_at: datetime | None) -> None:
    """Move the row's `updated_at` on if it is still what the form loaded; ConflictError (nothing written) if not."""
    now = utcnow()
    statement = update(ContractDevice).where(ContractDevice.id == device.id)
    if loaded_at is not None:
        statement = statement.where(ContractDevice.updated_at == loaded_at)
    claimed = session.execute(statement.values(updated_at=now).returning(ContractDevice.id)).first()
    if claimed is None:
        session.refresh(device)
        raise conflict(session, device)
    device.updated_at = now


def set_device_status(session: Session, *, device_id: object, status: str, actor: Actor | None = None) -> SaveResult:
    """The status select of a row: setting a state needs no version (choosing it twice changes nothing)."""
    device = get_device(session, device_id=device_id)
    status_id = _ref(session, ContractStatus, status, "status", missing=N_("No status #{value}"))
    if device.status_id != status_id:
        before = snapshot(device)
        device.status_id, device.updated_at = status_id, utcnow()
        session.add(device)
        session.flush()
        audit(session, device, "update", actor, diff(before, snapshot(device), labels=_labels()))
        _announce(session, device.id)
    return SaveResult(device=device)


def delete_device(session: Session, *, device_id: object, actor: Actor | None = None) -> ContractDevice:
    """Remove a device (its printer stays); the change log keeps what it was."""
    device = get_device(session, device_id=device_id)
    audit(session, device, "delete", actor)
    session.delete(device)
    session.flush()
    _announce(session, device.id)
    return device


def get_device(session: Session, *, device_id: object) -> ContractDevice:
    ident = parse_id(device_id)
    device = session.get(ContractDevice, ident) if ident is not None else None
    if device is None:
        raise NotFoundError(gettext("Contract device #{id} does not exist", id=str(device_id)[:20]))
    return device


def device_input(device: ContractDevice) -> DeviceInput:
    """The form's values of a stored device."""

    def ref(value: int | None) -> str:
        return str(value) if value is not None else ""

    month: date | None = device.service_start_month
    return DeviceInput(
        organization=ref(device.organization_id),
        city=ref(device.city_id),
        address=device.address,
        room=device.room_number,
        model=ref(device.device_model_id),
        serial=device.serial_number,
        status=ref(device.status_id),
        provider=ref(device.service_provider_id),
        service_month=month.strftime("%m.%Y") if month else "",
        comment=device.comment,
    )
