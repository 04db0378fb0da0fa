"""The contract devices table: one filter/sort/page query serving the `/contracts` page and the export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, or_
from sqlmodel import Session, select

from printer_app.db import unicode_lower
from printer_app.models import (
    City,
    ContractDevice,
    ContractStatus,
    DeviceModel,
    Manufacturer,
    Organization,
    PageCounter,
    Printer,
    ServiceProvider,
    SupplyLevel,
)
from printer_app.models.choices import SupplyKind
from printer_app.services.paging import allowed_page_size, clamp_page, page_count
from printer_app.services.validators import row_id

NONE = "none"  # the status / provider filter for devices without one
LINKED, UNLINKED = "yes", "no"

# The lowest toner (or ink) level the linked printer's last successful poll read: as the printers list's
# LOWEST_SUPPLY, correlated on the printer so the list sorts and pages by it in SQL.
LOWEST_TONER = (
    select(func.min(SupplyLevel.percent))
    .join(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
    .where(
        PageCounter.id == Printer.last_counter_id,
        SupplyLevel.kind.in_((SupplyKind.TONER.value, SupplyKind.INK.value)),
    )
    .correlate(Printer)
    .scalar_subquery()
)

SORTABLE: dict[str, ColumnElement] = {
    "organization": unicode_lower(Organization.name),
    "city": unicode_lower(City.name),
    "address": unicode_lower(ContractDevice.address),
    "room": unicode_lower(ContractDevice.room_number),
    "manufacturer": unicode_lower(Manufacturer.name),
    "model": unicode_lower(DeviceModel.name),
    "serial": unicode_lower(ContractDevice.serial_number),
    "status": unicode_lower(ContractStatus.name),
    "provider": unicode_lower(ServiceProvider.name),
    "service_month": ContractDevice.service_start_month,
    "printer": Printer.ip_numeric,
    "total": PageCounter.total_pages,
    "lowest_toner": LOWEST_TONER,
    "comment": unicode_lower(ContractDevice.comment),
    "updated": ContractDevice.updated_at,
}
DEFAULT_SORT = "organization"


@dataclass
class DeviceFilters:
    """Filters of the devices list; empty strings mean "any"; ids arrive as text (a select's value, a URL part)."""

    search: str = ""  # serial or address contains (case-insensitive)
    organization: str = ""
    city: str = ""
    manufacturer: str = ""
    model: str = ""
    status: str = ""  # an id, or NONE
    provider: str = ""  # an id, or NONE
    linked: str = ""  # LINKED / UNLINKED to a polled printer
    month_from: date | None = None  # service month from (inclusive)
    month_to: date | None = None  # service month to (inclusive)


@dataclass
class DeviceRow:
    """One line of the devices table (and of the export), flattened."""

    id: int
    organization_id: int
    organization: str
    city_id: int | None
    city: str
    address: str
    room: str
    manufacturer: str
    model_id: int | None
    model: str
    serial: str
    status_id: int | None
    status: str
    status_color: str
    provider_id: int | None
    provider: str
    service_month: date | None
    comment: str
    printer_id: int | None
    printer_ip: str
    total: int | None
    lowest_toner: int | None


@dataclass
class DevicePage:
    rows: list[DeviceRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def _joined(query: Select) -> Select:
    return (
        query.select_from(ContractDevice)
        .join(Organization, Organization.id == ContractDevice.organization_id)
        .outerjoin(City, City.id == ContractDevice.city_id)
        .outerjoin(DeviceModel, DeviceModel.id == ContractDevice.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .outerjoin(ContractStatus, ContractStatus.id == ContractDevice.status_id)
        .outerjoin(ServiceProvider, ServiceProvider.id == ContractDevice.service_provider_id)
        .outerjoin(Printer, Printer.id == ContractDevice.printer_id)
        .outerjoin(PageCounter, PageCounter.id == Printer.last_counter_id)
    )


def _by_id(column, value: str) -> ColumnElement[bool] | None:
    """`column == id` for a filter naming an id, `column IS NULL` for NONE; None for "any" (or a forged value)."""
    if value == NONE:
        return column.is_(None)
    ident = row_id(value)
    return column == ident if ident is not None else None


def _conditions(filters: DeviceFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if needle := " ".join(filters.search.split()).lower():  # autoescape: a typed "_" or "%" is a character
        conditions.append(
            or_(
                unicode_lower(ContractDevice.serial_number).contains(needle, autoescape=True),
                unicode_lower(ContractDevice.address).contains(needle, autoescape=True),
            )
        )
    for column, value in (
        (ContractDevice.organization_id, filters.organization),
        (ContractDevice.city_id, filters.city),
        (DeviceModel.manufacturer_id, filters.manufacturer),
        (ContractDevice.device_model_id, filters.model),
        (ContractDevice.status_id, filters.status),
        (ContractDevice.service_provider_id, filters.provider),
    ):
        if value and (condition := _by_id(column, value)) is not None:
            conditions.append(condition)
    if filters.linked == LINKED:
        conditions.append(ContractDevice.printer_id.is_not(None))
    elif filters.linked == UNLINKED:
        conditions.append(ContractDevice.printer_id.is_(None))
    if filters.month_from:
        conditions.append(ContractDevice.service_start_month >= filters.month_from.replace(day=1))
    if filters.month_to:
        conditions.append(ContractDevice.service_start_month <= filters.month_to.replace(day=1))
    return conditions


DEVICE_COLUMNS = (  # plain columns, not the entity: the export reads 10 000 rows without building ORM objects
    ContractDevice.id,
    ContractDevice.organization_id,
    ContractDevice.city_id,
    ContractDevice.address,
    ContractDevice.room_number,
    ContractDevice.device_model_id,
    ContractDevice.serial_number,
    ContractDevice.status_id,
    ContractDevice.service_provider_id,
    ContractDevice.service_start_month,
    ContractDevice.comment,
    ContractDevice.printer_id,
)


def _order(sort: str, descending: bool) -> tuple[ColumnElement, ...]:
    """The chosen column (an unknown one: the default), NULLs last either way, then the id: a stable order."""
    column = SORTABLE[sort if sort in SORTABLE else DEFAULT_SORT]
    return (column.desc() if descending else column.asc()).nulls_last(), ContractDevice.id


def _rows_query(filters: DeviceFilters, sort: str, descending: bool) -> Select:
    """Every shown column of the filtered devices, in the chosen order."""
    query = select(
        *DEVICE_COLUMNS,
        Organization.name,
        City.name,
        Manufacturer.name,
        DeviceModel.name,
        ContractStatus.name,
        ContractStatus.color,
        ServiceProvider.name,
        Printer.ip_address,
        PageCounter.total_pages,
        LOWEST_TONER.label("lowest_toner"),
    )
    return _joined(query).where(*_conditions(filters)).order_by(*_order(sort, descending))


def count_devices(session: Session, filters: DeviceFilters) -> int:
    """How many devices the filters show."""
    query = _joined(select(func.count(ContractDevice.id))).where(*_conditions(filters))
    return session.exec(query).one()


def list_devices(
    session: Session,
    *,
    filters: DeviceFilters,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> DevicePage:
    """One page of devices: a COUNT, the page's ids, then those rows — never the whole table.

    The ids are found with only the joins the filters and the sort need (PostgreSQL drops the unused outer joins),
    so a far page does not compute the printers' counters and toner of every row it skips.
    """
    page_size = allowed_page_size(page_size, 50)
    total = count_devices(session, filters)
    page = clamp_page(page, total, page_size)
    ids_query = (
        _joined(select(ContractDevice.id))
        .where(*_conditions(filters))
        .order_by(*_order(sort, descending))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = rows_by_ids(session, list(session.exec(ids_query).all()))
    return DevicePage(rows=rows, total=total, page=page, page_size=page_size)


def iter_devices(
    session: Session, *, filters: DeviceFilters, sort: str = DEFAULT_SORT, descending: bool = False
) -> Iterator[DeviceRow]:
    """Every device the filters show, in the list's order, streamed in chunks (the export)."""
    result = session.execute(_rows_query(filters, sort, descending).execution_options(yield_per=1000))
    for values in result:
        yield _row(*values)


def rows_by_ids(session: Session, ids: list[int]) -> list[DeviceRow]:
    """Display rows of the given devices, in the given order (live updates refresh single rows with it)."""
    if not ids:
        return []
    query = _rows_query(DeviceFilters(), DEFAULT_SORT, False).where(ContractDevice.id.in_(ids)).order_by(None)
    by_id = {row.id: row for row in (_row(*values) for values in session.execute(query).all())}
    return [by_id[i] for i in ids if i in by_id]


def _row(*values) -> DeviceRow:
    (ident, org_id, city_id, address, room, model_id, serial, status_id, provider_id, month, comment, printer_id) = (
        values[: len(DEVICE_COLUMNS)]
    )
    org, city, maker, model, status, color, provider, ip, total, lowest = values[len(DEVICE_COLUMNS) :]
    return DeviceRow(
        id=ident,
        organization_id=org_id,
        organization=org or "",
        city_id=city_id,
        city=city or "",
        address=address,
        room=room,
        manufacturer=maker or "",
        model_id=model_id,
        model=model or "",
        serial=serial,
        status_id=status_id,
        status=status or "",
        status_color=color or "",
        provider_id=provider_id,
        provider=provider or "",
        service_month=month,
        comment=comment,
        printer_id=printer_id,
        printer_ip=ip or "",
        total=total,
        lowest_toner=lowest,
    )


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Choices of the filter selects (and of the device form): (id, name) by name."""

    def pairs(model, *, active_only: bool = False) -> list[tuple[str, str]]:
        query = select(model.id, model.name).order_by(unicode_lower(model.name), model.id)
        if active_only:
            query = query.where(model.is_active)
        return [(str(i), n) for i, n in session.exec(query).all()]

    models = session.exec(
        select(DeviceModel.id, DeviceModel.name, DeviceModel.manufacturer_id, Manufacturer.name)
        .join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .order_by(unicode_lower(Manufacturer.name), unicode_lower(DeviceModel.name), DeviceModel.id)
    ).all()
    return {
        "organizations": pairs(Organization),
        "cities": pairs(City),
        "manufacturers": pairs(Manufacturer),
        "models": [(str(i), f"{maker} {name}") for i, name, _m, maker in models],
        "model_makers": [(str(i), str(m)) for i, _n, m, _maker in models],
        "statuses": pairs(ContractStatus),
        "status_colors": [(str(i), c) for i, c in session.exec(select(ContractStatus.id, ContractStatus.color))],
        "providers": pairs(ServiceProvider),
    }
