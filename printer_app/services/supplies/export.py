"""`supplies.xlsx`: the supplies the page's filters show (sheet "Supplies", in the page's order) and what to order
within the page's horizon (sheet "What to order"), headers and words in the user's language.

openpyxl write-only from a streamed query, as `printers.xlsx`: memory stays flat for any fleet; text a spreadsheet
would take for a formula (`=`, `+`, `-`, `@`) is written as a string, never evaluated; numbers are numbers and the
last reading a real date-time in the app's time zone.
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session

from printer_app.i18n import N_, gettext, use_language
from printer_app.models.choices import SupplyColor, SupplyKind, SupplyState
from printer_app.services.supplies.fleet import ROW_COLUMNS, SupplyFilters, apply_filters, base_select, ordered
from printer_app.services.supplies.fleet import supply_row as to_row
from printer_app.services.supplies.ordering import what_to_order

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "supplies.xlsx"
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "DD.MM.YYYY HH:MM"
SUPPLY_HEADERS = (
    (N_("Organization"), 28),
    (N_("IP address"), 16),
    (N_("Serial number"), 18),
    (N_("Model"), 26),
    (N_("Supply"), 14),
    (N_("Colour"), 10),
    (N_("Description"), 26),
    (N_("Level, %"), 9),
    (N_("Days to empty"), 10),
    (N_("Days, at least"), 10),
    (N_("Days, at most"), 10),
    (N_("Pages to empty"), 10),
    (N_("Pages, last cartridge"), 12),
    (N_("Pages, average cartridge"), 12),
    (N_("Replacements"), 10),
    (N_("Part number"), 16),
    (N_("Cartridge"), 24),
    (N_("Forecast"), 18),
    (N_("Last reading"), 17),
)
ORDER_HEADERS = (
    (N_("Organization"), 28),
    (N_("Part number"), 16),
    (N_("Cartridge"), 26),
    (N_("Model"), 26),
    (N_("Supply"), 14),
    (N_("Colour"), 10),
    (N_("Cartridges to order"), 12),
    (N_("Printers"), 10),
    (N_("Soonest, days"), 10),
)
FORECAST_WORDS = {
    "ok": N_("Forecast"),
    "not_enough_data": N_("Not enough data"),
    "empty": N_("Empty"),
    "no_level": N_("No level reported"),
}


def _label(choice, value: str) -> str:
    try:
        return gettext(choice(value).label) if value else ""
    except ValueError:
        return value


def _text(sheet, value: str) -> Any:
    if not value:
        return None
    if value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # shown as text, never evaluated
        return cell
    return value


def _moment(sheet, value: datetime | None, tz: tzinfo) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value.astimezone(tz).replace(tzinfo=None))
    cell.number_format = DATE_FORMAT
    return cell


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _sheet(workbook: Workbook, title: str, headers: tuple[tuple[str, int], ...]):
    sheet = workbook.create_sheet(title)
    for index, (_title, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    row = []
    for title_text, _width in headers:
        cell = WriteOnlyCell(sheet, value=gettext(title_text))
        cell.font, cell.data_type = bold, "s"
        row.append(cell)
    sheet.append(row)
    return sheet


def _supplies(session: Session, sheet, filters: SupplyFilters, sort: str, descending: bool, tz: tzinfo) -> int:
    query = ordered(apply_filters(base_select(*ROW_COLUMNS), filters), sort, descending)
    count = 0
    for values in session.execute(query.execution_options(yield_per=1000)):
        r = to_row(*values)
        level: Any = r.level_percent if r.level_percent is not None else _label(SupplyState, r.state)
        sheet.append(
            [
                _text(sheet, r.organization),
                _text(sheet, r.ip_address),
                _text(sheet, r.serial_number),
                _text(sheet, r.model),
                _label(SupplyKind, r.kind),
                _label(SupplyColor, r.color),
                _text(sheet, r.description),
                level,
                _days(r.days_to_empty),
                _days(r.days_low),
                _days(r.days_high),
                r.pages_to_empty,
                r.last_pages,
                r.avg_pages,
                r.replacements,
                _text(sheet, r.part_number),
                _text(sheet, r.cartridge),
                gettext(FORECAST_WORDS.get(r.forecast_status, r.forecast_status)),
                _moment(sheet, r.last_seen_at, tz),
            ]
        )
        count += 1
    return count


def export_supplies(
    session: Session,
    *,
    filters: SupplyFilters,
    sort: str = "days",
    descending: bool = False,
    days: int,
    tz: tzinfo,
    lang: str = "en",
) -> tuple[bytes, int]:
    """The workbook's bytes and how many supplies its first sheet holds."""
    with use_language(lang):
        workbook = Workbook(write_only=True)
        count = _supplies(session, _sheet(workbook, gettext("Supplies"), SUPPLY_HEADERS), filters, sort, descending, tz)
        sheet = _sheet(workbook, gettext("What to order"), ORDER_HEADERS)
        for line in what_to_order(session, filters=filters, days=days):
            sheet.append(
                [
                    _text(sheet, line.organization),
                    _text(sheet, line.part_number),
                    _text(sheet, line.cartridge),
                    _text(sheet, line.model),
                    _label(SupplyKind, line.kind),
                    _label(SupplyColor, line.color),
                    line.count,
                    line.printers,
                    _days(line.soonest_days),
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue(), count
