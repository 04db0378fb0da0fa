"""What the import page shows of a contract import session: its files, one page of its rows (filtered by class,
the stored values beside the new ones), the row codes of DOMAIN 8.3 in words, and the choices of its options.

Reads the session's tables only; everything that changes a session is in `importing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from printer_app.i18n import N_, gettext
from printer_app.models.choices import ImportDecision, ImportRowClass
from printer_app.models.contracts import (
    ContractImportFile,
    ContractImportRow,
    ContractImportSession,
    ContractStatus,
    ServiceProvider,
)
from printer_app.services.contracts.columns import BY_KEY
from printer_app.services.contracts.importing import CODE_TEXTS, class_counts, stored_values, unknown_cities

SHOWN_KEYS = ("organization", "city", "address", "room", "manufacturer", "model", "serial", "service_month")
COMPARED = {ImportRowClass.MATCH, ImportRowClass.MOVED}  # rows of a stored device: its values shown beside
EXPLICIT = {ImportRowClass.MOVED, ImportRowClass.DUP_IN_FILE}  # applied only when decided so
IGNORED = "_ignored"  # key of `ContractImportFile.headers` listing the headers no column took

# The codes whose words name the row's values (`{…}`); the others read as `importing.CODE_TEXTS` says.
MESSAGES = {
    "UNKNOWN_ORGANIZATION": N_("Organization “{organization}” does not exist"),
    "UNKNOWN_MANUFACTURER": N_("Manufacturer “{manufacturer}” is not in the reference data"),
    "UNKNOWN_MODEL": N_("Model “{model}” of “{manufacturer}” is not in the reference data"),
    "NEW_CITY": N_("City “{city}” is new: it is created on apply when you confirm it"),
    "BAD_SERVICE_MONTH": N_("Service month “{service_month}” is not understood (MM.YYYY expected): it stays as stored"),
}
COLUMN_LABELS = {
    "rownum": N_("No."),
    "organization": N_("Organization"),
    "city": N_("City"),
    "address": N_("Address"),
    "room": N_("Room"),
    "manufacturer": N_("Manufacturer"),
    "model": N_("Model"),
    "serial": N_("Serial"),
    "service_month": N_("Service month"),
    "comment": N_("Comment"),
}


def describe(code: object, values: dict) -> str:
    """A row code in words, in the language of the current event (an unknown code as it is)."""
    message = MESSAGES.get(str(code))
    if message is not None:
        return gettext(message, **{key: str(values.get(key) or "") for key in BY_KEY})
    return gettext(CODE_TEXTS[code]) if code in CODE_TEXTS else str(code)


@dataclass
class Cell:
    key: str
    value: str
    stored: str = ""  # the stored device's value (MATCH / MOVED rows)
    changed: bool = False


@dataclass
class PreviewRow:
    id: int
    file_name: str
    row_number: int
    row_class: str
    decision: str  # as stored: pending / apply / skip
    effective: str  # what apply does with it: "apply", "skip", or "" (an error, or waiting for a decision)
    errors: list[str]
    warnings: list[str]
    cells: list[Cell] = field(default_factory=list)


def effective_decision(row_class: str, decision: str) -> str:
    """What apply does with a row: errors never apply; MOVED and DUP_IN_FILE only when decided so."""
    if row_class == ImportRowClass.ERROR:
        return ""
    if decision == ImportDecision.PENDING:
        return "" if row_class in EXPLICIT else "apply"
    return decision


def _differs(new: str, old: str) -> bool:
    return " ".join(new.split()).casefold() != " ".join(old.split()).casefold()


def preview_page(
    session: Session, import_id: int, *, row_class: str | None, page: int, page_size: int
) -> tuple[int, list[PreviewRow]]:
    """The number of rows of the class (all with None) and one page of them, in file and row order."""
    where = [ContractImportRow.session_id == import_id]
    if row_class:
        where.append(ContractImportRow.row_class == row_class)
    total = session.exec(select(func.count()).select_from(ContractImportRow).where(*where)).one()
    found = session.exec(
        select(ContractImportRow, ContractImportFile.file_name)
        .join(ContractImportFile, ContractImportFile.id == ContractImportRow.file_id)
        .where(*where)
        .order_by(col(ContractImportRow.file_id), col(ContractImportRow.row_number), col(ContractImportRow.id))
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    device_ids = sorted({r.device_id for r, _ in found if r.device_id and r.row_class in COMPARED})
    stored = stored_values(session, device_ids) if device_ids else {}
    rows = []
    for row, file_name in found:
        values = row.values or {}
        old = stored.get(row.device_id) if row.row_class in COMPARED and row.device_id else None
        cells = []
        for key in SHOWN_KEYS:
            new = str(values.get(key) or "")
            before = str(old.get(key) or "") if old is not None else ""
            cells.append(Cell(key, new, before, old is not None and _differs(new, before)))
        rows.append(
            PreviewRow(
                id=row.id,
                file_name=file_name,
                row_number=row.row_number,
                row_class=row.row_class,
                decision=row.decision,
                effective=effective_decision(row.row_class, row.decision),
                errors=[describe(c, values) for c in row.errors or []],
                warnings=[describe(c, values) for c in row.warnings or []],
                cells=cells,
            )
        )
    return total, rows


@dataclass
class FileSummary:
    id: int
    name: str
    rows: int
    recognised: list[tuple[str, str]]  # (the file's header, the column it was taken for), in the columns' order
    ignored: list[str]


def session_files(session: Session, import_id: int) -> list[FileSummary]:
    """The workbooks of a session in upload order, with the headers recognised and those ignored."""
    where = ContractImportFile.session_id == import_id
    files = session.exec(select(ContractImportFile).where(where).order_by(col(ContractImportFile.id))).all()
    summaries = []
    for f in files:
        headers = f.headers or {}
        recognised = [(str(headers[key]), key) for key in BY_KEY if key in headers]
        ignored = [str(h) for h in headers.get(IGNORED, []) or []]
        summaries.append(FileSummary(f.id, f.file_name, f.rows_read, recognised, ignored))
    return summaries


def column_label(key: str) -> str:
    """A column key's name in the language of the current event."""
    return gettext(COLUMN_LABELS.get(key, key))


def get_import(session: Session, import_id: int) -> ContractImportSession | None:
    return session.get(ContractImportSession, import_id)


def latest_import(session: Session, *, user_id: int | None) -> ContractImportSession | None:
    """The user's latest import session, applied ones included (the page shows their outcome until a new one)."""
    user = col(ContractImportSession.user_id)
    owner = user == user_id if user_id is not None else user.is_(None)
    latest = select(ContractImportSession).where(owner).order_by(col(ContractImportSession.id).desc())
    return session.exec(latest).first()


def status_choices(session: Session) -> list[tuple[int, str]]:
    """The active contract statuses a session may give its devices, by name."""
    found = session.exec(select(ContractStatus).where(col(ContractStatus.is_active)).order_by(ContractStatus.name))
    return [(s.id, s.name) for s in found.all()]


def provider_choices(session: Session) -> list[tuple[int, str]]:
    """The active service providers a session may give its devices, by name."""
    found = session.exec(select(ServiceProvider).where(col(ServiceProvider.is_active)).order_by(ServiceProvider.name))
    return [(p.id, p.name) for p in found.all()]


@dataclass
class Snapshot:
    """What the import page shows of an import session, read in one database session."""

    import_id: int = 0
    status: str = ""
    done: int = 0
    total: int = 0
    stats: dict = field(default_factory=dict)
    error: str = ""
    target_status_id: int | None = None
    provider_id: int | None = None
    create_cities: bool = False
    files: list[FileSummary] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    unknown_cities: list[str] = field(default_factory=list)
    rows_total: int = 0
    rows: list[PreviewRow] = field(default_factory=list)


def read_snapshot(session: Session, import_id: int, *, row_class: str | None, page: int, page_size: int) -> Snapshot:
    """Everything the page shows of an import session, one page of its rows (of `row_class` only, when given);
    an empty snapshot when there is no such session."""
    found = get_import(session, import_id) if import_id else None
    if found is None:
        return Snapshot()
    rows_total, rows = preview_page(session, import_id, row_class=row_class, page=page, page_size=page_size)
    return Snapshot(
        import_id=found.id,
        status=found.status,
        done=found.progress_done,
        total=found.progress_total,
        stats=dict(found.stats or {}),
        error=found.error or "",
        target_status_id=found.target_status_id,
        provider_id=found.service_provider_id,
        create_cities=found.create_cities,
        files=session_files(session, import_id),
        counts=class_counts(session, import_id),
        unknown_cities=unknown_cities(session, import_id),
        rows_total=rows_total,
        rows=rows,
    )
