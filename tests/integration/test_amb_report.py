"""Filling a customer's AMB template (DOMAIN 7.2, issue #18) on SQLite and PostgreSQL: a real-looking template (merged
title rows, the header on row 3, Cyrillic "а4", a second sheet and styles that must survive) is filled from the
stored polls, re-opened with openpyxl and compared; the active printer wins over an inactive one of the same
serial; a missing column is refused naming it; nothing else is written."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlmodel import Session

from printer_app.i18n import use_language
from printer_app.models import Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.contracts.workbook import WorkbookRefused
from printer_app.services.inventory.amb_report import fill_template
from printer_app.services.polling.history import PollOutcome, record_poll
from tests.factories import make_printer

IRKUTSK = ZoneInfo("Asia/Irkutsk")
AT = datetime(2026, 4, 30, 2, 0, tzinfo=UTC)  # 10:00 in Irkutsk
HEADERS = [
    "№ п/п",
    "Серийный номер оборудования",
    "Показание счетчика А4 ч/б на начало периода",
    "Показание счетчика А4 ч/б на конец периода",
    "Показание счетчика А4 цветные на конец периода",
    "Показание счетчика A3 ч/б на конец периода",  # a Latin A typed here
    "Показание счетчика А3 цветные\nна конец периода",
]


def _template(serials: list[str], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Отчёт"
    sheet["A1"] = "Отчёт о показаниях счётчиков за апрель 2026"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("A2:G2")
    sheet.append(headers)
    for n, serial in enumerate(serials, start=1):
        sheet.append([n, serial, 111, None, None, None, None])
    book.create_sheet("Справка")["A1"] = "не трогать"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _polled(session: Session, printer: Printer, at: datetime, bw_a4: int) -> None:
    counters = {"bw_a4": bw_a4, "color_a4": 50, "bw_a3": None, "color_a3": 7, "total_pages": bw_a4 + 57}
    record_poll(
        session,
        printer=printer,
        outcome=PollOutcome(status=TaskStatus.SUCCESS, match_rule=MatchRule.SN_MAC, counters=counters, at=at),
    )


def test_the_template_is_filled_from_the_newest_poll_of_the_active_printer(session: Session) -> None:
    old = make_printer(session, ip_address="10.8.0.1", serial_number="AMB-1", is_active=False)
    new = make_printer(session, ip_address="10.8.0.2", serial_number="amb-1 ")
    gone = make_printer(session, ip_address="10.8.0.3", serial_number="AMB-OLD", is_active=False)
    make_printer(session, ip_address="10.8.0.4", serial_number="AMB-NOPOLL")
    cyrillic = make_printer(session, ip_address="10.8.0.5", serial_number="ЖК-7")  # SQLite's lower() misses it
    _polled(session, cyrillic, AT, 70)
    _polled(session, old, AT.replace(month=5), 99_999)  # newer, but the printer was replaced
    _polled(session, new, AT, 1200)
    _polled(session, gone, AT, 500)
    session.commit()

    data, summary = fill_template(
        session, _template(["AMB-1", "AMB-OLD", "NO-SUCH", "AMB-NOPOLL", None, "\xa0жк-7"]), tz=IRKUTSK
    )
    assert (summary.header_row, summary.sheet, summary.rows_filled) == (3, "Отчёт", 3)
    assert (summary.not_found, summary.without_poll, summary.inactive_only) == (
        ["NO-SUCH"],
        ["AMB-NOPOLL"],
        ["AMB-OLD"],
    )
    assert summary.rows_without_serial == 1

    book = load_workbook(io.BytesIO(data))
    sheet = book["Отчёт"]
    assert book.active.title == "Отчёт" and book["Справка"]["A1"].value == "не трогать"
    assert sheet["A1"].font.bold and "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(row=3, column=8).value == "Дата опроса"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert values[0] == [1, "AMB-1", 111, 1200, 50, 0, 7, datetime(2026, 4, 30, 10, 0)]  # A3 b/w missing -> 0
    assert values[1][3:] == [500, 50, 0, 7, datetime(2026, 4, 30, 10, 0)]
    assert values[2][3:] == [None, None, None, None, None] and values[3][3:] == [None, None, None, None, None]
    assert sheet.cell(row=9, column=4).value == 70
    assert sheet.cell(row=4, column=8).number_format == "DD.MM.YYYY HH:MM"

    again, _ = fill_template(session, data, tz=IRKUTSK)  # a filled file filled again keeps one date column
    assert load_workbook(io.BytesIO(again))["Отчёт"].max_column == 8


@pytest.mark.parametrize(
    ("drop", "key"),
    [
        ("Серийный номер оборудования", "серийный номер оборудования"),
        ("Показание счетчика А4 цветные на конец периода", "А4 цветные конец периода"),
        ("Показание счетчика A3 ч/б на конец периода", "А3 ч/б конец периода"),
    ],
)
def test_a_missing_column_is_refused_naming_it(session: Session, drop: str, key: str) -> None:
    headers = [h if h != drop else "Комментарий" for h in HEADERS]
    with use_language("ru"), pytest.raises(WorkbookRefused) as refused:
        fill_template(session, _template(["X"], headers), tz=IRKUTSK)
    assert refused.value.message == f"Колонка для '{key}' не найдена."


def test_a_file_that_is_not_a_workbook_is_refused(session: Session) -> None:
    with pytest.raises(WorkbookRefused) as refused:
        fill_template(session, b"PK\x03\x04 not really a zip", tz=IRKUTSK)
    assert "not a readable" in refused.value.message or "not an Excel" in refused.value.message
    with pytest.raises(WorkbookRefused):
        fill_template(session, b"", tz=IRKUTSK)
