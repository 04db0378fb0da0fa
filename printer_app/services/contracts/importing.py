"""The two-phase import of contract devices (DOMAIN 8.3): read and analyse workbooks, decide, then apply.

Phase 1 (`add_workbook`): the first sheet of each uploaded workbook is read (header in row 1, aliases of
`columns.py`), its cells normalised, every row validated and classified (ERROR / NEW / MATCH / MOVED /
DUP_IN_FILE), and stored as `ContractImportRow`s of the user's open `ContractImportSession`. Nothing else changes.
The user then decides per row or per class (`set_decision`, `set_class_decision`) and chooses the session's
options (`set_options`: target status, service provider, whether unknown cities may be created).

Phase 2 (`apply_session`): the rows to apply (not ERROR, not skipped; MOVED and DUP_IN_FILE only when decided
"apply") create or update contract devices in chunks of 200, each chunk one transaction; a chunk that fails in
the database is retried row by row so one bad row costs only itself. Every applied row is written to the change
log. Applying an applied session is refused; the same file imported again gives MATCH rows that change nothing.

Row values are kept as normalised text keyed by column key, so the preview shows what the file says and
`stored_values` gives a stored device's values in the same form for the side-by-side comparison.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import bindparam, delete, func, insert, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from printer_app.i18n import N_, gettext
from printer_app.models import EntityChangeLog, Organization, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import ImportDecision, ImportRowClass, ImportSessionStatus
from printer_app.models.contracts import (
    City,
    ContractDevice,
    ContractImportFile,
    ContractImportRow,
    ContractImportSession,
    ContractStatus,
    DeviceModel,
    Manufacturer,
    ServiceProvider,
)
from printer_app.services import events
from printer_app.services.audit import Actor, audit, diff, is_audited_field
from printer_app.services.contracts.columns import ALIAS_TO_KEY, BY_KEY, COLUMNS, header_of, normalise_header
from printer_app.services.contracts.workbook import WorkbookRefused, iter_rows, open_workbook
from printer_app.services.serials import serial_key

CHUNK_SIZE = 200
LOOKUP_BATCH = 500  # values per IN (...) list
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


def name_key(text: str | None) -> str:
    """How names of organizations, cities, manufacturers and models are compared: collapsed, lower case."""
    return " ".join((text or "").split()).lower()


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


# ---------------------------------------------------------------------------------------------------------------
# Reference data looked up in bulk


def _batches(items: Sequence[Any], size: int = LOOKUP_BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Lookups:
    """The reference data an analysis or an apply needs, read with a few queries (no query per row).

    Serials are matched in Python with `serial_key` (trimmed, lower case): the stored devices' and printers'
    serials are read whole, two narrow queries, rather than asked for with `lower(trim(serial)) IN (...)`, whose
    `lower()` leaves non-ASCII letters alone on SQLite (Cyrillic look-alikes are common in these files).
    """

    orgs: dict[str, int] = field(default_factory=dict)  # name_key -> id
    manufacturers: dict[str, int] = field(default_factory=dict)
    models: dict[tuple[int, str], int] = field(default_factory=dict)  # (manufacturer id, name_key) -> id
    cities: dict[str, int] = field(default_factory=dict)
    # serial key -> the stored devices with it, (id, organization id, printer id), oldest first
    devices: dict[str, list[tuple[int, int, int | None]]] = field(default_factory=dict)
    printers: dict[str, list[int]] = field(default_factory=dict)  # serial key -> printer ids, active first
    linked: dict[int, int] = field(default_factory=dict)  # printer id -> the device linked to it

    @classmethod
    def load(cls, session: Session) -> Lookups:
        found = cls()
        for oid, name in session.exec(select(Organization.id, Organization.name)).all():
            found.orgs.setdefault(name_key(name), oid)
        for mid, name in session.exec(select(Manufacturer.id, Manufacturer.name)).all():
            found.manufacturers.setdefault(name_key(name), mid)
        for did, mid, name in session.exec(select(DeviceModel.id, DeviceModel.manufacturer_id, DeviceModel.name)):
            found.models.setdefault((mid, name_key(name)), did)
        for cid, name in session.exec(select(City.id, City.name)).all():
            found.cities.setdefault(name_key(name), cid)
        devices = session.exec(
            select(
                ContractDevice.id,
                ContractDevice.organization_id,
                ContractDevice.printer_id,
                ContractDevice.serial_number,
            ).order_by(ContractDevice.id)
        ).all()
        for did, org_id, printer_id, serial in devices:
            if printer_id is not None:
                found.linked[printer_id] = did
            key = serial_key(serial)
            if key:
                found.devices.setdefault(key, []).append((did, org_id, printer_id))
        printers = session.exec(
            select(Printer.id, Printer.serial_number)
            .where(Printer.serial_number != "")
            .order_by(Printer.is_active.desc(), Printer.id)
        ).all()
        for pid, serial in printers:
            key = serial_key(serial)
            if key:
                found.printers.setdefault(key, []).append(pid)
        return found

    def record(self, device_id: int, org_id: int, printer_id: int | None, key: str) -> None:
        """Keep the index in step with a device the apply just created, moved or linked."""
        entries = self.devices.setdefault(key, [])
        for index, (did, _org, _printer) in enumerate(entries):
            if did == device_id:
                entries[index] = (device_id, org_id, printer_id)
                break
        else:
            entries.append((device_id, org_id, printer_id))
        if printer_id is not None:
            self.linked[printer_id] = device_id

    def free_printer(self, key: str, device_id: int | None) -> int | None:
        """The printer a device with this serial would be linked to: the first not linked to another device."""
        for pid in self.printers.get(key, ()):
            owner = self.linked.get(pid)
            if owner is None or owner == device_id:
                return pid
        return None

    def base_class(self, org_id: int | None, key: str) -> tuple[str, int | None]:
        """NEW / MATCH / MOVED of a valid row, and the stored device it matches."""
        devices = self.devices.get(key, [])
        same = [d for d in devices if d[1] == org_id]
        if same:
            return ImportRowClass.MATCH.value, same[0][0]
        if devices:
            return ImportRowClass.MOVED.value, devices[0][0]
        return ImportRowClass.NEW.value, None

    def device_printer(self, key: str, device_id: int | None) -> int | None:
        for did, _org, printer_id in self.devices.get(key, []):
            if did == device_id:
                return printer_id
        return None


# ---------------------------------------------------------------------------------------------------------------
# Sessions


def _session_of(session: Session, import_id: int, *, editable: bool = True) -> ContractImportSession:
    imp = session.get(ContractImportSession, import_id, populate_existing=True)  # its status as stored now
    if imp is None:
        raise ImportRefused(gettext("This import does not exist any more; start a new one."))
    if editable and imp.status != ImportSessionStatus.OPEN:
        if imp.status == ImportSessionStatus.APPLYING:
            raise ImportRefused(gettext("This import is being applied; it cannot be changed now."))
        raise ImportRefused(gettext("This import has already been applied; start a new one."))
    return imp


def open_session(session: Session, *, user_id: int | None) -> ContractImportSession:
    """A new, empty import session of the user."""
    imp = ContractImportSession(user_id=user_id, status=ImportSessionStatus.OPEN.value)
    session.add(imp)
    session.flush()
    return imp


def current_session(session: Session, *, user_id: int | None) -> ContractImportSession | None:
    """The user's latest import session that is open or being applied (what the import page shows)."""
    owner = ContractImportSession.user_id == user_id if user_id is not None else ContractImportSession.user_id.is_(None)
    return session.exec(
        select(ContractImportSession)
        .where(
            owner,
            ContractImportSession.status.in_([ImportSessionStatus.OPEN.value, ImportSessionStatus.APPLYING.value]),
        )
        .order_by(ContractImportSession.id.desc())
    ).first()


# ---------------------------------------------------------------------------------------------------------------
# Phase 1: reading and analysis


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
    return _Sheet(headers=headers, columns=columns, rows=read)


def _validate(values: dict[str, str], raw_month: Any, lookups: Lookups) -> tuple[list[str], list[str], int | None]:
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


def add_workbook(session: Session, import_id: int, file_name: str, data: bytes) -> ContractImportFile:
    """Read, analyse and store one workbook in the import; a file of the same name is replaced.

    Raises ImportRefused (WorkbookRefused's message included) with nothing stored when the file cannot be read
    or its row 1 is not a header. Flushes; the caller commits.
    """
    imp = _session_of(session, import_id)
    file_name = " ".join((file_name or "").split())[:255] or "workbook.xlsx"
    try:
        sheet = read_sheet(data)
    except WorkbookRefused as exc:
        raise ImportRefused(exc.message) from None

    existing = session.exec(
        select(ContractImportFile).where(
            ContractImportFile.session_id == imp.id, ContractImportFile.file_name == file_name
        )
    ).first()
    if existing is not None:
        _delete_file(session, existing.id)

    upload = ContractImportFile(
        session_id=imp.id, file_name=file_name, rows_read=len(sheet.rows), headers=sheet.headers
    )
    session.add(upload)
    session.flush()

    lookups = Lookups.load(session)
    records = []
    for number, values, raw_month in sheet.rows:
        errors, warnings, org_id = _validate(values, raw_month, lookups)
        key = serial_key(values["serial"])
        device_id = None
        if errors:
            row_class = ImportRowClass.ERROR.value
        else:
            row_class, device_id = lookups.base_class(org_id, key)
            matched_printer = lookups.device_printer(key, device_id)
            if matched_printer is None and lookups.free_printer(key, device_id) is not None:
                warnings.append(WILL_LINK_PRINTER)
        records.append(
            {
                "session_id": imp.id,
                "file_id": upload.id,
                "row_number": number,
                "values": values,
                "errors": errors,
                "warnings": warnings,
                "row_class": row_class,
                "decision": ImportDecision.PENDING.value,
                "device_id": device_id,
                "applied": False,
            }
        )
    table = ContractImportRow.__table__
    for batch in _batches(records, 2000):  # executemany: batched by the driver (a multi-row VALUES is slower)
        session.execute(table.insert(), list(batch))
    imp.updated_at = utcnow()
    session.add(imp)
    session.flush()
    refresh_duplicates(session, imp.id)
    return upload


def _delete_file(session: Session, file_id: int) -> None:
    session.execute(delete(ContractImportRow).where(ContractImportRow.file_id == file_id))
    session.execute(delete(ContractImportFile).where(ContractImportFile.id == file_id))
    session.expire_all()


def remove_file(session: Session, import_id: int, file_id: int) -> None:
    """Drop one uploaded file and its rows from the import; the duplicates are recomputed."""
    imp = _session_of(session, import_id)
    upload = session.get(ContractImportFile, file_id)
    if upload is None or upload.session_id != imp.id:
        raise ImportRefused(gettext("This file is not part of the import any more."))
    _delete_file(session, file_id)
    refresh_duplicates(session, import_id)


def refresh_duplicates(session: Session, import_id: int) -> None:
    """DUP_IN_FILE for every valid row whose serial appears more than once across all files of the import.

    Rows that stop being duplicates (their twin's file was removed or replaced) get their NEW / MATCH / MOVED
    class back, looked up again.
    """
    rows = session.exec(
        select(ContractImportRow.id, ContractImportRow.values, ContractImportRow.row_class).where(
            ContractImportRow.session_id == import_id, ContractImportRow.row_class != ImportRowClass.ERROR.value
        )
    ).all()
    counts = Counter(serial_key((values or {}).get("serial")) for _id, values, _cls in rows)
    dup = ImportRowClass.DUP_IN_FILE.value
    to_dup = [rid for rid, values, cls in rows if counts[serial_key(values.get("serial"))] > 1 and cls != dup]
    back = [(rid, values) for rid, values, cls in rows if counts[serial_key(values.get("serial"))] <= 1 and cls == dup]
    if to_dup:
        for batch in _batches(to_dup):
            session.execute(update(ContractImportRow).where(ContractImportRow.id.in_(batch)).values(row_class=dup))
    if back:
        lookups = Lookups.load(session)
        changes = []
        for rid, values in back:
            org_id = lookups.orgs.get(name_key(values.get("organization")))
            row_class, device_id = lookups.base_class(org_id, serial_key(values.get("serial")))
            changes.append({"id": rid, "row_class": row_class, "device_id": device_id})
        session.execute(update(ContractImportRow), changes)
    session.flush()
    session.expire_all()


def class_counts(session: Session, import_id: int) -> dict[str, int]:
    """How many rows of the import are in each class (every class present, 0 when none)."""
    counts = dict.fromkeys(CLASSES, 0)
    for row_class, n in session.exec(
        select(ContractImportRow.row_class, func.count())
        .where(ContractImportRow.session_id == import_id)
        .group_by(ContractImportRow.row_class)
    ).all():
        counts[row_class] = n
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Decisions and options


def _check_decision(decision: str) -> str:
    if decision not in {d.value for d in ImportDecision}:
        raise ImportRefused(gettext("Unknown decision: {decision}", decision=str(decision)[:40]))
    return decision


def set_decision(session: Session, import_id: int, row_ids: list[int], decision: str) -> int:
    """Decide apply / skip / pending for some rows of the import (ERROR rows are never applied); returns how many."""
    _session_of(session, import_id)
    _check_decision(decision)
    ids = [int(i) for i in row_ids]
    changed = 0
    for batch in _batches(ids):
        changed += session.execute(
            update(ContractImportRow)
            .where(
                ContractImportRow.session_id == import_id,
                ContractImportRow.id.in_(batch),
                ContractImportRow.row_class != ImportRowClass.ERROR.value,
            )
            .values(decision=decision)
        ).rowcount
    session.expire_all()
    return changed


def set_class_decision(session: Session, import_id: int, row_class: str, decision: str) -> int:
    """Decide for every row of one class; returns how many rows."""
    _session_of(session, import_id)
    _check_decision(decision)
    if row_class not in CLASSES or row_class == ImportRowClass.ERROR.value:
        raise ImportRefused(gettext("Rows of this class cannot be decided: {row_class}", row_class=str(row_class)[:40]))
    changed = session.execute(
        update(ContractImportRow)
        .where(ContractImportRow.session_id == import_id, ContractImportRow.row_class == row_class)
        .values(decision=decision)
    ).rowcount
    session.expire_all()
    return changed


def set_options(
    session: Session,
    import_id: int,
    *,
    target_status_id: int | None,
    service_provider_id: int | None,
    create_cities: bool,
) -> ContractImportSession:
    """The target status, the service provider (None: leave the devices' provider) and the city confirmation."""
    imp = _session_of(session, import_id)
    if target_status_id is not None and session.get(ContractStatus, target_status_id) is None:
        raise ImportRefused(gettext("The chosen status does not exist any more."))
    if service_provider_id is not None and session.get(ServiceProvider, service_provider_id) is None:
        raise ImportRefused(gettext("The chosen service provider does not exist any more."))
    imp.target_status_id = target_status_id
    imp.service_provider_id = service_provider_id
    imp.create_cities = bool(create_cities)
    imp.updated_at = utcnow()
    session.add(imp)
    session.flush()
    return imp


def _to_apply():
    """SQL condition: the rows an apply writes (DOMAIN 8.3)."""
    return (
        (ContractImportRow.row_class != ImportRowClass.ERROR.value)
        & (ContractImportRow.decision != ImportDecision.SKIP.value)
        & or_(
            ContractImportRow.row_class.in_([ImportRowClass.NEW.value, ImportRowClass.MATCH.value]),
            ContractImportRow.decision == ImportDecision.APPLY.value,
        )
    )


def _unknown_cities(session: Session, import_id: int, condition) -> list[str]:
    known = {name_key(name) for name in session.exec(select(City.name)).all()}
    names: dict[str, str] = {}
    for (values,) in session.execute(
        select(ContractImportRow.values)
        .where(ContractImportRow.session_id == import_id, condition)
        .order_by(ContractImportRow.file_id, ContractImportRow.row_number)
    ).all():
        city = (values or {}).get("city") or ""
        if city and name_key(city) not in known:
            names.setdefault(name_key(city), city)
    return sorted(names.values(), key=str.lower)


def unknown_cities(session: Session, import_id: int, *, to_apply_only: bool = False) -> list[str]:
    """The cities the rows name that do not exist (first spelling met; rows in error or skipped left out).

    `to_apply_only`: only the rows an apply would write now (MOVED and DUP_IN_FILE ones only when decided "apply").
    """
    if to_apply_only:
        return _unknown_cities(session, import_id, _to_apply())
    condition = (ContractImportRow.row_class != ImportRowClass.ERROR.value) & (
        ContractImportRow.decision != ImportDecision.SKIP.value
    )
    return _unknown_cities(session, import_id, condition)


def rows_to_apply(session: Session, import_id: int) -> int:
    """How many rows an apply would write now."""
    return session.exec(
        select(func.count())
        .select_from(ContractImportRow)
        .where(ContractImportRow.session_id == import_id, _to_apply())
    ).one()


def apply_problems(session: Session, import_id: int) -> list[str]:
    """Why the import cannot be applied now (empty: it can)."""
    imp = session.get(ContractImportSession, import_id, populate_existing=True)
    if imp is None:
        return [gettext("This import does not exist any more; start a new one.")]
    if imp.status == ImportSessionStatus.APPLIED:
        return [gettext("This import has already been applied; start a new one.")]
    if imp.status == ImportSessionStatus.APPLYING:
        return [gettext("This import is being applied.")]
    problems = []
    if imp.target_status_id is None or session.get(ContractStatus, imp.target_status_id) is None:
        problems.append(gettext("Choose the status the devices get."))
    if not rows_to_apply(session, import_id):
        problems.append(gettext("Nothing to apply: no row is valid and decided to be applied."))
    elif not imp.create_cities:
        cities = _unknown_cities(session, import_id, _to_apply())
        if cities:
            problems.append(
                gettext("Unknown cities: {names}. Confirm that they are to be created.", names=", ".join(cities))
            )
    return problems


def stored_values(session: Session, device_ids: list[int]) -> dict[int, dict[str, str]]:
    """Stored devices' values under the keys and normalisation of import rows, for the side-by-side preview."""
    result: dict[int, dict[str, str]] = {}
    ids = sorted({int(i) for i in device_ids if i is not None})
    for batch in _batches(ids):
        rows = session.exec(
            select(ContractDevice, Organization.name, City.name, Manufacturer.name, DeviceModel.name)
            .join(Organization, Organization.id == ContractDevice.organization_id)
            .join(City, City.id == ContractDevice.city_id, isouter=True)
            .join(DeviceModel, DeviceModel.id == ContractDevice.device_model_id, isouter=True)
            .join(Manufacturer, Manufacturer.id == DeviceModel.manufacturer_id, isouter=True)
            .where(ContractDevice.id.in_(batch))
        ).all()
        for device, org, city, manufacturer, model in rows:
            result[device.id] = {
                "organization": cell_text(org),
                "city": cell_text(city),
                "address": cell_text(device.address),
                "room": cell_text(device.room_number),
                "manufacturer": cell_text(manufacturer),
                "model": cell_text(model),
                "serial": cell_text(device.serial_number),
                "service_month": month_text(device.service_start_month),
                "comment": cell_text(device.comment),
            }
    return result


# ---------------------------------------------------------------------------------------------------------------
# Phase 2: apply


@dataclass
class _ApplyContext:
    lookups: Lookups
    present: dict[int, set[str]]  # file id -> the keys its header had
    status_id: int
    provider_id: int | None
    actor: Actor


@dataclass
class _ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row id, why)


_DEVICE = ContractDevice.__table__
_ROW = ContractImportRow.__table__
_LOG = EntityChangeLog.__table__
_AUDITED = tuple(c.name for c in _DEVICE.columns if is_audited_field(c.name))
_WRITTEN = tuple(c.name for c in _DEVICE.columns if c.name not in ("id", "created_at"))


def _device_log(ctx: _ApplyContext, state: dict[str, Any], action: str, changes: dict[str, Any], now) -> dict:
    """A change-log row as `audit.record_change` writes it, built as a plain dict for one bulk INSERT."""
    return {
        "object_type": _DEVICE.name,
        "object_id": state["id"],
        "action": action,
        "user_id": ctx.actor.user_id,
        "timestamp": now,
        "changes": changes,
        "object_repr": f"ContractDevice {state['serial_number']}"[:500],
        "ip_address": None,
        "user_agent": "",
    }


def _apply_chunk(session: Session, ctx: _ApplyContext, row_ids: Sequence[int]) -> _ChunkResult:
    """Create or update the devices of some rows in the caller's transaction (DOMAIN 8.3).

    Set-based: the rows and the stored devices with their serials are read with a few queries, the rows are
    applied to plain dicts in file order (a later row about the same device sees the earlier one's result), then
    the new devices, the changed devices, their change-log rows and the rows' applied flags are written with one
    bulk statement each.
    """
    result = _ChunkResult()
    now = utcnow()
    rows = {
        r.id: r
        for r in session.execute(
            select(
                ContractImportRow.id,
                ContractImportRow.file_id,
                ContractImportRow.values,
                ContractImportRow.row_class,
                ContractImportRow.device_id,
            ).where(ContractImportRow.id.in_(row_ids))
        ).all()
    }
    lookups = ctx.lookups
    keys = {serial_key(r.values.get("serial")) for r in rows.values()}
    device_ids = sorted({entry[0] for key in keys for entry in lookups.devices.get(key, ())})
    stored = [
        dict(m)
        for batch in _batches(device_ids)
        for m in session.execute(select(_DEVICE).where(_DEVICE.c.id.in_(batch))).mappings()
    ]
    stored.sort(key=lambda d: d["id"])
    originals = {d["id"]: dict(d) for d in stored}
    by_serial: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for state in stored:
        by_serial[serial_key(state["serial_number"])].append(state)
    linked = dict(lookups.linked)
    for state in stored:
        if state["printer_id"] is not None:
            linked[state["printer_id"]] = state["id"]
    new_states: list[dict[str, Any]] = []
    applied: list[tuple[int, dict[str, Any]]] = []
    for rid in row_ids:
        row = rows.get(rid)
        if row is None:
            continue
        values = row.values
        key = serial_key(values.get("serial"))
        org_id = lookups.orgs.get(name_key(values.get("organization")))
        city_id = lookups.cities.get(name_key(values.get("city")))
        manufacturer_id = lookups.manufacturers.get(name_key(values.get("manufacturer")))
        model_id = lookups.models.get((manufacturer_id, name_key(values.get("model"))))
        if org_id is None or city_id is None or model_id is None:
            result.failed.append((rid, gettext("The organization, city or model of this row does not exist any more.")))
            continue
        candidates = by_serial[key]
        state = next((d for d in candidates if d["organization_id"] == org_id), None)
        if state is None and candidates and row.row_class in (ImportRowClass.MOVED, ImportRowClass.DUP_IN_FILE):
            state = next((d for d in candidates if d["id"] is not None and d["id"] == row.device_id), candidates[0])
        if state is None:
            state = {
                "id": None,
                "serial_number": values["serial"],
                "room_number": "",
                "service_provider_id": None,
                "service_start_month": None,
                "comment": "",
                "printer_id": None,
                "created_at": now,
            }
            candidates.append(state)
            new_states.append(state)
        state.update(
            organization_id=org_id,
            city_id=city_id,
            address=values.get("address", ""),
            device_model_id=model_id,
            status_id=ctx.status_id,
        )
        if "room" in ctx.present.get(row.file_id, ()):
            state["room_number"] = values.get("room", "")
        if serial_key(state["serial_number"]) != key:
            state["serial_number"] = values["serial"]
        month = parse_service_month(values.get("service_month"))
        if month is not None:
            state["service_start_month"] = month
        if ctx.provider_id is not None:
            state["service_provider_id"] = ctx.provider_id
        if state["printer_id"] is None:
            for pid in lookups.printers.get(key, ()):
                owner = linked.get(pid)
                if owner is None or (state["id"] is not None and owner == state["id"]):
                    state["printer_id"] = pid
                    linked[pid] = state["id"] if state["id"] is not None else -1
                    break
        applied.append((rid, state))

    logs: list[dict[str, Any]] = []
    if new_states:
        for state in new_states:
            state["updated_at"] = now
        # The ids come back unordered (an ordered RETURNING is one INSERT per row on SQLite); each new device is
        # the only one of its organization and exact serial in the chunk, so that pair finds its id.
        returned = session.execute(
            insert(_DEVICE).returning(_DEVICE.c.id, _DEVICE.c.organization_id, _DEVICE.c.serial_number),
            [{name: state[name] for name in (*_WRITTEN, "created_at")} for state in new_states],
        ).all()
        ids = {(org_id, serial): device_id for device_id, org_id, serial in returned}
        for state in new_states:
            state["id"] = ids[(state["organization_id"], state["serial_number"])]
            logs.append(_device_log(ctx, state, "create", diff({}, {k: state[k] for k in _AUDITED}), now))
        result.created = len(new_states)
    changed: list[dict[str, Any]] = []
    touched = {state["id"]: state for _rid, state in applied if state["id"] in originals}
    for device_id, state in touched.items():
        before = originals[device_id]
        changes = diff({k: before[k] for k in _AUDITED}, {k: state[k] for k in _AUDITED})
        if not changes:
            result.unchanged += 1
            continue
        state["updated_at"] = now
        changed.append({"b_id": device_id, **{f"v_{name}": state[name] for name in _WRITTEN}})
        logs.append(_device_log(ctx, state, "update", changes, now))
        result.updated += 1
    if changed:
        session.execute(
            update(_DEVICE)
            .where(_DEVICE.c.id == bindparam("b_id"))
            .values({name: bindparam(f"v_{name}") for name in _WRITTEN}),
            changed,
        )
    if logs:
        session.execute(insert(_LOG), logs)
    if applied:
        session.execute(
            update(_ROW).where(_ROW.c.id == bindparam("b_id")).values(applied=True, device_id=bindparam("v_device")),
            [{"b_id": rid, "v_device": state["id"]} for rid, state in applied],
        )
    for _rid, state in applied:  # the next chunks see these devices (a failed commit reloads the index)
        lookups.record(state["id"], state["organization_id"], state["printer_id"], serial_key(state["serial_number"]))
    return result


def apply_session(
    import_id: int,
    *,
    user_id: int | None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict:
    """Apply an import (phase 2) in sessions of its own; returns {created, updated, unchanged, failed, total,
    missing_devices}.

    Refused (ImportRefused, nothing written) when `apply_problems` names a problem. The import is marked
    "applying" first (a second apply is refused), then each chunk of `chunk_size` rows is one transaction; a
    chunk the database refuses is retried row by row, each row alone, and the rows that still fail are counted
    as failed. After each chunk the import's progress is stored and `progress(done, total)` called (the caller
    publishes it). An unexpected error marks the import failed with its text and is raised again.
    """
    from printer_app.db import session_scope

    with session_scope(write=True) as session:
        imp = session.exec(
            select(ContractImportSession).where(ContractImportSession.id == import_id).with_for_update()
        ).first()
        if imp is None:
            raise ImportRefused(gettext("This import does not exist any more; start a new one."))
        problems = apply_problems(session, import_id)
        if problems:
            raise ImportRefused(" ".join(problems))
        row_ids = list(
            session.exec(
                select(ContractImportRow.id)
                .where(ContractImportRow.session_id == import_id, _to_apply())
                .order_by(ContractImportRow.file_id, ContractImportRow.row_number, ContractImportRow.id)
            ).all()
        )
        actor = Actor(user_id=user_id)
        if imp.create_cities:
            for name in _unknown_cities(session, import_id, _to_apply()):
                city = City(name=name)
                session.add(city)
                session.flush()
                audit(session, city, "create", actor)
        imp.status = ImportSessionStatus.APPLYING.value
        imp.progress_done = 0
        imp.progress_total = len(row_ids)
        imp.error = ""
        imp.updated_at = utcnow()
        session.add(imp)
        status_id, provider_id = imp.target_status_id, imp.service_provider_id
        present = {
            f.id: {k for k in f.headers if k != IGNORED}
            for f in session.exec(select(ContractImportFile).where(ContractImportFile.session_id == import_id)).all()
        }
    total = len(row_ids)
    if progress is not None:
        progress(0, total)
    try:
        with session_scope() as session:
            lookups = Lookups.load(session)
        ctx = _ApplyContext(lookups=lookups, present=present, status_id=status_id, provider_id=provider_id, actor=actor)
        stats = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0, "total": total}
        failures: list[dict[str, Any]] = []
        done = 0
        for chunk in _batches(row_ids, max(1, chunk_size)):
            outcomes: list[_ChunkResult] = []
            done += len(chunk)
            try:
                with session_scope(write=True) as session:
                    outcomes.append(_apply_chunk(session, ctx, chunk))
                    _store_progress(session, import_id, done)  # in the chunk's own transaction
            except SQLAlchemyError:
                outcomes = []
                ctx.lookups = _reload(ctx.lookups)
                for rid in chunk:
                    try:
                        with session_scope(write=True) as session:
                            outcomes.append(_apply_chunk(session, ctx, [rid]))
                    except SQLAlchemyError as exc:
                        ctx.lookups = _reload(ctx.lookups)
                        outcomes.append(_ChunkResult(failed=[(rid, _db_message(exc))]))
                with session_scope(write=True) as session:
                    _store_progress(session, import_id, done)
            for outcome in outcomes:
                stats["created"] += outcome.created
                stats["updated"] += outcome.updated
                stats["unchanged"] += outcome.unchanged
                stats["failed"] += len(outcome.failed)
                failures.extend({"row_id": rid, "error": why} for rid, why in outcome.failed)
            if progress is not None:
                progress(done, total)
        with session_scope(write=True) as session:
            stats["missing_devices"] = len(missing_devices(session, import_id, applied_only=True))
            imp = session.get(ContractImportSession, import_id)
            imp.status = ImportSessionStatus.APPLIED.value
            imp.stats = {**stats, "failures": failures[:200]}
            imp.progress_done = total
            imp.applied_at = utcnow()
            imp.updated_at = imp.applied_at
            session.add(imp)
            events.publish_after_commit(session, events.CONTRACTS_CHANGED, {"all": True})
        return stats
    except Exception as exc:
        with session_scope(write=True) as session:
            session.execute(
                update(ContractImportSession)
                .where(ContractImportSession.id == import_id)
                .values(status=ImportSessionStatus.FAILED.value, error=str(exc)[:2000], updated_at=utcnow())
            )
        raise


def _store_progress(session: Session, import_id: int, done: int) -> None:
    session.execute(
        update(ContractImportSession)
        .where(ContractImportSession.id == import_id)
        .values(progress_done=done, updated_at=utcnow())
    )


def _reload(lookups: Lookups) -> Lookups:
    """Fresh reference data after a rolled-back chunk (its new cities, links, ... were not stored)."""
    from printer_app.db import session_scope

    with session_scope() as session:
        return Lookups.load(session)


def _db_message(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return " ".join(str(original or exc).split())[:300]


# ---------------------------------------------------------------------------------------------------------------
# Missing devices


def missing_devices(session: Session, import_id: int, *, applied_only: bool | None = None) -> list[ContractDevice]:
    """Devices of the organizations the import touches that it does not mention (report only).

    After the apply: the organizations of the applied rows, minus the devices they created or updated. Before:
    the organizations of the valid rows, minus the devices they match.
    """
    if applied_only is None:
        imp = session.get(ContractImportSession, import_id)
        applied_only = imp is not None and imp.status == ImportSessionStatus.APPLIED
    condition = (
        ContractImportRow.applied.is_(True)
        if applied_only
        else ContractImportRow.row_class != ImportRowClass.ERROR.value
    )
    rows = session.exec(
        select(ContractImportRow.values, ContractImportRow.device_id).where(
            ContractImportRow.session_id == import_id, condition
        )
    ).all()
    names = {name_key((values or {}).get("organization")) for values, _d in rows}
    orgs = {name_key(name): oid for oid, name in session.exec(select(Organization.id, Organization.name)).all()}
    org_ids = sorted({orgs[n] for n in names if n in orgs})
    mentioned = {d for _v, d in rows if d is not None}
    if not org_ids:
        return []
    devices = session.exec(
        select(ContractDevice)
        .where(ContractDevice.organization_id.in_(org_ids))
        .order_by(ContractDevice.organization_id, ContractDevice.serial_number, ContractDevice.id)
    ).all()
    return [d for d in devices if d.id not in mentioned]


MISSING_HEADERS = ("organization", "city", "address", "room", "manufacturer", "model", "serial", "service_month")


def missing_devices_xlsx(session: Session, import_id: int) -> bytes:
    """The missing-devices report as a workbook: Russian headers in bold, frozen, and the device's status."""
    devices = missing_devices(session, import_id)
    values = stored_values(session, [d.id for d in devices])
    statuses = dict(session.exec(select(ContractStatus.id, ContractStatus.name)).all())
    book = Workbook()
    sheet = book.active
    sheet.title = "Отсутствуют в файле"
    headers = [header_of(key) for key in MISSING_HEADERS] + ["Статус"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for device in devices:
        row = [values[device.id][key] for key in MISSING_HEADERS] + [statuses.get(device.status_id, "")]
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"  # text, never a formula (no injection through a serial or an address)
    widths = [28, 16, 36, 12, 16, 24, 20, 14, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = [
    "BY_KEY",
    "CLASSES",
    "CODE_TEXTS",
    "ERROR_CODES",
    "WARNING_CODES",
    "ImportRefused",
    "add_workbook",
    "apply_problems",
    "apply_session",
    "class_counts",
    "current_session",
    "missing_devices",
    "missing_devices_xlsx",
    "open_session",
    "parse_service_month",
    "refresh_duplicates",
    "remove_file",
    "set_class_decision",
    "set_decision",
    "set_options",
    "stored_values",
    "unknown_cities",
]
