"""Opening an uploaded contracts workbook safely: every hostile or broken file is refused with a clear message.

Checks run on the bytes before openpyxl sees them: the size limit, an OLE compound file (a password-protected
xlsx or an old .xls), a ZIP that is not one or is damaged, the parts an xlsx must have, and a zip bomb (the
uncompressed sizes the archive declares, in total and as a ratio; zipfile never inflates an entry beyond its
declared size, so the declared sizes bound what openpyxl will read).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook

from printer_app.i18n import gettext

MAX_BYTES = 20 * 1024 * 1024  # an uploaded file
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # all parts of the archive together, once inflated
MAX_RATIO = 200  # inflated / compressed size of one part bigger than RATIO_FLOOR (sheet XML is ~5-30)
RATIO_FLOOR = 1024 * 1024
FILL_COLUMNS = 512  # merged cells are filled in the first columns only
MAX_FILLED_CELLS = 2_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; the message says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def check_archive(data: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    """Refuse what is not a safe, well-formed xlsx archive (see the module's docstring)."""
    if not data:
        raise WorkbookRefused(gettext("The file is empty."))
    if len(data) > max_bytes:
        raise WorkbookRefused(
            gettext(
                "The file is {size} MB; files up to {limit} MB are accepted.",
                size=_megabytes(len(data)),
                limit=_megabytes(max_bytes),
            )
        )
    if data.startswith(OLE_MAGIC[:4]):
        raise WorkbookRefused(
            gettext(
                "The file is password-protected (encrypted) or an old Excel 97-2003 .xls workbook: "
                "save it in Excel as an .xlsx workbook without a password and upload it again."
            )
        )
    if not data.startswith(b"PK"):
        raise WorkbookRefused(gettext("The file is not an Excel workbook (.xlsx)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise WorkbookRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") and n.endswith("workbook.xml") for n in names):
        raise WorkbookRefused(gettext("The file is not an Excel workbook (.xlsx)."))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookRefused(gettext("The file is refused: it inflates to an implausible size (a zip bomb?)."))
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRefused(gettext("The file is refused: it inflates to an implausible size (a zip bomb?)."))


def open_workbook(data: bytes, *, max_bytes: int = MAX_BYTES) -> Workbook:
    """An openpyxl read-only workbook of `data` (formulas kept as their text), or WorkbookRefused."""
    check_archive(data, max_bytes=max_bytes)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except WorkbookRefused:
        raise
    except Exception:  # openpyxl raises KeyError, ValueError, ParseError, ... for broken parts
        raise WorkbookRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None


_MERGE_CELL = re.compile(rb"<(?:[A-Za-z0-9_]+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})\"")
_SCAN_BLOCK = 1024 * 1024


def merged_ranges(worksheet) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only worksheet as (min_col, min_row, max_col, max_row).

    openpyxl's read-only mode does not read them, so the sheet's XML is scanned for its `<mergeCell ref="A2:A5"/>`
    elements (a regular expression over blocks of the raw bytes: far cheaper than parsing the XML a second time).
    """
    found: set[str] = set()
    tail = b""
    try:
        with worksheet._get_source() as source:
            while True:
                block = source.read(_SCAN_BLOCK)
                if not block:
                    break
                text = tail + block
                found.update(m.group(1).decode("ascii") for m in _MERGE_CELL.finditer(text))
                tail = text[-256:]  # an element cut by the block boundary is found with the next block
    except (KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error):
        raise WorkbookRefused(gettext("The file is damaged: it is not a readable .xlsx workbook.")) from None
    ranges = []
    for ref in sorted(found):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def iter_rows(worksheet) -> Iterator[tuple[int, tuple]]:
    """(row number, cell values) of a read-only sheet, merged cells filled with their top-left value.

    Only the first FILL_COLUMNS columns are filled, and a sheet whose merges would fill more than MAX_FILLED_CELLS
    cells is refused: a crafted file cannot make the reading quadratic.
    """
    merged = sorted(merged_ranges(worksheet), key=lambda r: (r[1], r[0]))
    budget = sum(
        (max_row - min_row + 1) * max(0, min(max_col, FILL_COLUMNS) - min_col + 1)
        for min_col, min_row, max_col, max_row in merged
    )
    if budget > MAX_FILLED_CELLS:
        raise WorkbookRefused(gettext("The sheet has too many merged cells to be read."))
    pending = iter(merged)
    upcoming = next(pending, None)
    active: list[list] = []  # [min_col, min_row, max_col, max_row, top-left value]
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if upcoming is None and not active:
            yield number, values
            continue
        while upcoming is not None and upcoming[1] <= number:
            min_col, min_row, max_col, max_row = upcoming
            if min_row == number:
                origin = values[min_col - 1] if min_col - 1 < len(values) else None
                active.append([min_col, min_row, min(max_col, FILL_COLUMNS), max_row, origin])
            upcoming = next(pending, None)
        active = [r for r in active if r[3] >= number]
        if active:
            cells = list(values)
            for min_col, _min_row, max_col, _max_row, origin in active:
                if len(cells) < max_col:
                    cells.extend([None] * (max_col - len(cells)))
                for col in range(min_col, max_col + 1):
                    if cells[col - 1] is None:
                        cells[col - 1] = origin
            values = tuple(cells)
        yield number, values
