"""The printers table: one filter/sort/page definition serving the UI, exports and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, exists, func, or_
from sqlmodel import Session, select

from printer_app.db import unicode_lower
from printer_app.models import DeviceModel, Manufacturer, Organization, PageCounter, Printer, SupplyLevel
from printer_app.models.base import utcnow
from printer_app.models.choices import SupplyColor, SupplyKind, TaskStatus
from printer_app.services.inventory.device_models import CATALOGUE_LABEL, model_choices
from printer_app.services.inventory.health import GROUPS, in_group
from printer_app.services.paging import allowed_page_size, clamp_page, page_count
from printer_app.services.polling.history import COUNTER_FIELDS
from printer_app.services.validators import row_id

NO_RULE_YET = "UNSET"  # the match-rule filter for printers without a successful poll ("NONE" is a rule of its own)

_model_display = case(
    (DeviceModel.id.is_not(None), CATALOGUE_LABEL),
    else_=Printer.model,
)

# The supplies the last successful poll read (its counter's task): the lowest percentage among them, and whether one
# (of a kind / colour) is below a threshold. Correlated on the printer, so the list sorts and pages in SQL.
_last_supplies = (
    select(SupplyLevel.percent)
    .join(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
    .where(PageCounter.id == Printer.last_counter_id)
)
LOWEST_SUPPLY = (
    select(func.min(SupplyLevel.percent))
    .join(PageCounter, PageCounter.task_id == SupplyLevel.task_id)
    .where(PageCounter.id == Printer.last_counter_id)
    .correlate(Printer)
    .scalar_subquery()
)
TONER_COLOURS = (SupplyColor.BLACK, SupplyColor.CYAN, SupplyColor.MAGENTA, SupplyColor.YELLOW)
# The `supply` filter's keys: a kind ("toner", "drum") or a toner's colour ("toner:black").
SUPPLY_KEYS = (*(k.value for k in SupplyKind), *(f"{SupplyKind.TONER.value}:{c.value}" for c in TONER_COLOURS))

SORTABLE: dict[str, ColumnElement] = {
    "organization": unicode_lower(Organization.name),
    "ip": Printer.ip_numeric,
    "serial": Printer.serial_number,
    "mac": Printer.mac_address,
    "model": unicode_lower(_model_display),
    "location": unicode_lower(Printer.location),
    "total": PageCounter.total_pages,
    "bw_a4": PageCounter.bw_a4,
    "color_a4": PageCounter.color_a4,
    "bw_a3": PageCounter.bw_a3,
    "color_a3": PageCounter.color_a3,
    "last_poll": Printer.last_poll_at,
    "status": Printer.last_poll_status,
    "match_rule": Printer.last_match_rule,
    "lowest_supply": LOWEST_SUPPLY,
}


@dataclass
class PrinterFilters:
    """Filters of the printers list; empty strings mean "any"."""

    search: str = ""  # organization, model, manufacturer, serial, IP, MAC or location contains
    organization: str = ""  # "" any, "none", or an organization id
    model: str = ""  # "" any, or a device model id
    match_rule: str = ""  # "" any, "UNSET" (no successful poll yet), or a MatchRule value (NONE included)
    status: str = ""  # "" any, a TaskStatus value, NEVER_RUN, or a group of services/inventory/health.py
    active: str = "active"  # active | inactive | all
    supply_below: int | None = None  # a supply of the last successful poll below this percent
    supply: str = ""  # "" any supply, or a SUPPLY_KEYS key: which supply `supply_below` looks at
    only_ids: tuple[int, ...] | None = None  # only these printers (the ones that failed in a poll-all run)

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set beyond the default (active printers): the list shows a part of the fleet."""
        chosen = (self.search.strip(), self.organization, self.model, self.match_rule, self.status)
        narrowing = self.supply_below is not None or self.only_ids is not None
        return any(chosen) or narrowing or self.active != "active"


@dataclass
class PrinterRow:
    """One line of the printers table, flattened for display."""

    id: int
    organization: str
    ip_address: str
    serial_number: str
    mac_address: str
    model: str
    is_active: bool
    total: int | None
    bw_a4: int | None
    color_a4: int | None
    bw_a3: int | None
    color_a3: int | None
    toners: dict[str, str] = field(default_factory=dict)
    last_poll_at: datetime | None = None
    status: str = TaskStatus.NEVER_RUN
    last_error: str = ""
    match_rule: str = ""
    no_counter: bool = False  # the last successful poll reported supplies but no page counter
    last_success_at: datetime | None = None  # when the counters shown were read
    lowest_supply: int | None = None  # the lowest percentage among the last successful poll's supplies
    lowest_supply_name: str = ""  # which supply that is (its description)
    location: str = ""  # room, floor, office


@dataclass
class PrinterPage:
    rows: list[PrinterRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def _supply_condition(kind_key: str) -> list[ColumnElement[bool]]:
    kind, _, colour = kind_key.partition(":")
    conditions = [SupplyLevel.kind == kind]
    if colour:
        conditions.append(SupplyLevel.color == colour)
    return conditions


def _search(needle: str) -> ColumnElement[bool]:
    """Any of the fields a user recognises a printer by contains the text (case-insensitive in every alphabet on both
    databases, LIKE autoescaped)."""
    fields = (
        Organization.name,
        Printer.model,
        DeviceModel.name,
        Manufacturer.name,
        Printer.serial_number,
        Printer.ip_address,
        Printer.mac_address,
        Printer.location,
    )
    contains = [unicode_lower(f).contains(needle, autoescape=True) for f in fields]
    catalogue = unicode_lower(Manufacturer.name + " " + DeviceModel.name).contains(needle, autoescape=True)
    return or_(*contains, catalogue)


def _filtered(filters: PrinterFilters, *, now: datetime | None = None):
    query = (
        select(Printer.id)
        .select_from(Printer)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
    )
    if filters.search.strip():
        needle = filters.search.strip().lower()  # autoescape: a typed "_" or "%" is a character, not a wildcard
        query = query.where(_search(needle))
    if filters.organization == "none":
        query = query.where(Printer.organization_id.is_(None))
    elif (organization_id := row_id(filters.organization)) is not None:
        query = query.where(Printer.organization_id == organization_id)
    if (model_id := row_id(filters.model)) is not None:
        query = query.where(Printer.device_model_id == model_id)
    if filters.match_rule == NO_RULE_YET:
        query = query.where(Printer.last_match_rule.is_(None))
    elif filters.match_rule:
        query = query.where(Printer.last_match_rule == filters.match_rule)
    if filters.status == TaskStatus.NEVER_RUN:
        query = query.where(Printer.last_poll_status.is_(None))
    elif filters.status in GROUPS:
        query = query.where(in_group(filters.status, now=now or utcnow()))
    elif filters.status:
        query = query.where(Printer.last_poll_status == filters.status)
    if filters.supply_below is not None:
        below = _last_supplies.where(SupplyLevel.percent < filters.supply_below)
        if filters.supply in SUPPLY_KEYS:
            below = below.where(*_supply_condition(filters.supply))
        query = query.where(exists(below.correlate(Printer)))
    if filters.only_ids is not None:
        query = query.where(Printer.id.in_(filters.only_ids or (-1,)))
    if filters.active == "active":
        query = query.where(Printer.is_active)
    elif filters.active == "inactive":
        query = query.where(Printer.is_active.is_(False))
    return query


def filtered_select(filters: PrinterFilters, *, now: datetime | None = None):
    """SELECT of the ids of every printer the list shows with these filters (the export joins it)."""
    return _filtered(filters, now=now)


COUNTER_SORTS = {"total", "bw_a4", "color_a4", "bw_a3", "color_a3"}
NOT_NULL_SORTS = {"ip", "serial"}


def filtered_ids(session: Session, *, filters: PrinterFilters, now: datetime | None = None) -> list[int]:
    """Every printer the list shows with these filters, all pages (what "Poll N shown" polls)."""
    return list(session.exec(_filtered(filters, now=now).order_by(Printer.id)).all())


def list_printers(
    session: Session,
    *,
    filters: PrinterFilters,
    sort: str = "ip",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
    now: datetime | None = None,
) -> PrinterPage:
    """One page of printers: a COUNT, then the page's ids, then those rows — never the whole table.

    The page's ids are found without touching poll history unless the sort is by a counter, so the cost
    does not grow with the number of polls.
    """
    page_size = allowed_page_size(page_size, 50)
    base = _filtered(filters, now=now)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page = clamp_page(page, total, page_size)
    if sort not in SORTABLE:
        sort = "ip"
    order = SORTABLE[sort].desc() if descending else SORTABLE[sort].asc()
    if sort not in NOT_NULL_SORTS:
        order = order.nulls_last()
    ids_query = base.order_by(order, Printer.id).offset((page - 1) * page_size).limit(page_size)
    if sort in COUNTER_SORTS:
        ids_query = ids_query.outerjoin(PageCounter, PageCounter.id == Printer.last_counter_id)
    ids = list(session.exec(ids_query).all())
    rows = rows_by_ids(session, ids)
    return PrinterPage(rows=rows, total=total, page=page, page_size=page_size)


def rows_by_ids(session: Session, ids: list[int]) -> list[PrinterRow]:
    """Display rows of the given printers, in the given order (live updates refresh single rows with it)."""
    query = (
        select(Printer, Organization.name, _model_display.cast(String).label("model_display"), PageCounter)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .outerjoin(PageCounter, PageCounter.id == Printer.last_counter_id)
        .where(Printer.id.in_(ids))
    )
    by_id = {p.id: _row(p, org, model, c) for p, org, model, c in session.execute(query).all()}
    _add_lowest_supplies(session, by_id)
    return [by_id[i] for i in ids if i in by_id]


def _add_lowest_supplies(session: Session, rows: dict[int, PrinterRow]) -> None:
    """Each row's lowest supply percentage of its last successful poll (as LOWEST_SUPPLY sorts), and its name."""
    query = (
        select(PageCounter.printer_id, SupplyLevel.percent, SupplyLevel.description)
        .join(SupplyLevel, SupplyLevel.task_id == PageCounter.task_id)
        .join(Printer, Printer.last_counter_id == PageCounter.id)
        .where(Printer.id.in_(list(rows)), SupplyLevel.percent.is_not(None))
        .order_by(PageCounter.printer_id, SupplyLevel.percent, SupplyLevel.id)
    )
    for printer_id, percent, description in session.exec(query).all():
        row = rows[printer_id]
        if row.lowest_supply is None:
            row.lowest_supply, row.lowest_supply_name = percent, description


def _row(printer: Printer, org: str | None, model: str | None, counter: PageCounter | None) -> PrinterRow:
    toners = {}
    if counter is not None:
        toners = {
            color: getattr(counter, f"toner_{color}")
            for color in ("black", "cyan", "magenta", "yellow")
            if getattr(counter, f"toner_{color}")
        }
    return PrinterRow(
        id=printer.id,
        organization=org or "",
        ip_address=printer.ip_address,
        serial_number=printer.serial_number,
        mac_address=printer.mac_address or "",
        model=model or "",
        is_active=printer.is_active,
        total=counter.total_pages if counter else None,
        bw_a4=counter.bw_a4 if counter else None,
        color_a4=counter.color_a4 if counter else None,
        bw_a3=counter.bw_a3 if counter else None,
        color_a3=counter.color_a3 if counter else None,
        toners=toners,
        last_poll_at=printer.last_poll_at,
        status=printer.last_poll_status or TaskStatus.NEVER_RUN,
        last_error=printer.last_error or "",
        match_rule=printer.last_match_rule or "",
        no_counter=counter is not None and all(getattr(counter, key) is None for key in COUNTER_FIELDS),
        last_success_at=printer.last_success_at,
        location=printer.location or "",
    )


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Choices for the filter drop-downs: organizations (active first) and device models in use."""
    orgs = session.exec(select(Organization.id, Organization.name).order_by(unicode_lower(Organization.name))).all()
    return {"organizations": [(str(i), n) for i, n in orgs], "models": model_choices(session)}
