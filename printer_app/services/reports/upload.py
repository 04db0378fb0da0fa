"""Reading an uploaded month workbook (docs/reports.md §10.3): the analysis the page previews and the import applies.

The first sheet is read with the hardened reader of the contracts import (size limit, zip bomb, encrypted or damaged
files refused), every cell as text. The header is the first non-empty row; when merged cells of that row reach down
(a two-row header: "Показание счетчика А4 ч/б" over "на начало периода"), the rows they cover are part of the header
and each column's header is its texts joined top to bottom. Then `match_headers`, a first data row holding only the
column numbers 1, 2, 3, … is dropped, fully empty rows are skipped, numbers are read leniently.

Decisions (docs/reports.md §10.7): a negative counter, or one above MAX_COUNTER, is stored as 0 and listed as a
problem of its row; a cell with text but no number is read as 0 and listed too. Problems do not stop the import (the
preview shows them before "Import"); unknown organizations, an unreadable file, a sheet without any recognised
column or without rows refuse the whole upload, and nothing is stored in the report tables.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from printer_app.i18n import gettext
from printer_app.models import Organization
from printer_app.models.choices import ReportUploadStatus
from printer_app.models.reports import MonthlyReport, ReportUpload
from printer_app.services.contracts.workbook import WorkbookRefused, iter_rows, merged_ranges, open_workbook
from printer_app.services.reports.columns import (
    COUNTER_FIELDS,
    SLA_FLOAT_FIELDS,
    SLA_INT_FIELDS,
    TEXT_FIELDS,
    match_headers,
)
from printer_app.services.reports.numbers import MAX_COUNTER, lenient_float, lenient_int

MAX_PROBLEMS = 500  # problems kept for the preview (their count is kept whole)
MAX_ROWS = 50_000
MIN_NUMBER_ROW = 3  # a row of column numbers has at least this many cells
_MAX_TEXT = f"{MAX_COUNTER:,}".replace(",", " ")
_LIMITS = {
    name: MonthlyReport.model_fields[name].metadata[0].max_length
    for name in TEXT_FIELDS
    if MonthlyReport.model_fields[name].metadata
}


class UploadRefused(Exception):
    """The upload cannot be imported; the message says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Analysis:
    """What a workbook holds for a month: the normalised rows and what the preview shows of them."""

    file_name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_count: int = 0
    unknown_organizations: list[dict[str, Any]] = field(default_factory=list)
    refusal: str = ""  # why the upload cannot be imported ("" = it can)

    @property
    def refused(self) -> bool:
        return bool(self.refusal)

    def summary(self) -> dict[str, Any]:
        """The JSON kept as ReportUpload.analysis (everything but the rows)."""
        return {
            "rows_read": self.rows_read,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "problems": self.problems,
            "problem_count": self.problem_count,
            "unknown_organizations": self.unknown_organizations,
            "refusal": self.refusal,
        }


def cell_text(value: object) -> str:
    """A cell as the text it shows: integral numbers without ".0", everything else as str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def org_key(name: str | None) -> str:
    """An organization name as the upload compares it: NFKC, case-folded, ё → е, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("ё", "е")
    return " ".join(text.split())


def _is_number_row(cells: list[str]) -> bool:
    """True for a row holding only the column numbers 1, 2, 3, … (the line under a printed form's header)."""
    values = [c for c in cells if c]
    if len(values) < MIN_NUMBER_ROW:
        return False
    return all(v.isdigit() and int(v) == i for i, v in enumerate(values, start=1))


@dataclass
class _Sheet:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)


def read_sheet(data: bytes) -> _Sheet:
    """The header and the data rows of the workbook's first sheet (UploadRefused for an unreadable file)."""
    try:
        workbook = open_workbook(data)
    except WorkbookRefused as exc:
        raise UploadRefused(exc.message) from None
    try:
        sheet = workbook.worksheets[0]
        merges = merged_ranges(sheet)
        header_rows: list[list[str]] = []
        header_end = 0
        rows: list[tuple[int, list[str]]] = []
        for number, values in iter_rows(sheet):
            cells = [cell_text(v) for v in values]
            if not header_rows:
                if any(cells):
                    header_rows.append(cells)
                    header_end = max([r[3] for r in merges if r[1] == number and r[3] > number] or [number])
                continue
            if number <= header_end:
                header_rows.append(cells)
                continue
            if any(cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise UploadRefused(gettext("The sheet has more than {n} rows.", n=f"{MAX_ROWS:,}"))
    except WorkbookRefused as exc:
        raise UploadRefused(exc.message) from None
    except UploadRefused:
        raise
    except Exception:  # openpyxl fails in many ways on a broken sheet
        raise UploadRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None
    finally:
        workbook.close()
    if not header_rows:
        raise UploadRefused(gettext("The first sheet is empty."))
    return _Sheet(_join_header(header_rows), rows)


def _join_header(header_rows: list[list[str]]) -> list[str]:
    """One header per column: the distinct texts of the header rows, top to bottom."""
    width = max(len(r) for r in header_rows)
    joined = []
    for col in range(width):
        parts: list[str] = []
        for row in header_rows:
            text = row[col] if col < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        joined.append(" ".join(parts))
    return joined


def _known_organizations(session: Session) -> dict[str, str]:
    return {org_key(name): name for name in session.exec(select(Organization.name)).all()}


def _hints(name: str, known: dict[str, str]) -> list[str]:
    close = difflib.get_close_matches(org_key(name), list(known), n=3, cutoff=0.6)
    return [known[k] for k in close]


class _RowReader:
    """Turns the cells of one data row into a MonthlyReport row dict, noting its problems."""

    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0

    def problem(self, number: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": number, "message": message})

    def cell(self, cells: list[str], name: str) -> str:
        index = self.positions.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def number(self, number: int, cells: list[str], name: str, header: str, parse) -> Any:
        text = self.cell(cells, name)
        value = parse(text)
        if text and not any(ch.isdigit() for ch in text):
            self.problem(
                number, gettext("“{column}”: “{value}” is not a number; read as 0", column=header, value=text[:40])
            )
        return value

    def row(self, number: int, position: int, cells: list[str], headers: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {"row": number}
        for name in TEXT_FIELDS:
            text = self.cell(cells, name)  # trimmed; inner spaces kept, so an exported file uploads back unchanged
            limit = _LIMITS.get(name)
            if limit and len(text) > limit:
                self.problem(
                    number, gettext("“{column}” is longer than {n} characters; cut", column=headers[name], n=limit)
                )
                text = text[:limit]
            out[name] = text
        order = lenient_int(self.cell(cells, "order_number")) if self.cell(cells, "order_number") else 0
        out["order_number"] = order if 0 < order <= 2_000_000_000 else position + 1
        for name in COUNTER_FIELDS:
            value = self.number(number, cells, name, headers.get(name, name), lenient_int)
            if value < 0 or value > MAX_COUNTER:
                self.problem(
                    number,
                    gettext(
                        "“{column}”: {value} is not a counter (0 to {max}); stored as 0",
                        column=headers[name],
                        value=value,
                        max=_MAX_TEXT,
                    ),
                )
                value = 0
            out[name] = value
        for name in SLA_FLOAT_FIELDS:
            out[name] = self.number(number, cells, name, headers.get(name, name), lenient_float)
        for name in SLA_INT_FIELDS:
            value = self.number(number, cells, name, headers.get(name, name), lenient_int)
            out[name] = max(min(value, 2_000_000_000), -2_000_000_000)
        return out


def analyse(session: Session, data: bytes, *, file_name: str) -> Analysis:
    """Read and check a month workbook (nothing written). An unreadable file raises UploadRefused; a file that
    cannot be imported for what it holds (no recognised column, no rows, unknown organizations) comes back with
    `refusal` set and its preview complete."""
    name = " ".join((file_name or "").split())[:255] or "upload.xlsx"
    sheet = read_sheet(data)
    match = match_headers(sheet.headers)
    analysis = Analysis(name, columns=match.columns, ignored_columns=match.ignored)
    if not match.positions:
        analysis.refusal = gettext(
            "No column of the first row was recognised: the header must be the first non-empty row "
            "(e.g. “Организация”, “Серийный номер”, “A4 ч/б начало”)."
        )
        return analysis
    data_rows = sheet.rows
    if data_rows and _is_number_row(data_rows[0][1]):
        data_rows = data_rows[1:]
    reader = _RowReader(match.positions)
    rows = [reader.row(number, position, cells, match.columns) for position, (number, cells) in enumerate(data_rows)]
    analysis.rows_read = len(rows)
    if not rows:
        analysis.refusal = gettext("The sheet has a header but no rows.")
        return analysis
    known = _known_organizations(session)
    unknown: dict[str, str] = {}
    for row in rows:
        if not row["organization"]:
            reader.problem(row["row"], gettext("No organization"))
            continue
        canonical = known.get(org_key(row["organization"]))
        if canonical is None:
            unknown.setdefault(org_key(row["organization"]), row["organization"])
        else:
            row["organization"] = canonical
    analysis.problems, analysis.problem_count = reader.problems, reader.problem_count
    if unknown:
        analysis.unknown_organizations = [{"name": n, "hints": _hints(n, known)} for n in sorted(unknown.values())]
        analysis.refusal = gettext(
            "The file names organizations that do not exist: add them (or correct the file) and upload it again."
        )
        return analysis
    analysis.rows = rows
    return analysis


def store(
    session: Session,
    analysis: Analysis,
    *,
    month: date,
    user_id: int | None,
    options: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> ReportUpload:
    """Keep an analysis as a ReportUpload (status analysed; a refused one without rows), flushed."""
    upload = ReportUpload(
        user_id=user_id,
        month=month,
        file_name=analysis.file_name,
        status=ReportUploadStatus.ANALYSED.value,
        options=dict(options or {}),
        analysis=analysis.summary(),
        rows=[] if analysis.refused else analysis.rows,
        progress_total=0 if analysis.refused else len(analysis.rows),
        ip_address=ip_address,
    )
    session.add(upload)
    session.flush()
    return upload
