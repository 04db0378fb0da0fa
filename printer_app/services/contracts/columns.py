"""The columns of a contracts workbook (DOMAIN 8.3): one table serves the import's header matching and the export.

`COLUMNS` lists every key in the order of an exported file. The import matches a header against `aliases`
(trimmed, whitespace collapsed, case-insensitive); the export writes the first Russian alias, or `english` with the
English switch, which the import also accepts, so an exported file imports back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # Russian first (DOMAIN 8.3), then the English ones
    english: str
    required: bool = False
    exported: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("rownum", ("№", "номер", "no."), "No.", exported=False),
    Column("organization", ("организация", "организация, наименование", "organization"), "Organization", True),
    Column("city", ("город", "city"), "City", True),
    Column("address", ("адрес", "address"), "Address", True),
    Column("room", ("№ кабинета", "кабинет", "номер кабинета", "room"), "Room"),
    Column("manufacturer", ("производитель", "vendor", "бренд", "manufacturer"), "Manufacturer", True),
    Column("model", ("модель оборудования", "модель", "model"), "Model", True),
    Column("serial", ("серийный номер", "sn", "s/n", "serial", "serial number"), "Serial number", True),
    Column(
        "service_month",
        (
            "месяц обслуживания",
            "месяц принятия на обслуживание",
            "дата принятия",
            "начало обслуживания",
            "service month",
        ),
        "Service month",
    ),
    Column("comment", ("комментарий", "comment"), "Comment"),
)

BY_KEY = {column.key: column for column in COLUMNS}


def normalise_header(text: object) -> str:
    """A header cell as the matching sees it: trimmed, inner whitespace collapsed, lower-cased."""
    return " ".join(str(text or "").split()).lower()


ALIAS_TO_KEY: dict[str, str] = {
    normalise_header(alias): column.key for column in COLUMNS for alias in (*column.aliases, column.english)
}


def header_of(key: str, *, english: bool = False) -> str:
    """The header an export writes for `key`: the import's first alias, capitalised, or the English name."""
    column = BY_KEY[key]
    return column.english if english else column.aliases[0][:1].upper() + column.aliases[0][1:]
