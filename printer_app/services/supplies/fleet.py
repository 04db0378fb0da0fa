"""The fleet's supplies: every supply forecast of the active printers with its printer, organization and cartridge
part number; one filter/sort/page definition serving the /supplies page, its export and "what to order".

Reads only the derived SupplyForecast rows (refreshed after polls) and the reference data, never the poll history,
so the page costs the same whatever the history holds.

The part number comes from the contracts reference data: the model of the contract device linked to the printer
(else the printer's own catalogue model) -> its cartridges, primary first, then by name -> the one of the supply's
colour. Only cartridge-like supplies (toner, ink) get one: a drum of the same colour is not that cartridge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, case, func, literal, or_, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from printer_app.db import unicode_lower
from printer_app.models import (
    Cartridge,
    ContractDevice,
    DeviceModel,
    DeviceModelCartridge,
    Manufacturer,
    Organization,
    Printer,
    SupplyForecast,
)
from printer_app.models.choices import SupplyColor, SupplyKind
from printer_app.services.paging import allowed_page_size, clamp_page, page_count
from printer_app.services.validators import row_id

CARTRIDGE_KINDS = (SupplyKind.TONER.value, SupplyKind.INK.value)
EMPTY = "empty"  # SupplyForecast.forecast_status of a supply that has run out
MAX_DAYS = 3650  # "empty within N days" above this is no filter a person means
KINDS = tuple(k.value for k in SupplyKind)
COLORS = tuple(c.value for c in SupplyColor)

# The model whose cartridges a printer takes: its contract device's, else its own catalogue model.
_device = aliased(ContractDevice, name="device")
_part_model = func.coalesce(_device.device_model_id, Printer.device_model_id)


def _parts():
    """One cartridge per (model, colour): the primary one first, then by name (as the cartridge request lists them)."""
    ranked = (
        select(
            DeviceModelCartridge.device_model_id.label("model_id"),
            Cartridge.color.label("color"),
            Cartridge.part_number.label("part_number"),
            Cartridge.name.label("cartridge"),
            func.row_number()
            .over(
                partition_by=(DeviceModelCartridge.device_model_id, Cartridge.color),
                order_by=(DeviceModelCartridge.is_primary.desc(), func.lower(Cartridge.name), Cartridge.id),
            )
            .label("rank"),
        )
        .join(Cartridge, Cartridge.id == DeviceModelCartridge.cartridge_id)
        .where(Cartridge.is_active)
        .subquery("ranked")
    )
    return (
        select(ranked.c.model_id, ranked.c.color, ranked.c.part_number, ranked.c.cartridge)
        .where(ranked.c.rank == 1)
        .subquery("part")
    )


_part = _parts()
MODEL_LABEL = case(
    (DeviceModel.id.is_not(None), Manufacturer.name + literal(" ") + DeviceModel.name), else_=Printer.model
)
PART_NUMBER = func.coalesce(_part.c.part_number, "")

SORTABLE: dict[str, ColumnElement] = {
    "days": SupplyForecast.days_to_empty,
    "level": SupplyForecast.level_percent,
    "organization": unicode_lower(Organization.name),
    "printer": Printer.ip_numeric,
    "model": unicode_lower(MODEL_LABEL),
    "supply": SupplyForecast.kind,
    "pages_last": SupplyForecast.last_pages_per_cartridge,
    "pages_avg": SupplyForecast.avg_pages_per_cartridge,
    "part": unicode_lower(func.nullif(_part.c.part_number, "")),
    "seen": SupplyForecast.last_seen_at,
}
DESCENDING_FIRST = ("pages_last", "pages_avg", "seen")
REFERENCE_SORTS = {"organization", "model", "part"}  # sorts by a column of a joined table


@dataclass
class SupplyFilters:
    """Filters of the supplies list; empty strings and None mean "any"."""

    search: str = ""  # organization, IP, serial, model, supply description or part number contains
    organization: str = ""  # "" any, "none", or an organization id
    kind: str = ""  # a SupplyKind value
    color: str = ""  # a SupplyColor value
    level_below: int | None = None  # the newest level below this percentage
    empty_within: int | None = None  # runs out within this many days (or has run out)
    printer_ids: tuple[int, ...] | None = None  # only these printers
    ids: tuple[int, ...] | None = None  # only these supplies (the rows chosen for a cartridge request)


@dataclass
class SupplyRow:
    """One line of the supplies table."""

    id: int
    printer_id: int
    ip_address: str
    serial_number: str
    model: str
    organization: str
    kind: str
    color: str
    description: str
    level_percent: int | None
    state: str
    forecast_status: str
    days_to_empty: float | None
    days_low: float | None
    days_high: float | None
    pages_to_empty: int | None
    last_pages: int | None
    avg_pages: int | None
    replacements: int
    part_number: str
    cartridge: str
    last_seen_at: datetime | None


@dataclass
class SupplyPage:
    rows: list[SupplyRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def runs_out_within(days: int) -> ColumnElement[bool]:
    """The supply runs out within `days` days by its forecast, or has run out."""
    return or_(SupplyForecast.days_to_empty <= days, SupplyForecast.forecast_status == EMPTY)


def base_select(*columns, references: bool = True):
    """SELECT `columns` FROM the active printers' supply forecasts joined with everything a row shows (without
    `references`: with the printer only, enough for every filter and the sorts by the supply's or printer's columns)."""
    query = (
        select(*columns)
        .select_from(SupplyForecast)
        .join(Printer, Printer.id == SupplyForecast.printer_id)
        .where(Printer.is_active)
    )
    if not references:
        return query
    return (
        query.outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .outerjoin(_device, _device.printer_id == Printer.id)
        .outerjoin(
            _part,
            and_(
                _part.c.model_id == _part_model,
                _part.c.color == SupplyForecast.color,
                SupplyForecast.kind.in_(CARTRIDGE_KINDS),
            ),
        )
    )


def _search(needle: str) -> ColumnElement[bool]:
    """The printer (organization, IP, serial, model), the supply's description or its cartridge contains the text
    (ignoring case in any alphabet, LIKE autoescaped). The printer's fields are matched once per printer, not once
    per supply."""

    def has(column) -> ColumnElement[bool]:
        return unicode_lower(column).contains(needle, autoescape=True)

    model = aliased(DeviceModel)
    maker = aliased(Manufacturer)
    org = aliased(Organization)
    printers = (
        select(Printer.id)
        .outerjoin(org, org.id == Printer.organization_id)
        .outerjoin(model, model.id == Printer.device_model_id)
        .outerjoin(maker, maker.id == model.manufacturer_id)
        .where(
            or_(
                has(org.name),
                has(Printer.ip_address),
                has(Printer.serial_number),
                has(Printer.model),
                has(maker.name + literal(" ") + model.name),
            )
        )
    )
    cartridges = (
        select(Printer.id, _part.c.color)
        .outerjoin(_device, _device.printer_id == Printer.id)
        .join(_part, _part.c.model_id == _part_model)
        .where(or_(has(_part.c.part_number), has(_part.c.cartridge)))
    )
    return or_(
        SupplyForecast.printer_id.in_(printers),
        has(SupplyForecast.description),
        and_(
            SupplyForecast.kind.in_(CARTRIDGE_KINDS),
            tuple_(SupplyForecast.printer_id, SupplyForecast.color).in_(cartridges),
        ),
    )


def apply_filters(query, filters: SupplyFilters):
    """`query` (of `base_select`) narrowed to what the filters show."""
    if filters.search.strip():
        query = query.where(_search(filters.search.strip().lower()))
    if filters.organization == "none":
        query = query.where(Printer.organization_id.is_(None))
    elif (organization_id := row_id(filters.organization)) is not None:
        query = query.where(Printer.organization_id == organization_id)
    if filters.kind in KINDS:
        query = query.where(SupplyForecast.kind == filters.kind)
    if filters.color in COLORS:
        query = query.where(SupplyForecast.color == filters.color)
    if filters.level_below is not None:
        query = query.where(SupplyForecast.level_percent < filters.level_below)
    if filters.empty_within is not None:
        query = query.where(runs_out_within(filters.empty_within))
    if filters.printer_ids is not None:
        query = query.where(SupplyForecast.printer_id.in_(filters.printer_ids or (-1,)))
    if filters.ids is not None:
        query = query.where(SupplyForecast.id.in_(filters.ids or (-1,)))
    return query


ROW_COLUMNS = (
    SupplyForecast,
    Printer.ip_address,
    Printer.serial_number,
    MODEL_LABEL.cast(String).label("model"),
    Organization.name.label("organization"),
    PART_NUMBER.label("part_number"),
    func.coalesce(_part.c.cartridge, "").label("cartridge"),
)


def ordered(query, sort: str, descending: bool):
    """`query` in the list's order: the column asked for (nulls last), then the soonest to run out, then by id."""
    if sort not in SORTABLE:
        sort = "days"
    column = SORTABLE[sort]
    order = [(column.desc() if descending else column.asc()).nulls_last()]
    if sort != "days":
        order.append(SupplyForecast.days_to_empty.asc().nulls_last())
    return query.order_by(*order, SupplyForecast.id)


def list_supplies(
    session: Session,
    *,
    filters: SupplyFilters,
    sort: str = "days",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> SupplyPage:
    """One page of the fleet's supplies: a COUNT, then the page's ids (joining the reference tables only when the
    search or the sort needs them, so a sort moves narrow rows), then those rows."""
    page_size = allowed_page_size(page_size, 50)
    sort = sort if sort in SORTABLE else "days"
    references = sort in REFERENCE_SORTS
    counted = apply_filters(base_select(SupplyForecast.id, references=False), filters)
    total = session.exec(select(func.count()).select_from(counted.subquery())).one()
    page = clamp_page(page, total, page_size)
    ids_query = ordered(apply_filters(base_select(SupplyForecast.id, references=references), filters), sort, descending)
    ids = list(session.exec(ids_query.offset((page - 1) * page_size).limit(page_size)).all())
    return SupplyPage(rows=rows_by_ids(session, ids), total=total, page=page, page_size=page_size)


def rows_by_ids(session: Session, ids: list[int]) -> list[SupplyRow]:
    """Display rows of the given supplies, in the given order."""
    query = base_select(*ROW_COLUMNS).where(SupplyForecast.id.in_(ids or (-1,)))
    by_id = {row[0].id: supply_row(*row) for row in session.execute(query).all()}
    return [by_id[i] for i in ids if i in by_id]


def supply_row(
    f: SupplyForecast, ip: str, serial: str, model: str | None, org: str | None, part: str, cartridge: str
) -> SupplyRow:
    return SupplyRow(
        id=f.id,
        printer_id=f.printer_id,
        ip_address=ip,
        serial_number=serial or "",
        model=model or "",
        organization=org or "",
        kind=f.kind,
        color=f.color or "",
        description=f.description,
        level_percent=f.level_percent,
        state=f.state,
        forecast_status=f.forecast_status,
        days_to_empty=f.days_to_empty,
        days_low=f.days_low,
        days_high=f.days_high,
        pages_to_empty=f.pages_to_empty,
        last_pages=f.last_pages_per_cartridge,
        avg_pages=f.avg_pages_per_cartridge,
        replacements=f.replacements,
        part_number=part or "",
        cartridge=cartridge or "",
        last_seen_at=f.last_seen_at,
    )


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """The organizations for the filter drop-down, by name."""
    orgs = session.exec(select(Organization.id, Organization.name).order_by(unicode_lower(Organization.name))).all()
    return {"organizations": [(str(i), n) for i, n in orgs]}
