"""Filling a customer's report template with the fleet's counters, the "AMB report" (docs/inventory-and-polling.md
§7.2, issue #18).

Contract:
- The upload is checked like every workbook (size, encryption, damage, zip bomb: services/contracts/workbook.py),
  at most MAX_BYTES; the ACTIVE sheet is filled and everything else in the file (other sheets, styles, merged title
  rows, formulas) is kept.
- Header row: the first of rows 1-10 holding a cell equal (trimmed, any case, ё = е) to "серийный номер
  оборудования". Columns by lower-case substrings of their header (whitespace collapsed, a Latin a in "a4"/"a3"
  read as the Cyrillic one): the serial; A4 b/w end = "ч/б" + "конец периода" + "а4"; A4 colour end = "цветные" +
  "конец периода" + "а4"; A3 likewise with "а3". A missing one refuses the file: "Колонка для '<key>' не найдена."
  (in the user's language), nothing else.
- Each data row with a serial: the printer of that serial (trimmed, any case) with a successful poll, an active
  one before an inactive one, the newest poll first; its b/w and colour A4/A3 counters (missing -> 0) go into the
  four columns as numbers and the poll's time (a real date-time in the user's time zone) into a new last column
  "Дата опроса". Rows without such a printer are left as they are and listed.
- The summary says how many rows were filled and lists the serials not found, found without a successful poll,
  and found only on an inactive printer (filled from it).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from sqlmodel import Session

from printer_app.db import unicode_lower
from printer_app.i18n import gettext
from printer_app.models import PageCounter, Printer
from printer_app.services.contracts.workbook import WorkbookRefused, check_archive
from printer_app.services.serials import BLANKS, serial_key

MAX_BYTES = 10 * 1024 * 1024
FILENAME = "amb_report.xlsx"
HEADER_ROWS = 10
SERIAL_HEADER = "серийный номер оборудования"
DATE_HEADER = "Дата опроса"
DATE_FORMAT = "DD.MM.YYYY HH:MM"
# key (named in the refusal) -> the substrings its header must contain; the counter it receives
COLUMNS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "серийный номер": (("серийный номер",), None),
    "А4 ч/б конец периода": (("ч/б", "конец периода", "а4"), "bw_a4"),
    "А4 цветные конец периода": (("цветные", "конец периода", "а4"), "color_a4"),
    "А3 ч/б конец периода": (("ч/б", "конец периода", "а3"), "bw_a3"),
    "А3 цветные конец периода": (("цветные", "конец периода", "а3"), "color_a3"),
}
LISTED = 200  # serials listed per kind in the summary
# A stored serial as `serial_key` folds a typed one: trimmed, lower case in every alphabet (SQLite's lower() is ASCII)
_FOLDED = unicode_lower(sa.func.trim(Printer.serial_number, BLANKS))


@dataclass
class AmbSummary:
    rows_filled: int = 0
    rows_without_serial: int = 0
    not_found: list[str] = field(default_factory=list)
    without_poll: list[str] = field(default_factory=list)
    inactive_only: list[str] = field(default_factory=list)
    header_row: int = 0
    sheet: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _norm(value: Any) -> str:
    text = " ".join(str(value if value is not None else "").split()).lower().replace("ё", "е")
    return text.replace("a4", "а4").replace("a3", "а3")  # Latin a typed for the Cyrillic one


def _find_header(sheet) -> int:
    for number, values in enumerate(sheet.iter_rows(max_row=HEADER_ROWS, values_only=True), start=1):
        if any(_norm(v) == SERIAL_HEADER for v in values):
            return number
    raise WorkbookRefused(gettext("Column for '{key}' not found.", key=SERIAL_HEADER))


def _find_columns(sheet, header: int) -> dict[str, int]:
    """{key: column number} of the five columns; the serial column is the one equal to SERIAL_HEADER."""
    texts = {cell.column: _norm(cell.value) for cell in sheet[header] if cell.value is not None}
    found: dict[str, int] = {}
    for key, (parts, _counter) in COLUMNS.items():
        if _counter is None:
            column = next((c for c, t in texts.items() if t == SERIAL_HEADER), None)
        else:
            column = next((c for c, t in texts.items() if all(p in t for p in parts)), None)
        if column is None:
            raise WorkbookRefused(gettext("Column for '{key}' not found.", key=key))
        found[key] = column
    return found


def _latest_counters(session: Session, serials: Iterable[str]) -> dict[str, tuple[PageCounter, bool]]:
    """{folded serial: (the newest successful counters, whether its printer is active)}, active printers first."""
    wanted = sorted({s for s in serials if s})
    best: dict[str, tuple[PageCounter, bool]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            sa.select(_FOLDED, Printer.is_active, PageCounter)
            .join(PageCounter, PageCounter.id == Printer.last_counter_id)
            .where(_FOLDED.in_(chunk))
            .order_by(Printer.is_active.desc(), PageCounter.recorded_at.desc(), Printer.id.desc())
        ).all()
        for serial, active, counter in rows:
            best.setdefault(serial, (counter, bool(active)))
    return best


def _known_serials(session: Session, serials: Iterable[str]) -> set[str]:
    wanted = sorted({s for s in serials if s})
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        known.update(session.scalars(sa.select(_FOLDED).where(_FOLDED.in_(wanted[start : start + 500]))).all())
    return known


def fill_template(session: Session, data: bytes, *, tz: tzinfo) -> tuple[bytes, AmbSummary]:
    """The filled workbook's bytes and what was done; WorkbookRefused (with the message) for a file refused."""
    check_archive(data, max_bytes=MAX_BYTES)
    try:
        book = load_workbook(io.BytesIO(data), keep_links=False)
    except Exception:  # openpyxl raises KeyError, ValueError, ParseError, ... for broken parts
        raise WorkbookRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None
    sheet = book.active
    header = _find_header(sheet)
    columns = _find_columns(sheet, header)
    serial_column = columns["серийный номер"]
    date_column = _date_column(sheet, header)
    summary = AmbSummary(header_row=header, sheet=sheet.title)
    rows = []
    for number in range(header + 1, sheet.max_row + 1):
        raw = sheet.cell(row=number, column=serial_column).value
        serial = str(raw).strip(BLANKS) if raw is not None else ""
        if not serial:
            summary.rows_without_serial += 1
            continue
        rows.append((number, serial))
    found = _latest_counters(session, (serial_key(s) for _n, s in rows))
    known = _known_serials(session, (serial_key(s) for _n, s in rows if serial_key(s) not in found))
    for number, serial in rows:
        hit = found.get(serial_key(serial))
        if hit is None:
            target = summary.without_poll if serial_key(serial) in known else summary.not_found
            _listed(target, serial)
            continue
        counter, active = hit
        for key, (_parts, name) in COLUMNS.items():
            if name is not None:
                _put(sheet, number, columns[key], int(getattr(counter, name) or 0))
        _put(sheet, number, date_column, counter.recorded_at.astimezone(tz).replace(tzinfo=None), DATE_FORMAT)
        summary.rows_filled += 1
        if not active:
            _listed(summary.inactive_only, serial)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), summary


def _date_column(sheet, header: int) -> int:
    """The "Дата опроса" column: the one a previous fill added, else a new column after the header's last one."""
    for cell in sheet[header]:
        if _norm(cell.value) == _norm(DATE_HEADER):
            return cell.column
    used = [cell.column for cell in sheet[header] if cell.value not in (None, "")]
    column = max(used) + 1  # right after the header's last column (a merged title row may reach further)
    sheet.cell(row=header, column=column, value=DATE_HEADER)
    return column


def _put(sheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """Write a cell unless it lies inside a merged range (only the range's first cell holds a value)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        return
    cell.value = value
    if number_format:
        cell.number_format = number_format


def _listed(target: list[str], serial: str) -> None:
    if len(target) < LISTED and serial not in target:
        target.append(serial)
