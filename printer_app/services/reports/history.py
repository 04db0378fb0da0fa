"""The counter change log of a month as people read it (issue #17 "History and revert"): one row's entries for the
table's side panel, or every entry of a month's rows for `/reports/<YYYY-MM>/history`, filtered, sorted and paged
on the server.

Contract: `history_page(session, month, filters=..., sort=..., descending=..., page=..., page_size=...)` returns one
page of `HistoryEntry` (texts are the caller's to format; values stay numbers). Filters: a user (id, or "system" for
entries nobody signed in made), a source (ChangeSource value), a counter field, a date range (inclusive days in the
display time zone), a serial / organization / inventory number search, one row. A filter value that cannot match
(a forged user id, an unknown field) matches nothing rather than being ignored. Who may read it is the caller's
check (`view_change_history` and the month's visibility).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.i18n import gettext
from printer_app.models import CounterChangeLog, MonthlyReport, User
from printer_app.models.choices import ChangeSource
from printer_app.services.errors import NotFoundError
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.reports.columns import COUNTER_FIELDS, header_of
from printer_app.services.reports.months import is_editable
from printer_app.services.reports.visibility import month_control, month_visible
from printer_app.services.validators import row_id as parse_id

SYSTEM = "system"  # entries nobody signed in made: uploads by the CLI, inventory sync
SORTS = ("time", "user", "field", "source")
DEFAULT_PAGE_SIZE = 50
_L = CounterChangeLog.__table__
_R = MonthlyReport.__table__
_U = User.__table__
_WHO = sa.func.coalesce(sa.func.nullif(_U.c.full_name, ""), _U.c.username)


def field_label(name: str) -> str:
    """A counter's name in the current language ("A4 b/w end"), the month table's column label."""
    return gettext(header_of(name, english=True)) if name in COUNTER_FIELDS else name


def source_label(value: str) -> str:
    return ChangeSource(value).text if value in set(ChangeSource) else value


@dataclass
class HistoryFilters:
    """What the history shows; empty values mean "any"."""

    user: str = ""
    source: str = ""
    field: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    row_id: int | None = None


@dataclass
class HistoryEntry:
    """One change of one counter of one row."""

    id: int
    report_id: int
    timestamp: datetime
    user: str  # the person's display name, or "system" (translated)
    field: str
    field_label: str
    old: int | None
    new: int | None
    source: str
    source_label: str
    ip: str
    user_agent: str
    comment: str
    serial: str
    inventory: str
    organization: str


@dataclass
class HistoryPage:
    rows: list[HistoryEntry] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _conditions(month: date, filters: HistoryFilters, tz: ZoneInfo) -> list:
    where: list = [_R.c.month == month]
    if filters.row_id is not None:
        where.append(_L.c.report_id == filters.row_id)
    if filters.user == SYSTEM:
        where.append(_L.c.user_id.is_(None))
    elif filters.user:
        user_id = parse_id(filters.user)
        where.append(_L.c.user_id == user_id if user_id is not None else sa.false())
    if filters.source:
        where.append(_L.c.change_source == filters.source if filters.source in set(ChangeSource) else sa.false())
    if filters.field:
        where.append(_L.c.field_name == filters.field if filters.field in COUNTER_FIELDS else sa.false())
    if filters.date_from:
        where.append(_L.c.timestamp >= datetime.combine(filters.date_from, time(), tz))
    if filters.date_to:
        where.append(_L.c.timestamp < datetime.combine(filters.date_to + timedelta(days=1), time(), tz))
    needle = filters.search.strip().lower()
    if needle:
        where.append(
            sa.or_(
                *(
                    sa.func.lower(column).contains(needle, autoescape=True)
                    for column in (_R.c.serial_number, _R.c.organization, _R.c.inventory_number)
                )
            )
        )
    return where


def _order(sort: str, descending: bool) -> list:
    """The sort column first, then time (newest first) and id so equal keys keep a stable order."""
    column = {"user": sa.func.lower(sa.func.coalesce(_WHO, "")), "field": _L.c.field_name, "source": _L.c.change_source}
    keys = [] if sort not in column else [column[sort].desc() if descending else column[sort].asc()]
    newest = descending or sort in column
    keys += [_L.c.timestamp.desc(), _L.c.id.desc()] if newest else [_L.c.timestamp.asc(), _L.c.id.asc()]
    return keys


def history_page(
    session: Session,
    month: date,
    *,
    filters: HistoryFilters | None = None,
    sort: str = "time",
    descending: bool = True,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    tz: ZoneInfo | None = None,
) -> HistoryPage:
    """One page of the month's counter changes; the page number is clamped to the pages there are."""
    filters = filters or HistoryFilters()
    where = _conditions(month, filters, tz or get_settings().tz)
    joined = _L.join(_R, _R.c.id == _L.c.report_id).outerjoin(_U, _U.c.id == _L.c.user_id)
    page_size = allowed_page_size(page_size, DEFAULT_PAGE_SIZE)
    total = session.execute(sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
    page = clamp_page(page, total, page_size)
    query = (
        sa.select(
            _L,
            _WHO.label("who"),
            _R.c.serial_number,
            _R.c.inventory_number,
            _R.c.organization,
        )
        .select_from(joined)
        .where(*where)
        .order_by(*_order(sort if sort in SORTS else "time", descending))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [_entry(r) for r in session.execute(query).mappings()]
    return HistoryPage(rows=rows, total=total, page=page, page_size=page_size)


def _entry(r) -> HistoryEntry:
    return HistoryEntry(
        id=r["id"],
        report_id=r["report_id"],
        timestamp=r["timestamp"],
        user=r["who"] or gettext("system"),
        field=r["field_name"],
        field_label=field_label(r["field_name"]),
        old=r["old_value"],
        new=r["new_value"],
        source=r["change_source"],
        source_label=source_label(r["change_source"]),
        ip=r["ip_address"] or "",
        user_agent=r["user_agent"] or "",
        comment=r["comment"] or "",
        serial=r["serial_number"] or "",
        inventory=r["inventory_number"] or "",
        organization=r["organization"] or "",
    )


def history_users(session: Session, month: date) -> list[tuple[str, str]]:
    """(user id, display name) of everyone with an entry in the month, by name: the user filter's choices."""
    query = (
        sa.select(_U.c.id, _WHO)
        .select_from(_L.join(_R, _R.c.id == _L.c.report_id).join(_U, _U.c.id == _L.c.user_id))
        .where(_R.c.month == month)
        .distinct()
    )
    return sorted(((str(i), name) for i, name in session.execute(query)), key=lambda pair: pair[1].lower())


@dataclass
class RowHistory:
    """The side panel of one row: which row, whether its month is open for editing, and a page of its entries."""

    row_id: int
    month: date
    serial: str
    organization: str
    editable: bool
    page: HistoryPage


def row_history(session: Session, row_id: int, *, can_manage: bool, page: int = 1, page_size: int = 25) -> RowHistory:
    """A row's entries newest first; NotFoundError when the row is gone or its month is hidden from this user."""
    row = session.get(MonthlyReport, row_id)
    if row is None or not month_visible(session, row.month, can_manage=can_manage):
        raise NotFoundError(gettext("This row no longer exists; reload the page."))
    control = month_control(session, row.month)
    entries = history_page(session, row.month, filters=HistoryFilters(row_id=row.id), page=page, page_size=page_size)
    return RowHistory(
        row_id=row.id,
        month=row.month,
        serial=row.serial_number or row.inventory_number or "",
        organization=row.organization or "",
        editable=bool(control and is_editable(control.edit_until)),
        page=entries,
    )
