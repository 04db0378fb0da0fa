"""The columns of a monthly report workbook (docs/reports.md §10.3, §10.4): one table serves the upload's header
matching and the export.

`COLUMNS` lists every field in the order of an exported file with its exact Russian export header (the file
contract), its English export header and further aliases. The upload compares `normalise_header(cell)` with the
normalised aliases (the export headers included, so an exported file uploads back unchanged); counters also match
by tokens (format + colour mode + period end) when no alias does. `imported` False: the upload ignores the column
(total prints, K1, K2 are computed).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

COUNTER_FIELDS: tuple[str, ...] = (
    "a4_bw_start",
    "a4_bw_end",
    "a4_color_start",
    "a4_color_end",
    "a3_bw_start",
    "a3_bw_end",
    "a3_color_start",
    "a3_color_end",
)
START_FIELDS = tuple(name for name in COUNTER_FIELDS if name.endswith("_start"))
END_FIELDS = tuple(name for name in COUNTER_FIELDS if name.endswith("_end"))
TEXT_FIELDS = (
    "organization",
    "branch",
    "city",
    "address",
    "equipment_model",
    "serial_number",
    "inventory_number",
)
SLA_FLOAT_FIELDS = ("normative_availability", "actual_downtime")
SLA_INT_FIELDS = ("non_overdue_requests", "total_requests")


@dataclass(frozen=True)
class Column:
    field: str
    russian: str  # the export's exact header (docs/reports.md §10.4)
    english: str
    aliases: tuple[str, ...] = field(default=())
    imported: bool = True


def _counter_aliases(fmt: str, mode: str, period: str) -> tuple[str, ...]:
    ru_mode = {"bw": "ч/б", "color": "цвет"}[mode]
    long_mode = {"bw": "ч/б", "color": "цветные"}[mode]
    ru_period = {"start": "начало", "end": "конец"}[period]
    long_period = {"start": "на начало периода", "end": "на конец периода"}[period]
    return (
        f"{fmt} {ru_mode} {ru_period}",
        f"Показание счетчика {fmt} {long_mode} {long_period}",
        f"Показание счётчика {fmt} {long_mode} {long_period}",
        f"{fmt} {mode} {period}",
    )


def _counter(fmt: str, mode: str, period: str) -> Column:
    ru_mode = {"bw": "ч/б", "color": "цвет"}[mode]
    ru_period = {"start": "начало", "end": "конец"}[period]
    en_mode = {"bw": "b/w", "color": "colour"}[mode]
    return Column(
        f"{fmt.lower()}_{mode}_{period}",
        f"{fmt} {ru_mode} {ru_period}",
        f"{fmt} {en_mode} {period}",
        _counter_aliases(fmt, mode, period),
    )


COLUMNS: tuple[Column, ...] = (
    Column("order_number", "№ п/п", "No.", ("№", "номер п/п", "order number", "order no", "no")),
    Column("organization", "Организация", "Organization", ("organisation", "client")),
    Column("branch", "Филиал", "Branch"),
    Column("city", "Город", "City"),
    Column("address", "Адрес", "Address"),
    Column("equipment_model", "Модель и наименование оборудования", "Model", ("Модель", "equipment model")),
    Column(
        "serial_number",
        "Серийный номер оборудования",
        "Serial number",
        ("Серийный номер", "Серийный №", "serial", "s/n", "sn"),
    ),
    Column("inventory_number", "Инв номер", "Inventory number", ("Инв №", "Инвентарный номер", "inventory no")),
    _counter("A4", "bw", "start"),
    _counter("A4", "bw", "end"),
    _counter("A4", "color", "start"),
    _counter("A4", "color", "end"),
    _counter("A3", "bw", "start"),
    _counter("A3", "bw", "end"),
    _counter("A3", "color", "start"),
    _counter("A3", "color", "end"),
    Column("total_prints", "Итого отпечатков шт.", "Total prints", ("Итого отпечатков",), imported=False),
    Column(
        "normative_availability",
        "Нормативное время доступности (A)",
        "Normative availability (A)",
        ("A норматив", "Нормативное время доступности", "A"),
    ),
    Column(
        "actual_downtime",
        "Фактическое время недоступности (D)",
        "Actual downtime (D)",
        ("D недоступность", "Фактическое время недоступности", "D"),
    ),
    Column("k1", "K1 = ((A - D)/A)*100%", "K1, %", ("K1",), imported=False),
    Column(
        "non_overdue_requests",
        "Количество не просроченных запросов (L)",
        "Requests on time (L)",
        ("L непросроченные", "Количество непросроченных запросов", "L"),
    ),
    Column(
        "total_requests",
        "Общее количество запросов (W)",
        "Total requests (W)",
        ("W общее", "Общее количество запросов", "W"),
    ),
    Column("k2", "K2 = (L/W)*100%", "K2, %", ("K2",), imported=False),
)
BY_FIELD = {column.field: column for column in COLUMNS}

_CYRILLIC_A_FORMAT = re.compile(r"а([34])")
_KEEP = re.compile(r"[^a-z0-9а-я]")


def normalise_header(text: object) -> str:
    """A header as the upload compares it (§10.3): NFKC, lower case, ё → е, "ч/б" → "чб", "№" → "no", Cyrillic
    а4 / а3 → Latin a4 / a3, then only a–z, 0–9 and а–я kept."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = value.replace("ё", "е").replace("ч/б", "чб").replace("№", "no")
    value = _CYRILLIC_A_FORMAT.sub(r"a\1", value)
    return _KEEP.sub("", value)


ALIAS_TO_FIELD: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.russian, _column.english, *_column.aliases):
        ALIAS_TO_FIELD.setdefault(normalise_header(_alias), _column.field)

_FORMAT = re.compile(r"a([34])")
_BW = ("чб", "bw", "моно", "mono", "black")
_COLOUR = ("цвет", "color", "colour")
_START = ("начало", "start")
_END = ("конец", "end", "оконч")


def _token_field(norm: str) -> str | None:
    """The counter a header names by its tokens (a4 | a3, b/w | colour, start | end), or None."""
    formats = set(_FORMAT.findall(norm))
    is_bw = any(token in norm for token in _BW)
    is_colour = any(token in norm for token in _COLOUR)
    is_start = any(token in norm for token in _START)
    is_end = any(token in norm for token in _END)
    if len(formats) != 1 or is_bw == is_colour or is_start == is_end:
        return None
    return f"a{formats.pop()}_{'bw' if is_bw else 'color'}_{'start' if is_start else 'end'}"


def field_for_header(text: object) -> str | None:
    """The field a header cell stands for (also the ignored computed ones), or None when nothing matches."""
    norm = normalise_header(text)
    if not norm:
        return None
    return ALIAS_TO_FIELD.get(norm) or _token_field(norm)


@dataclass
class HeaderMatch:
    """How a header row maps to fields: `positions` field -> column index (first match wins), `columns` field ->
    the header text that matched, `ignored` the non-empty headers that matched nothing or a computed column."""

    positions: dict[str, int]
    columns: dict[str, str]
    ignored: list[str]


def match_headers(headers: list[object]) -> HeaderMatch:
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(headers):
        text = " ".join(str(cell or "").split())
        if not text:
            continue
        name = field_for_header(text)
        if name is None or not BY_FIELD[name].imported or name in positions:
            ignored.append(text)
            continue
        positions[name] = index
        columns[name] = text
    return HeaderMatch(positions, columns, ignored)


def header_of(name: str, *, english: bool = False) -> str:
    column = BY_FIELD[name]
    return column.english if english else column.russian
