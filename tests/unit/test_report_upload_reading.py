"""Reading a month workbook (docs/reports.md §10.3) from real .xlsx bytes: the header row and its aliases, merged
two-row headers, the row of column numbers, empty rows, cells as text, hostile files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from printer_app.services.reports.columns import COLUMNS, match_headers
from printer_app.services.reports.upload import UploadRefused, cell_text, org_key, read_sheet
from tests.report_workbooks import SHORT_RU, row, xlsx

ALIASES = [
    (column.field, alias)
    for column in COLUMNS
    if column.imported
    for alias in (column.russian, column.english, *column.aliases)
]


@pytest.mark.parametrize(("field", "alias"), ALIASES)
def test_every_alias_in_a_real_header_row_names_its_field(field: str, alias: str) -> None:
    sheet = read_sheet(xlsx([["Организация" if field != "organization" else "Филиал", alias], ["a", "b"]]))
    match = match_headers(sheet.headers)
    assert match.columns[field] == alias
    assert match.positions[field] == 1


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Счётчик А4 моно, на начало", "a4_bw_start"),  # Cyrillic А, ё, a comma: the token fallback
        ("A3 colour pages at end of month", "a3_color_end"),
        ("ПОКАЗАНИЕ СЧЕТЧИКА А4 Ч/Б НА КОНЕЦ ПЕРИОДА", "a4_bw_end"),
        ("  A4   цвет\nначало ", "a4_color_start"),
        ("№", "order_number"),
        ("Серийный №", "serial_number"),
    ],
)
def test_normalisation_and_the_token_fallback(header: str, field: str) -> None:
    match = match_headers(read_sheet(xlsx([[header], ["1"]])).headers)
    assert list(match.positions) == [field]


def test_computed_and_unknown_columns_are_ignored_and_listed() -> None:
    headers = [*SHORT_RU, "Итого отпечатков шт.", "K1 = ((A - D)/A)*100%", "K2 = (L/W)*100%", "Примечание"]
    match = match_headers(read_sheet(xlsx([headers, row("Org", "S1")])).headers)
    assert match.ignored == ["Итого отпечатков шт.", "K1 = ((A - D)/A)*100%", "K2 = (L/W)*100%", "Примечание"]
    assert len(match.positions) == 20


def test_a_two_row_merged_header_is_joined_per_column() -> None:
    top = ["№ п/п", "Организация", "Показание счетчика А4 ч/б", None, "Показание счетчика А4 цветные", None]
    under = [None, None, "на начало периода", "на конец периода", "на начало периода", "на конец периода"]
    data = xlsx(
        [top, under, [1, 2, 3, 4, 5, 6], [1, "Org", "1 000", "2 000", 5, 7]],
        merges=["A1:A2", "B1:B2", "C1:D1", "E1:F1"],
    )
    sheet = read_sheet(data)
    match = match_headers(sheet.headers)
    assert match.positions == {
        "order_number": 0,
        "organization": 1,
        "a4_bw_start": 2,
        "a4_bw_end": 3,
        "a4_color_start": 4,
        "a4_color_end": 5,
    }
    assert match.columns["a4_bw_end"] == "Показание счетчика А4 ч/б на конец периода"
    assert [number for number, _ in sheet.rows] == [3, 4]  # the number row is still there: `analyse` drops it


def test_the_header_is_the_first_non_empty_row_and_empty_rows_are_skipped() -> None:
    data = xlsx([SHORT_RU, row("Org", "S1"), [None] * 5, ["", "  "], row("Org", "S2")], before=[[], [None, None]])
    sheet = read_sheet(data)
    assert sheet.headers[:2] == ["№ п/п", "Организация"]
    assert [number for number, _ in sheet.rows] == [4, 7]


def test_cells_are_read_as_text() -> None:
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(None) == ""
    assert cell_text("  x ") == "x"
    assert org_key("  ООО «Ёлка»\u00a0 Плюс ") == "ооо «елка» плюс"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
        (b"name,serial\n", "not an Excel"),
        (b"PK\x03\x04broken", "damaged"),
        (_zip({"hello.txt": b"x"}), "not an Excel"),
    ],
)
def test_hostile_files_are_refused_with_a_message(data: bytes, words: str) -> None:
    with pytest.raises(UploadRefused, match=words):
        read_sheet(data)


def test_an_empty_sheet_is_refused() -> None:
    with pytest.raises(UploadRefused, match="empty"):
        read_sheet(xlsx([]))
