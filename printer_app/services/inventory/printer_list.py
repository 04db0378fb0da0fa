"""The printers table: one filter/sort/page definition serving the UI, exports and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, case, func, or_
from sqlmodel import Session, select

from printer_app.models import DeviceModel, Manufacturer, Organization, PageCounter, Printer
from printer_app.models.choices import TaskStatus
from printer_app.services.inventory.device_models import CATALOGUE_LABEL, model_choices
from printer_app.services.paging import allowed_page_size, clamp_page, page_count
from printer_app.services.polling.history import COUNTER_FIELDS
from printer_app.services.validators import row_id

NO_RULE_YET = "UNSET"  # the match-rule filter for printers without a successful poll ("NONE" is a rule of its own)

_model_display = case(
    (DeviceModel.id.is_not(None), CATALOGUE_LABEL),
    else_=Printer.model,
)

SORTABLE: dict[str, ColumnElement] = {
    "organization": func.lower(Organization.name),
    "ip": Printer.ip_numeric,
    "serial": Printer.serial_number,
    "mac": Printer.mac_address,
    "model": func.lower(_model_display),
    "total": PageCounter.total_pages,
    "bw_a4": PageCounter.bw_a4,
    "color_a4": PageCounter.color_a4,
    "bw_a3": PageCounter.bw_a3,
    "color_a3": PageCounter.color_a3,
    "last_poll": Printer.last_poll_at,
    "status": Printer.last_poll_status,
    "match_rule": Printer.last_match_rule,
}


@dataclass
class PrinterFilters:
    """Filters of the printers list; empty strings mean "any"."""

    search: str = ""  # IP or serial contains
    organization: str = ""  # "" any, "none", or an organization id
    model: str = ""  # "" any, or a device model id
    match_rule: str = ""  # "" any, "UNSET" (no successful poll yet), or a MatchRule value (NONE included)
    status: str = ""  # "" any, a TaskStatus value, NEVER_RUN
    active: str = "active"  # active | inactive | all


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


@dataclass
class PrinterPage:
    rows: list[PrinterRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def _filtered(filters: PrinterFilters):
    query = (
        select(Printer.id)
        .select_from(Printer)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
    )
    if filters.search.strip():
        needle = filters.search.strip().lower()  # autoescape: a typed "_" or "%" is a character, not a wildcard
        query = query.where(
            or_(
                Printer.ip_address.contains(needle, autoescape=True),
                func.lower(Printer.serial_number).contains(needle, autoescape=True),
            )
        )
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
    elif filters.status:
        query = query.where(Printer.last_poll_status == filters.status)
    if filters.active == "active":
        query = query.where(Printer.is_active)
    elif filters.active == "inactive":
        query = query.where(Printer.is_active.is_(False))
    return query


COUNTER_SORTS = {"total", "bw_a4", "color_a4", "bw_a3", "color_a3"}
NOT_NULL_SORTS = {"ip", "serial"}


def list_printers(
    session: Session,
    *,
    filters: PrinterFilters,
    sort: str = "ip",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> PrinterPage:
    """One page of printers: a COUNT, then the page's ids, then those rows — never the whole table.

    The page's ids are found without touching poll history unless the sort is by a counter, so the cost
    does not grow with the number of polls.
    """
    page_size = allowed_page_size(page_size, 50)
    base = _filtered(filters)
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
    return [by_id[i] for i in ids if i in by_id]


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
    )


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Choices for the filter drop-downs: organizations (active first) and device models in use."""
    orgs = session.exec(select(Organization.id, Organization.name).order_by(func.lower(Organization.name))).all()
    return {"organizations": [(str(i), n) for i, n in orgs], "models": model_choices(session)}
