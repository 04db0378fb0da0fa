"""The month table `/reports/<YYYY-MM>` (docs/reports.md §10.2, §10.4): one query reads the month's shown columns,
one aggregate query the serials' history; filters, sort, paging, the totals row, anomalies and duplicate groups
are then worked out in Python.

Python rather than SQL because three of the rules compare text as people do, in every alphabet (serials and
inventory numbers folded by `formulas.fold`, Cyrillic contains/sort), which SQLite's `lower()` cannot; a month is
a few thousand rows, so reading it whole costs a few tens of milliseconds (bench: 5,000 rows well under 300 ms).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from printer_app.models import MonthlyReport
from printer_app.services.paging import allowed_page_size, clamp_page
from printer_app.services.reports.columns import COUNTER_FIELDS
from printer_app.services.reports.export import FIELDS, write_month_workbook
from printer_app.services.reports.formulas import fold, group_key

ANOMALY_THRESHOLD = 2000
EXCESS, NEGATIVE = "excess", "negative"
_T = MonthlyReport.__table__
TEXT_FIELDS = (
    "organization",
    "branch",
    "city",
    "address",
    "equipment_model",
    "serial_number",
    "inventory_number",
    "device_ip",
)
NUMBER_FIELDS = (
    "order_number",
    *COUNTER_FIELDS,
    "total_prints",
    "normative_availability",
    "actual_downtime",
    "k1",
    "non_overdue_requests",
    "total_requests",
    "k2",
)
SORTABLE = (*TEXT_FIELDS, *NUMBER_FIELDS, "inventory_last_ok")
DEFAULT_SORT = "order_number"
TOTALLED = (*COUNTER_FIELDS, "total_prints", "normative_availability", "actual_downtime")
TOTALLED += ("non_overdue_requests", "total_requests")
_READ = [_T.c.id, *(_T.c[name] for name in dict.fromkeys((*FIELDS, *SORTABLE)))]
_KEYS = [column.name for column in _READ]


@dataclass
class TableFilters:
    """What the month table shows; empty values mean "any"."""

    organization: str = ""  # exact text of the rows' organization
    city: str = ""
    model: str = ""
    search: str = ""  # serial or inventory number contains (any case, any alphabet)
    anomalies: bool = False  # only rows with an anomaly mark
    duplicates: bool = False  # only rows of duplicate groups (2+ rows)
    k1_below: float | None = None  # only rows whose K1 is below this
    k2_below: float | None = None


@dataclass
class TableRow:
    """A row of the month as stored (`values`: every column of `_READ` by name) with its marks."""

    values: dict[str, Any]
    anomalies: tuple[str, ...] = ()  # EXCESS and/or NEGATIVE
    average: float | None = None  # the serial's average total of earlier months (None: no history)
    group_size: int = 1
    group_position: int = 0  # 0 = the group's first row (its A4), later rows count their A3

    @property
    def id(self) -> int:
        return int(self.values["id"])


@dataclass
class TablePage:
    rows: list[TableRow]
    total: int  # rows the filters show
    page: int
    page_size: int
    totals: dict[str, float] = field(default_factory=dict)  # sums of TOTALLED over every row the filters show
    month_rows: int = 0  # rows of the month, whatever the filters


def serial_history(session: Session, month: date, serials: Iterable[str]) -> dict[str, float]:
    """The average total_prints of each (folded) serial over the months before `month`: one aggregate query.

    The database groups by the trimmed serial as stored (no lower-casing function per row: SQLite's own folds ASCII
    only, and a Python one per row is slow); the few spellings of one serial are merged here by sum and count."""
    wanted = {fold(s) for s in serials} - {""}
    if not wanted:
        return {}
    key = sa.func.trim(_T.c.serial_number)
    query = (
        sa.select(key, sa.func.sum(_T.c.total_prints), sa.func.count(_T.c.id))
        .where(_T.c.month < month, _T.c.serial_number != "")
        .group_by(key)
    )
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for serial, total, count in session.execute(query):
        folded = fold(serial)
        if folded in wanted:
            sums[folded][0] += float(total or 0)
            sums[folded][1] += int(count)
    return {serial: total / count for serial, (total, count) in sums.items() if count}


def anomalies_of(total: int, average: float | None, threshold: int = ANOMALY_THRESHOLD) -> tuple[str, ...]:
    """§10.2: "excess" when more than `threshold` above the earlier months' average, "negative" below 0."""
    marks = []
    if average is not None and total - average > threshold:
        marks.append(EXCESS)
    if total < 0:
        marks.append(NEGATIVE)
    return tuple(marks)


def month_table_rows(session: Session, month: date) -> list[TableRow]:
    """Every row of the month with its anomaly marks and duplicate group, in the default order: by order number,
    a duplicate group's later rows right after its first."""
    result = session.execute(sa.select(*_READ).where(_T.c.month == month))
    rows = [TableRow(values=dict(zip(_KEYS, values, strict=True))) for values in result.tuples()]
    history = serial_history(session, month, (r.values["serial_number"] for r in rows))
    groups: dict[Any, list[TableRow]] = defaultdict(list)
    for row in rows:
        v = row.values
        row.average = history.get(fold(v["serial_number"]))
        row.anomalies = anomalies_of(int(v["total_prints"] or 0), row.average)
        groups[group_key(v["serial_number"], v["inventory_number"], v["id"])].append(row)
    ordered: list[TableRow] = []
    for members in sorted(groups.values(), key=lambda g: min(_position_key(r) for r in g)):
        members.sort(key=_position_key)
        for position, row in enumerate(members):
            row.group_position, row.group_size = position, len(members)
        ordered.extend(members)
    return ordered


def _position_key(row: TableRow) -> tuple[int, int]:
    return int(row.values["order_number"] or 0), row.id


def _matches(filters: TableFilters) -> Callable[[TableRow], bool]:
    needle = fold(" ".join(filters.search.split()))
    org, city, model = (fold(filters.organization), fold(filters.city), fold(filters.model))

    def keep(row: TableRow) -> bool:
        v = row.values
        if org and fold(v["organization"]) != org:
            return False
        if city and fold(v["city"]) != city:
            return False
        if model and fold(v["equipment_model"]) != model:
            return False
        if needle and needle not in fold(v["serial_number"]) and needle not in fold(v["inventory_number"]):
            return False
        if filters.anomalies and not row.anomalies:
            return False
        if filters.duplicates and row.group_size < 2:
            return False
        if filters.k1_below is not None and not float(v["k1"] or 0) < filters.k1_below:
            return False
        return filters.k2_below is None or float(v["k2"] or 0) < filters.k2_below

    return keep


def sort_rows(rows: list[TableRow], sort: str, descending: bool) -> list[TableRow]:
    """The rows by a whitelisted column (anything else: the default order); ties keep the default order; empty
    texts and missing values last in either direction; texts compared case-folded."""
    if sort not in SORTABLE or sort == DEFAULT_SORT:
        return list(reversed(rows)) if descending else list(rows)
    present: list[TableRow] = []
    missing: list[TableRow] = []
    for row in rows:
        value = row.values[sort]
        (missing if value is None or value == "" else present).append(row)
    if sort in TEXT_FIELDS:

        def key(row: TableRow) -> Any:
            return fold(row.values[sort])

    elif sort == "inventory_last_ok":

        def key(row: TableRow) -> Any:
            value: datetime = row.values[sort]
            return value.replace(tzinfo=None) if value.tzinfo else value

    else:

        def key(row: TableRow) -> Any:
            return float(row.values[sort])

    return sorted(present, key=key, reverse=descending) + missing


def totals_of(rows: Iterable[TableRow]) -> dict[str, float]:
    """Sums of the totalled columns over `rows` (the totals row of what the filters show)."""
    sums = dict.fromkeys(TOTALLED, 0.0)
    for row in rows:
        for name in TOTALLED:
            sums[name] += float(row.values[name] or 0)
    return sums


def filtered_rows(
    session: Session, month: date, *, filters: TableFilters, sort: str = DEFAULT_SORT, descending: bool = False
) -> tuple[list[TableRow], int]:
    """Every row the filters show, in the table's order, and the month's row count."""
    rows = month_table_rows(session, month)
    keep = _matches(filters)
    shown = [row for row in rows if keep(row)]
    return sort_rows(shown, sort, descending), len(rows)


def month_table(
    session: Session,
    month: date,
    *,
    filters: TableFilters,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> TablePage:
    """One page of the month table with the totals of every row the filters show."""
    page_size = allowed_page_size(page_size, 50)
    shown, month_count = filtered_rows(session, month, filters=filters, sort=sort, descending=descending)
    page = clamp_page(page, len(shown), page_size)
    start = (page - 1) * page_size
    return TablePage(
        rows=shown[start : start + page_size],
        total=len(shown),
        page=page,
        page_size=page_size,
        totals=totals_of(shown),
        month_rows=month_count,
    )


def rows_by_ids(session: Session, month: date, ids: Iterable[int]) -> dict[int, TableRow]:
    """The given rows of the month with their marks (a live update re-reads only the changed rows)."""
    wanted = set(ids)
    return {row.id: row for row in month_table_rows(session, month) if row.id in wanted}


def filter_options(session: Session, month: date) -> dict[str, list[str]]:
    """The month's distinct organizations, cities and models (the filter selects), each sorted case-folded."""
    found: dict[str, dict[str, str]] = {"organization": {}, "city": {}, "equipment_model": {}}
    query = sa.select(_T.c.organization, _T.c.city, _T.c.equipment_model).where(_T.c.month == month).distinct()
    for values in session.execute(query):
        for name, value in zip(found, values, strict=True):
            text = (value or "").strip()
            if text:
                found[name].setdefault(fold(text), text)
    return {name: [texts[k] for k in sorted(texts)] for name, texts in found.items()}


def export_shown_bytes(
    session: Session, month: date, *, filters: TableFilters, sort: str, descending: bool, english: bool = False
) -> tuple[bytes, int]:
    """The month workbook of every row the filters show (all pages), in the table's order: bytes and row count."""
    rows, _count = filtered_rows(session, month, filters=filters, sort=sort, descending=descending)
    buffer = io.BytesIO()
    count = write_month_workbook((row.values for row in rows), month, buffer, english=english)
    return buffer.getvalue(), count
