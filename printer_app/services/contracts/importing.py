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

The parts live in modules of their own — `import_rows` (codes, cells, the sheet, one row's validation),
`import_lookups` (reference data in bulk), `import_queries` (counts, problems, stored values, missing devices),
`import_apply` (phase 2) — and this module is the interface the page, the actor and the CLI use.

Row values are kept as normalised text keyed by column key, so the preview shows what the file says and
`stored_values` gives a stored device's values in the same form for the side-by-side comparison.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, update
from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models.base import utcnow
from printer_app.models.choices import ImportDecision, ImportRowClass, ImportSessionStatus
from printer_app.models.contracts import (
    ContractImportFile,
    ContractImportRow,
    ContractImportSession,
    ContractStatus,
    ServiceProvider,
)
from printer_app.services.contracts.import_apply import apply_session
from printer_app.services.contracts.import_lookups import Lookups, in_batches, name_key
from printer_app.services.contracts.import_queries import (
    apply_problems,
    class_counts,
    missing_devices,
    missing_devices_xlsx,
    rows_to_apply,
    session_of,
    stored_values,
    unknown_cities,
)
from printer_app.services.contracts.import_rows import (
    CLASSES,
    CODE_TEXTS,
    ERROR_CODES,
    IGNORED,
    MAX_ROWS,
    VALUE_KEYS,
    WARNING_CODES,
    WILL_LINK_PRINTER,
    ImportRefused,
    cell_text,
    month_text,
    parse_service_month,
    read_sheet,
    validate_row,
)
from printer_app.services.contracts.workbook import WorkbookRefused
from printer_app.services.serials import serial_key

# ---------------------------------------------------------------------------------------------------------------
# Sessions


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
# Phase 1: analysis


def add_workbook(session: Session, import_id: int, file_name: str, data: bytes) -> ContractImportFile:
    """Read, analyse and store one workbook in the import; a file of the same name is replaced.

    Raises ImportRefused (WorkbookRefused's message included) with nothing stored when the file cannot be read
    or its row 1 is not a header. Flushes; the caller commits.
    """
    imp = session_of(session, import_id)
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
        errors, warnings, org_id = validate_row(values, raw_month, lookups)
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
    for batch in in_batches(records, 2000):  # executemany: batched by the driver (a multi-row VALUES is slower)
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
    imp = session_of(session, import_id)
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
        for batch in in_batches(to_dup):
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


# ---------------------------------------------------------------------------------------------------------------
# Decisions and options


def _check_decision(decision: str) -> str:
    if decision not in {d.value for d in ImportDecision}:
        raise ImportRefused(gettext("Unknown decision: {decision}", decision=str(decision)[:40]))
    return decision


def set_decision(session: Session, import_id: int, row_ids: list[int], decision: str) -> int:
    """Decide apply / skip / pending for some rows of the import (ERROR rows are never applied); returns how many."""
    session_of(session, import_id)
    _check_decision(decision)
    ids = [int(i) for i in row_ids]
    changed = 0
    for batch in in_batches(ids):
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
    session_of(session, import_id)
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
    imp = session_of(session, import_id)
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


__all__ = [  # the import's whole interface, whichever module of the package holds each part
    "CLASSES",
    "CODE_TEXTS",
    "ERROR_CODES",
    "IGNORED",
    "MAX_ROWS",
    "VALUE_KEYS",
    "WARNING_CODES",
    "ImportRefused",
    "Lookups",
    "add_workbook",
    "apply_problems",
    "apply_session",
    "cell_text",
    "class_counts",
    "current_session",
    "missing_devices",
    "missing_devices_xlsx",
    "month_text",
    "name_key",
    "open_session",
    "parse_service_month",
    "refresh_duplicates",
    "remove_file",
    "rows_to_apply",
    "set_class_decision",
    "set_decision",
    "set_options",
    "stored_values",
    "unknown_cities",
]
