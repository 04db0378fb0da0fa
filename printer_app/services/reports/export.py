"""`monthly_report_YYYY-MM.xlsx` (docs/reports.md §10.4): one sheet named `YYYY-MM`, the header row frozen and bold,
the exact Russian headers of the file contract (English with the switch; the upload accepts both), numbers as
numbers, K1 / K2 rounded to 2 decimals, rows ordered by order number, organization, city, model, serial. Written in
openpyxl's write-only mode from a streamed query, so memory stays flat. A text that a spreadsheet would take for a
formula (`=`, `+`, `-`, `@`) is written as a string cell, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session

from printer_app.models import MonthlyReport
from printer_app.services.reports.columns import COLUMNS, header_of
from printer_app.services.reports.months import month_key

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
FIELDS: tuple[str, ...] = tuple(column.field for column in COLUMNS)
ROUNDED = {"k1", "k2"}
WIDTHS = {"organization": 30, "branch": 20, "city": 16, "address": 36, "equipment_model": 28, "serial_number": 20}
_T = MonthlyReport.__table__
ORDER = (_T.c.order_number, _T.c.organization, _T.c.city, _T.c.equipment_model, _T.c.serial_number, _T.c.id)


def export_filename(month: date) -> str:
    return f"monthly_report_{month_key(month)}.xlsx"


def headers(*, english: bool = False) -> list[str]:
    return [header_of(name, english=english) for name in FIELDS]


def _value(sheet, name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ROUNDED:
        return round(float(value), 2)
    if isinstance(value, str):
        if not value:
            return None
        if value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # shown as text, never evaluated
            return cell
    return value


def write_month_workbook(
    rows: Iterable[Mapping[str, Any]], month: date, out: IO[bytes], *, english: bool = False
) -> int:
    """Write `rows` (mappings holding every field of `FIELDS`) as the month's workbook; returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(month_key(month))
    for index, name in enumerate(FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in headers(english=english):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cell.data_type = "s"
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_value(sheet, name, row[name]) for name in FIELDS])
        count += 1
    workbook.save(out)
    return count


def month_rows(session: Session, month: date, *, row_ids: Collection[int] | None = None) -> Iterator[Mapping[str, Any]]:
    """The month's rows in the export's order (only `row_ids` when given), streamed."""
    query = sa.select(*(_T.c[name] for name in FIELDS)).where(_T.c.month == month).order_by(*ORDER)
    if row_ids is not None:
        query = query.where(_T.c.id.in_(list(row_ids)))
    # the option on the statement, not on the connection: Connection.execution_options() changes the session's
    # connection in place, and every later statement of the transaction would run in a server-side cursor
    result = session.execute(query.execution_options(yield_per=1000))
    yield from result.mappings()


def export_month(
    session: Session, month: date, out: IO[bytes], *, row_ids: Collection[int] | None = None, english: bool = False
) -> int:
    """The month's workbook (or only the rows `row_ids`) written to `out`; returns the row count."""
    return write_month_workbook(month_rows(session, month, row_ids=row_ids), month, out, english=english)


def export_month_bytes(session: Session, month: date, **options: Any) -> tuple[bytes, int]:
    """`export_month` into memory (a page's download): the file's bytes and the row count."""
    buffer = io.BytesIO()
    count = export_month(session, month, buffer, **options)
    return buffer.getvalue(), count
