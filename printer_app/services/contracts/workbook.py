"""Opening an uploaded .xlsx safely: refuse what is not a workbook, an encrypted one, one too big and a zip bomb,
with a message a user understands, before openpyxl reads a byte of it."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from openpyxl.workbook.workbook import Workbook

from printer_app.i18n import gettext

MAX_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused unread
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of the workbook unpacked
MAX_RATIO = 200  # unpacked / packed for one part: real sheets compress ~10-30x, bombs by thousands
MAX_PARTS = 5000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of an encrypted .xlsx and of an old .xls
ZIP_MAGIC = b"PK\x03\x04"


class WorkbookRefused(ValueError):
    """The upload is not a workbook we open; the message says why, for the user."""


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def check_workbook(data: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    """Raise WorkbookRefused unless `data` looks like a plain .xlsx of a sane size when unpacked."""
    if len(data) > max_bytes:
        raise WorkbookRefused(
            gettext(
                "The file is {size} MB; the limit is {limit} MB.",
                size=_megabytes(len(data)),
                limit=_megabytes(max_bytes),
            )
        )
    if not data:
        raise WorkbookRefused(gettext("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise WorkbookRefused(
            gettext(
                "The file is password-protected or an old .xls workbook: save it in Excel as .xlsx without a password."
            )
        )
    not_xlsx = gettext("The file is not an Excel workbook (.xlsx).")
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookRefused(not_xlsx) from exc
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(not_xlsx)
    unpacked = sum(p.file_size for p in parts)
    bomb = any(p.file_size > MAX_RATIO * max(p.compress_size, 1) and p.file_size > 1024 * 1024 for p in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNCOMPRESSED or bomb:
        raise WorkbookRefused(
            gettext(
                "The workbook unpacks to {size} MB (limit {limit} MB, or compressed suspiciously well): refused.",
                size=_megabytes(unpacked),
                limit=_megabytes(MAX_UNCOMPRESSED),
            )
        )


def open_workbook(data: bytes, *, max_bytes: int = MAX_BYTES) -> Workbook:
    """The checked workbook opened read-only with cell values (not formulas); close it when done."""
    check_workbook(data, max_bytes=max_bytes)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file: KeyError, XML errors, ...
        raise WorkbookRefused(gettext("The workbook cannot be read: it is damaged or not an .xlsx file.")) from exc
