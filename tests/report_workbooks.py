"""Month workbooks built with openpyxl for the upload tests: real .xlsx bytes, as Excel users make them."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

SHORT_RU = [
    "№ п/п",
    "Организация",
    "Филиал",
    "Город",
    "Адрес",
    "Модель",
    "Серийный номер",
    "Инв №",
    "A4 ч/б начало",
    "A4 ч/б конец",
    "A4 цвет начало",
    "A4 цвет конец",
    "A3 ч/б начало",
    "A3 ч/б конец",
    "A3 цвет начало",
    "A3 цвет конец",
    "A норматив",
    "D недоступность",
    "L непросроченные",
    "W общее",
]


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    merges: Sequence[str] = (),
    title: str = "Лист1",
    before: Sequence[Sequence[object]] = (),
) -> bytes:
    """A workbook whose first sheet holds `before` (rows above, e.g. empty ones), then `rows`; `merges` are ranges
    such as "A1:A2" (the top-left cell keeps its value, the others are emptied as Excel does)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in [*before, *rows]:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(
    org: str,
    serial: str,
    *,
    order: object = None,
    model: str = "HP M404",
    counters: Sequence[object] = (),
    sla: Sequence[object] = (),
    inventory: str = "",
    city: str = "Омск",
) -> list[object]:
    """A data row in the SHORT_RU column order."""
    values = list(counters) + [0] * (8 - len(counters))
    sla_values = list(sla) + [0] * (4 - len(sla))
    return [order, org, "Филиал 1", city, "ул. Ленина, 1", model, serial, inventory, *values, *sla_values]
