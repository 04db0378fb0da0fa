"""Reading a contracts workbook (DOMAIN 8.3): the codes, cell normalisation, service months, the header in row 1
and the validation of one row. No database access but the reference data handed in (`import_lookups.Lookups`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from printer_app.i18n import N_, gettext
from printer_app.models.choices import ImportRowClass
from printer_app.services.contracts.columns import ALIAS_TO_KEY, COLUMNS, header_of, normalise_header
from printer_app.services.contracts.import_lookups import Lookups, name_key
from printer_app.services.contracts.workbook import WorkbookRefused, iter_rows, open_workbook

MAX_ROWS = 50_000  # data rows of one file: the analysis keeps a file's rows in memory
VALUE_KEYS = tuple(c.key for c in COLUMNS if c.key != "rownum")  # the keys a row's values hold
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)
IGNORED = "_ignored"  # ContractImportFile.headers: the header cells no alias matched

# Error and warning codes (DOMAIN 8.3)
NO_SERIAL = "NO_SERIAL"
TOO_LONG = "TOO_LONG"
NO_ORGANIZATION = "NO_ORGANIZATION"
UNKNOWN_ORGANIZATION = "UNKNOWN_ORGANIZATION"
NO_MANUFACTURER = "NO_MANUFACTURER"
UNKNOWN_MANUFACTURER = "UNKNOWN_MANUFACTURER"
NO_MODEL = "NO_MODEL"
UNKNOWN_MODEL = "UNKNOWN_MODEL"
NO_CITY = "NO_CITY"
NO_ADDRESS = "NO_ADDRESS"
ERROR_CODES = (
    NO_SERIAL,
    TOO_LONG,
    NO_ORGANIZATION,
    UNKNOWN_ORGANIZATION,
    NO_MANUFACTURER,
    UNKNOWN_MANUFACTURER,
    NO_MODEL,
    UNKNOWN_MODEL,
    NO_CITY,
    NO_ADDRESS,
)
NEW_CITY = "NEW_CITY"
BAD_SERVICE_MONTH = "BAD_SERVICE_MONTH"
WILL_LINK_PRINTER = "WILL_LINK_PRINTER"
WARNING_CODES = (NEW_CITY, BAD_SERVICE_MONTH, WILL_LINK_PRINTER)
MAX_LENGTHS = {"serial": 128, "address": 255, "room": 128, "city": 128}
CODE_TEXTS = {  # each code in words, for the preview (translate where shown: gettext(CODE_TEXTS[code]))
    NO_SERIAL: N_("No serial number"),
    TOO_LONG: N_("A value is too long (serial or room over 128 characters, address over 255, city over 128)"),
    NO_ORGANIZATION: N_("No organization"),
    UNKNOWN_ORGANIZATION: N_("Unknown organization"),
    NO_MANUFACTURER: N_("No manufacturer"),
    UNKNOWN_MANUFACTURER: N_("Unknown manufacturer"),
    NO_MODEL: N_("No model"),
    UNKNOWN_MODEL: N_("This manufacturer has no such model"),
    NO_CITY: N_("No city"),
    NO_ADDRESS: N_("No address"),
    NEW_CITY: N_("New city: created on apply once confirmed"),
    BAD_SERVICE_MONTH: N_("Service month not understood (MM.YYYY expected); the stored one is kept"),
    WILL_LINK_PRINTER: N_("Will be linked to the polled printer with this serial"),
}

CLASSES = tuple(c.value for c in ImportRowClass)


class ImportRefused(Exception):
    """The import cannot go on; the message says why, for the user. Nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------------------------
# Cells


def cell_text(value: Any) -> str:
    """A cell as normalised text: trimmed, inner whitespace collapsed, integral numbers without ".0", dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return " ".join(str(value).split())


_MONTH_PATTERNS = (
    (re.compile(r"^(\d{1,2})[./](\d{4})$"), "my"),  # MM.YYYY, MM/YYYY
    (re.compile(r"^(\d{4})[-./](\d{1,2})$"), "ym"),  # YYYY-MM
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), "ymd"),  # YYYY-MM-DD, ISO date-time
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), "dmy"),  # DD.MM.YYYY
)


def parse_service_month(value: Any) -> date | None:
    """The first day of the month a cell names (MM.YYYY, MM/YYYY, YYYY-MM, YYYY-MM-DD, ISO, date cell), or None."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    # 03.2024 typed into a number cell is the float 3.2024: four decimals give the month and the year back
    text = f"{value:.4f}" if isinstance(value, float) and not value.is_integer() else cell_text(value)
    if not text:
        return None
    for pattern, order in _MONTH_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = [int(g) for g in match.groups()]
        if order == "my":
            month, year = parts
        elif order == "dmy":
            month, year = parts[1], parts[2]
        else:
            year, month = parts[0], parts[1]
        if 1 <= month <= 12 and 1900 <= year <= 2200:
            return date(year, month, 1)
        return None
    return None


def month_text(month: date | None) -> str:
    """A service month as the import and the pages show it: MM.YYYY."""
    return f"{month.month:02d}.{month.year}" if month else ""


@dataclass
class _Sheet:
    headers: dict[str, Any]
    columns: dict[str, int]  # key -> 0-based column index
    rows: list[tuple[int, dict[str, str], Any]]  # (row number, values, the raw service month cell)


def read_sheet(data: bytes) -> _Sheet:
    """The first sheet's header (row 1) and its non-empty rows as normalised text; WorkbookRefused/ImportRefused."""
    workbook = open_workbook(data)
    try:
        return _read_first_sheet(workbook)
    except (ImportRefused, WorkbookRefused):
        raise
    except Exception:  # a part openpyxl cannot parse once it reads the cells (broken XML, a bad deflate stream)
        raise WorkbookRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None
    finally:
        workbook.close()


def _read_first_sheet(workbook) -> _Sheet:
    if not workbook.worksheets:
        raise ImportRefused(gettext("The workbook has no sheet."))
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some writers store a wrong size; read what is there
    rows = iter_rows(sheet)
    first = next(rows, None)
    header_cells = first[1] if first else ()
    columns: dict[str, int] = {}
    headers: dict[str, Any] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header_cells):
        text = cell_text(cell)
        if not text:
            continue
        key = ALIAS_TO_KEY.get(normalise_header(text))
        if key is None or key in columns:
            ignored.append(text)
            continue
        columns[key] = index
        headers[key] = text
    missing = [key for key in REQUIRED_KEYS if key not in columns]
    if missing:
        names = ", ".join(f"«{header_of(key)}»" for key in missing)
        if not columns:
            raise ImportRefused(
                gettext(
                    "No known column headers in row 1 of the first sheet: the header must be the first row "
                    "(expected columns such as {names}).",
                    names=names,
                )
            )
        raise ImportRefused(
            gettext(
                "Required columns are missing in row 1 of the first sheet: {names}. The header must be the first row.",
                names=names,
            )
        )
    headers[IGNORED] = ignored
    read: list[tuple[int, dict[str, str], Any]] = []
    month_index = columns.get("service_month")
    for number, cells in rows:
        values = {}
        for key in VALUE_KEYS:
            index = columns.get(key)
            values[key] = cell_text(cells[index]) if index is not None and index < len(cells) else ""
        if not any(values.values()):
            continue  # a fully empty row (a row number alone counts as empty)
        raw_month = cells[month_index] if month_index is not None and month_index < len(cells) else None
        read.append((number, values, raw_month))
        if len(read) > MAX_ROWS:
            raise ImportRefused(
                gettext("The sheet has more than {limit} rows; split it into several files.", limit=MAX_ROWS)
            )
    return _Sheet(headers=headers, columns=columns, rows=read)


def validate_row(values: dict[str, str], raw_month: Any, lookups: Lookups) -> tuple[list[str], list[str], int | None]:
    """Errors, warnings and the organization id of one row (its service month normalised in place)."""
    errors: list[str] = []
    warnings: list[str] = []
    if not values["serial"]:
        errors.append(NO_SERIAL)
    if any(len(values[key]) > limit for key, limit in MAX_LENGTHS.items()):
        errors.append(TOO_LONG)
    org_id = None
    if not values["organization"]:
        errors.append(NO_ORGANIZATION)
    else:
        org_id = lookups.orgs.get(name_key(values["organization"]))
        if org_id is None:
            errors.append(UNKNOWN_ORGANIZATION)
    manufacturer_id = None
    if not values["manufacturer"]:
        errors.append(NO_MANUFACTURER)
    else:
        manufacturer_id = lookups.manufacturers.get(name_key(values["manufacturer"]))
        if manufacturer_id is None:
            errors.append(UNKNOWN_MANUFACTURER)
    if not values["model"]:
        errors.append(NO_MODEL)
    elif manufacturer_id is not None and (manufacturer_id, name_key(values["model"])) not in lookups.models:
        errors.append(UNKNOWN_MODEL)
    if not values["city"]:
        errors.append(NO_CITY)
    elif name_key(values["city"]) not in lookups.cities:
        warnings.append(NEW_CITY)
    if not values["address"]:
        errors.append(NO_ADDRESS)
    if values["service_month"]:
        month = parse_service_month(raw_month if raw_month is not None else values["service_month"])
        if month is None:
            warnings.append(BAD_SERVICE_MONTH)
        else:
            values["service_month"] = month_text(month)
    return errors, warnings, org_id
