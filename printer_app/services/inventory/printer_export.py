"""`printers.xlsx` of the printers list (docs/inventory-and-polling.md §7.1): exactly the printers the list's filters
show, sorted by IP, one sheet "Printers" with a bold frozen header.

Columns (Russian headers of the file contract; English with the language switch): organization, IP, serial, MAC,
manufacturer, model (the catalogue's, else the printer's own model text), the counters of the last successful
poll (numbers), its supply levels (a percentage as a number; a special state as a word, never 0), the match rule,
location, the time of the last successful poll (a real date-time in the user's time zone), the status of the latest
poll of any outcome and its error (first 100 characters, only when it failed). Words in the cells are in the
headers' language.

Written with openpyxl's write-only mode from a streamed query, so memory stays flat for any fleet. A text a
spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is written as a string, never evaluated.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from datetime import datetime, tzinfo
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session

from printer_app.i18n import N_, gettext, use_language
from printer_app.models import DeviceModel, Manufacturer, Organization, PageCounter, Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.inventory.printer_list import PrinterFilters, filtered_select

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "printers.xlsx"
SHEET = "Printers"
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "DD.MM.YYYY HH:MM"
ERROR_CHARS = 100
COUNTERS = ("bw_a4", "color_a4", "bw_a3", "color_a3", "total_pages")
SUPPLIES = (
    "toner_black",
    "toner_cyan",
    "toner_magenta",
    "toner_yellow",
    "drum_black",
    "drum_cyan",
    "drum_magenta",
    "drum_yellow",
    "fuser_kit",
    "transfer_kit",
    "waste_toner",
)
# (field, Russian header of the file contract, English header)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("organization", "Организация", "Organization"),
    ("ip_address", "IP-адрес", "IP address"),
    ("serial_number", "Серийный №", "Serial number"),
    ("mac_address", "MAC-адрес", "MAC address"),
    ("manufacturer", "Производитель", "Manufacturer"),
    ("model", "Модель", "Model"),
    ("bw_a4", "ЧБ A4", "B/W A4"),
    ("color_a4", "Цвет A4", "Colour A4"),
    ("bw_a3", "ЧБ A3", "B/W A3"),
    ("color_a3", "Цвет A3", "Colour A3"),
    ("total_pages", "Всего", "Total"),
    ("toner_black", "Тонер K", "Toner K"),
    ("toner_cyan", "Тонер C", "Toner C"),
    ("toner_magenta", "Тонер M", "Toner M"),
    ("toner_yellow", "Тонер Y", "Toner Y"),
    ("drum_black", "Барабан K", "Drum K"),
    ("drum_cyan", "Барабан C", "Drum C"),
    ("drum_magenta", "Барабан M", "Drum M"),
    ("drum_yellow", "Барабан Y", "Drum Y"),
    ("fuser_kit", "Fuser Kit", "Fuser Kit"),
    ("transfer_kit", "Transfer Kit", "Transfer Kit"),
    ("waste_toner", "Waste Toner", "Waste Toner"),
    ("match_rule", "Правило", "Match rule"),
    ("last_success_at", "Дата последнего опроса", "Last successful poll"),
    ("status", "Статус последнего опроса", "Last poll status"),
    ("last_error", "Последняя ошибка", "Last error"),
    ("location", "Местоположение", "Location"),
)
WIDTHS = {"organization": 30, "ip_address": 16, "serial_number": 20, "mac_address": 19, "model": 28, "location": 24}
WIDTHS |= {"manufacturer": 16, "last_success_at": 18, "status": 22, "last_error": 40, "match_rule": 16}
# The match rule as the file contract words it in Russian; English uses the app's labels.
RULES_RU = {"SN_MAC": "Серийник+MAC", "MAC_ONLY": "Только MAC", "SN_ONLY": "Только серийник"}
SUPPLY_WORDS = {
    "some_remaining": N_("Some left"),
    "unknown": N_("Unknown"),
    "other": N_("Other"),
    "ok": N_("OK"),
    "low": N_("Low"),
    "empty": N_("Empty"),
    "error": N_("Error"),
    "OK": N_("OK"),
    "WARNING": N_("Warning"),
}
FAILED = {TaskStatus.FAILED.value, TaskStatus.VALIDATION_ERROR.value, TaskStatus.HISTORICAL_INCONSISTENCY.value}


def headers(*, english: bool) -> list[str]:
    return [en if english else ru for _field, ru, en in COLUMNS]


def _rows(session: Session, filters: PrinterFilters) -> Iterator[Mapping[str, Any]]:
    """The filtered printers with their catalogue names and last successful counters, by IP, streamed."""
    shown = filtered_select(filters).subquery()
    query = (
        sa.select(
            Organization.name.label("organization"),
            Printer.ip_address,
            Printer.serial_number,
            Printer.mac_address,
            Manufacturer.name.label("manufacturer"),
            sa.func.coalesce(DeviceModel.name, Printer.model).label("model"),
            *(getattr(PageCounter, name) for name in (*COUNTERS, *SUPPLIES)),
            Printer.last_match_rule.label("match_rule"),
            Printer.last_success_at,
            Printer.last_poll_status.label("status"),
            Printer.last_error,
            Printer.location,
        )
        .select_from(Printer)
        .join(shown, shown.c.id == Printer.id)
        .outerjoin(Organization, Organization.id == Printer.organization_id)
        .outerjoin(DeviceModel, DeviceModel.id == Printer.device_model_id)
        .outerjoin(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id)
        .outerjoin(PageCounter, PageCounter.id == Printer.last_counter_id)
        .order_by(Printer.ip_numeric.asc().nulls_last(), Printer.ip_address, Printer.id)
    )
    yield from session.execute(query.execution_options(yield_per=1000)).mappings()


def _text(sheet, value: str) -> Any:
    if not value:
        return None
    if value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # shown as text, never evaluated
        return cell
    return value


def _supply(value: str | None) -> Any:
    """A stored supply summary: "75" -> 75; a state word -> the word in the current language."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    return gettext(SUPPLY_WORDS[value]) if value in SUPPLY_WORDS else value


def _rule(value: str | None, english: bool) -> str:
    if not value or value == MatchRule.NONE.value:
        return "—"
    if english:
        return MatchRule(value).text if value in MatchRule._value2member_map_ else value
    return RULES_RU.get(value, value)


def _status(value: str | None) -> str:
    status = value or TaskStatus.NEVER_RUN.value
    return TaskStatus(status).text if status in TaskStatus._value2member_map_ else status


def _line(sheet, row: Mapping[str, Any], tz: tzinfo, english: bool) -> list[Any]:
    values: list[Any] = []
    for field, _ru, _en in COLUMNS:
        value = row[field]
        if field in COUNTERS:
            values.append(value)
        elif field in SUPPLIES:
            values.append(_supply(value))
        elif field == "match_rule":
            values.append(_rule(value, english))
        elif field == "status":
            values.append(_status(value))
        elif field == "last_error":
            values.append(_text(sheet, (value or "")[:ERROR_CHARS]) if row["status"] in FAILED else None)
        elif field == "last_success_at":
            values.append(_moment(sheet, value, tz))
        else:
            values.append(_text(sheet, value or ""))
    return values


def _moment(sheet, value: datetime | None, tz: tzinfo) -> Any:
    """A real date-time cell in the user's time zone (Excel has no zones: the local wall time)."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value.astimezone(tz).replace(tzinfo=None))
    cell.number_format = DATE_FORMAT
    return cell


def export_printers(
    session: Session, out: IO[bytes], *, filters: PrinterFilters, tz: tzinfo, english: bool = False
) -> int:
    """Write the workbook of the printers `filters` select to `out`; returns how many printers it holds. The words
    in the cells (statuses, supply states) are in the headers' language, whatever the page's."""
    with use_language("en" if english else "ru"):
        return _write(session, out, filters=filters, tz=tz, english=english)


def _write(session: Session, out: IO[bytes], *, filters: PrinterFilters, tz: tzinfo, english: bool) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    for index, (field, _ru, _en) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(field, 12)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in headers(english=english):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.data_type = bold, "s"
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(session, filters):
        sheet.append(_line(sheet, row, tz, english))
        count += 1
    workbook.save(out)
    return count


def export_printers_bytes(session: Session, **options: Any) -> tuple[bytes, int]:
    """`export_printers` into memory (the page's download): the file's bytes and the printer count."""
    buffer = io.BytesIO()
    count = export_printers(session, buffer, **options)
    return buffer.getvalue(), count
