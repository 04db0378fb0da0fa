"""What an import session holds and whether it can be applied: counts, unknown cities, problems, the stored values
for the side-by-side preview and the missing-devices report."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, or_
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Organization
from printer_app.models.choices import ImportDecision, ImportRowClass, ImportSessionStatus
from printer_app.models.contracts import (
    City,
    ContractDevice,
    ContractImportRow,
    ContractImportSession,
    ContractStatus,
    DeviceModel,
    Manufacturer,
)
from printer_app.services.contracts.columns import header_of
from printer_app.services.contracts.import_lookups import in_batches, name_key
from printer_app.services.contracts.import_rows import CLASSES, ImportRefused, cell_text, month_text


def session_of(session: Session, import_id: int, *, editable: bool = True) -> ContractImportSession:
    """The import session, re-read; with `editable`, refused unless it is still open to files and decisions."""
    imp = session.get(ContractImportSession, import_id, populate_existing=True)  # its status as stored now
    if imp is None:
        raise ImportRefused(gettext("This import does not exist any more; start a new one."))
    if editable and imp.status != ImportSessionStatus.OPEN:
        if imp.status == ImportSessionStatus.APPLYING:
            raise ImportRefused(gettext("This import is being applied; it cannot be changed now."))
        if imp.status == ImportSessionStatus.FAILED:
            raise ImportRefused(gettext("This import failed while being applied; apply it again or start a new one."))
        raise ImportRefused(gettext("This import has already been applied; start a new one."))
    return imp


def class_counts(session: Session, import_id: int) -> dict[str, int]:
    """How many rows of the import are in each class (every class present, 0 when none)."""
    counts = dict.fromkeys(CLASSES, 0)
    for row_class, n in session.exec(
        select(ContractImportRow.row_class, func.count())
        .where(ContractImportRow.session_id == import_id)
        .group_by(ContractImportRow.row_class)
    ).all():
        counts[row_class] = n
    return counts


def to_apply_condition():
    """SQL condition: the rows an apply writes (DOMAIN 8.3)."""
    return (
        (ContractImportRow.row_class != ImportRowClass.ERROR.value)
        & (ContractImportRow.decision != ImportDecision.SKIP.value)
        & or_(
            ContractImportRow.row_class.in_([ImportRowClass.NEW.value, ImportRowClass.MATCH.value]),
            ContractImportRow.decision == ImportDecision.APPLY.value,
        )
    )


def unknown_city_names(session: Session, import_id: int, condition) -> list[str]:
    known = {name_key(name) for name in session.exec(select(City.name)).all()}
    names: dict[str, str] = {}
    for (values,) in session.execute(
        select(ContractImportRow.values)
        .where(ContractImportRow.session_id == import_id, condition)
        .order_by(ContractImportRow.file_id, ContractImportRow.row_number)
    ).all():
        city = (values or {}).get("city") or ""
        if city and name_key(city) not in known:
            names.setdefault(name_key(city), city)
    return sorted(names.values(), key=str.lower)


def unknown_cities(session: Session, import_id: int, *, to_apply_only: bool = False) -> list[str]:
    """The cities the rows name that do not exist (first spelling met; rows in error or skipped left out).

    `to_apply_only`: only the rows an apply would write now (MOVED and DUP_IN_FILE ones only when decided "apply").
    """
    if to_apply_only:
        return unknown_city_names(session, import_id, to_apply_condition())
    condition = (ContractImportRow.row_class != ImportRowClass.ERROR.value) & (
        ContractImportRow.decision != ImportDecision.SKIP.value
    )
    return unknown_city_names(session, import_id, condition)


def rows_to_apply(session: Session, import_id: int) -> int:
    """How many rows an apply would write now."""
    return session.exec(
        select(func.count())
        .select_from(ContractImportRow)
        .where(ContractImportRow.session_id == import_id, to_apply_condition())
    ).one()


def apply_problems(session: Session, import_id: int) -> list[str]:
    """Why the import cannot be applied now (empty: it can)."""
    imp = session.get(ContractImportSession, import_id, populate_existing=True)
    if imp is None:
        return [gettext("This import does not exist any more; start a new one.")]
    if imp.status == ImportSessionStatus.APPLIED:
        return [gettext("This import has already been applied; start a new one.")]
    if imp.status == ImportSessionStatus.APPLYING:
        return [gettext("This import is being applied.")]
    problems = []
    if imp.target_status_id is None or session.get(ContractStatus, imp.target_status_id) is None:
        problems.append(gettext("Choose the status the devices get."))
    if not rows_to_apply(session, import_id):
        problems.append(gettext("Nothing to apply: no row is valid and decided to be applied."))
    elif not imp.create_cities:
        cities = unknown_city_names(session, import_id, to_apply_condition())
        if cities:
            problems.append(
                gettext("Unknown cities: {names}. Confirm that they are to be created.", names=", ".join(cities))
            )
    return problems


def stored_values(session: Session, device_ids: list[int]) -> dict[int, dict[str, str]]:
    """Stored devices' values under the keys and normalisation of import rows, for the side-by-side preview."""
    result: dict[int, dict[str, str]] = {}
    ids = sorted({int(i) for i in device_ids if i is not None})
    for batch in in_batches(ids):
        rows = session.exec(
            select(ContractDevice, Organization.name, City.name, Manufacturer.name, DeviceModel.name)
            .join(Organization, Organization.id == ContractDevice.organization_id)
            .join(City, City.id == ContractDevice.city_id, isouter=True)
            .join(DeviceModel, DeviceModel.id == ContractDevice.device_model_id, isouter=True)
            .join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id, isouter=True)
            .where(ContractDevice.id.in_(batch))
        ).all()
        for device, org, city, manufacturer, model in rows:
            result[device.id] = {
                "organization": cell_text(org),
                "city": cell_text(city),
                "address": cell_text(device.address),
                "room": cell_text(device.room_number),
                "manufacturer": cell_text(manufacturer),
                "model": cell_text(model),
                "serial": cell_text(device.serial_number),
                "service_month": month_text(device.service_start_month),
                "comment": cell_text(device.comment),
            }
    return result


# ---------------------------------------------------------------------------------------------------------------
# Missing devices


def missing_devices(session: Session, import_id: int, *, applied_only: bool | None = None) -> list[ContractDevice]:
    """Devices of the organizations the import touches that it does not mention (report only).

    After the apply: the organizations of the applied rows, minus the devices they created or updated. Before:
    the organizations of the valid rows, minus the devices they match.
    """
    if applied_only is None:
        imp = session.get(ContractImportSession, import_id)
        applied_only = imp is not None and imp.status == ImportSessionStatus.APPLIED
    condition = (
        ContractImportRow.applied.is_(True)
        if applied_only
        else ContractImportRow.row_class != ImportRowClass.ERROR.value
    )
    rows = session.exec(
        select(ContractImportRow.values, ContractImportRow.device_id).where(
            ContractImportRow.session_id == import_id, condition
        )
    ).all()
    names = {name_key((values or {}).get("organization")) for values, _d in rows}
    orgs = {name_key(name): oid for oid, name in session.exec(select(Organization.id, Organization.name)).all()}
    org_ids = sorted({orgs[n] for n in names if n in orgs})
    mentioned = {d for _v, d in rows if d is not None}
    if not org_ids:
        return []
    devices = session.exec(
        select(ContractDevice)
        .where(ContractDevice.organization_id.in_(org_ids))
        .order_by(ContractDevice.organization_id, ContractDevice.serial_number, ContractDevice.id)
    ).all()
    return [d for d in devices if d.id not in mentioned]


MISSING_HEADERS = ("organization", "city", "address", "room", "manufacturer", "model", "serial", "service_month")


def missing_devices_xlsx(session: Session, import_id: int) -> bytes:
    """The missing-devices report as a workbook: Russian headers in bold, frozen, and the device's status."""
    devices = missing_devices(session, import_id)
    values = stored_values(session, [d.id for d in devices])
    statuses = dict(session.exec(select(ContractStatus.id, ContractStatus.name)).all())
    book = Workbook()
    sheet = book.active
    sheet.title = "Отсутствуют в файле"
    headers = [header_of(key) for key in MISSING_HEADERS] + ["Статус"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for device in devices:
        row = [values[device.id][key] for key in MISSING_HEADERS] + [statuses.get(device.status_id, "")]
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"  # text, never a formula (no injection through a serial or an address)
    widths = [28, 16, 36, 12, 16, 24, 20, 14, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
