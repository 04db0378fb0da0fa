"""`contracts.xlsx`: exactly the devices the list's filters show, in its order, as the import reads them back.

The import's columns come first (headers from `columns.py`: Russian by default, English with the switch), then
columns the import ignores (status, service provider, the linked printer's IP). Written in openpyxl's write-only
mode, streamed from the list's own query: memory stays flat whatever the number of devices. A text that a
spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is written as a plain string cell, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from operator import attrgetter
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from printer_app.services.contracts.columns import COLUMNS, header_of
from printer_app.services.contracts.device_list import DEFAULT_SORT, DeviceFilters, DeviceRow, iter_devices

FILENAME = "contracts.xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Contracts"
MONTH_FORMAT = "MM.YYYY"
FORMULA_STARTS = ("=", "+", "-", "@")
# Columns after the import's own ones: (English header, Russian header); the import ignores them.
EXTRA = (
    ("status", "Status", "Статус"),
    ("provider", "Service provider", "Сервисная организация"),
    ("printer_ip", "Printer IP", "IP принтера"),
)
WIDTHS = {
    "organization": 34,
    "city": 18,
    "address": 40,
    "room": 12,
    "manufacturer": 16,
    "model": 24,
    "serial": 22,
    "service_month": 14,
    "comment": 40,
    "status": 18,
    "provider": 22,
    "printer_ip": 16,
}


def _keys() -> list[str]:
    return [column.key for column in COLUMNS if column.exported]


def headers(*, english: bool = False) -> list[str]:
    """The header row: the import's columns, then the extra ones."""
    extra = [en if english else ru for _key, en, ru in EXTRA]
    return [header_of(key, english=english) for key in _keys()] + extra


def _plain(value: Any) -> bool:
    """Text openpyxl writes as it is: not empty, not a date, not taken for a formula (the common case, kept fast)."""
    return value.__class__ is str and value != "" and not value.startswith(FORMULA_STARTS)


def _cell(sheet: Worksheet, value: Any) -> WriteOnlyCell | Any:
    """A cell of the sheet: a month as a real date with the `MM.YYYY` format; formula-like text as a string."""
    if not value:
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONTH_FORMAT
        return cell
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would write "=..." as a formula; a string cell is shown, never evaluated
        return cell
    return value


def write_workbook(rows: Iterable[DeviceRow], out: IO[bytes], *, english: bool = False) -> int:
    """Write the workbook of `rows` to `out`; returns how many devices it holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    keys = [*_keys(), *(key for key, _en, _ru in EXTRA)]
    for index, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 16)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in headers(english=english):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cell.data_type = "s"
        header_cells.append(cell)
    sheet.append(header_cells)
    values = attrgetter(*keys)  # every column key is the name of a DeviceRow field
    count = 0
    for row in rows:
        sheet.append([value if _plain(value) else _cell(sheet, value) for value in values(row)])
        count += 1
    workbook.save(out)
    return count


def export_devices(
    session: Session,
    out: IO[bytes],
    *,
    filters: DeviceFilters | None = None,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    english: bool = False,
) -> int:
    """The export of what the list shows with these filters and this order; returns the number of devices."""
    rows = iter_devices(session, filters=filters or DeviceFilters(), sort=sort, descending=descending)
    return write_workbook(rows, out, english=english)


def export_bytes(session: Session, **options: Any) -> tuple[bytes, int]:
    """`export_devices` into memory (the page's download): the file's bytes and the number of devices."""
    buffer = io.BytesIO()
    count = export_devices(session, buffer, **options)
    return buffer.getvalue(), count
