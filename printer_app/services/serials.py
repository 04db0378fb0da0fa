"""How serials are matched between contract devices and printers: trimmed and ignoring case (docs/contracts.md).

One definition for both sides, in Python and in SQL, so a device links to a printer whichever of them comes first.
(A poll's identity check is stricter on purpose: it compares the serial a device reports exactly, after trimming.)
"""

from __future__ import annotations

from sqlalchemy import func, literal
from sqlalchemy.sql.elements import ColumnElement

BLANKS = " \t\r\n\xa0"  # what trimming drops, the same in Python and in SQL (Excel cells bring tabs and NBSP)


def serial_key(value: str | None) -> str:
    """The form two serials are compared in: surrounding spaces dropped, lower case; "" for none."""
    return (value or "").strip(BLANKS).lower()


def sql_serial_key(column) -> ColumnElement[str]:
    """`serial_key` of a serial column, computed by the database."""
    return func.lower(func.trim(column, BLANKS))


def same_serial(column, value: str | None) -> ColumnElement[bool]:
    """SQL condition: the serial column holds `value`, up to case and surrounding spaces.

    Both sides are lowered by the database: SQLite's lower() folds ASCII only, so a key lowered by Python would miss
    a stored serial with Cyrillic capitals there."""
    return sql_serial_key(column) == sql_serial_key(literal(value or ""))


def has_serial(column) -> ColumnElement[bool]:
    """SQL condition: the serial column holds more than blanks."""
    return func.trim(column, BLANKS) != ""
