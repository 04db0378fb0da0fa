"""The month workbook (docs/reports.md §10.4): sheet, exact headers, frozen bold header, order, numbers as numbers,
K1 / K2 rounded, formula-like text kept as text; the `reports export` command."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlmodel import Session

from printer_app.models import MonthlyReport
from printer_app.services.reports.export import FIELDS, export_filename, export_month_bytes, headers
from printer_app.services.reports.groups import recompute_month
from tests.integration.cli_runner import app_cli  # noqa: F401

MONTH = date(2026, 10, 1)
RUSSIAN = [
    "№ п/п",
    "Организация",
    "Филиал",
    "Город",
    "Адрес",
    "Модель и наименование оборудования",
    "Серийный номер оборудования",
    "Инв номер",
    "A4 ч/б начало",
    "A4 ч/б конец",
    "A4 цвет начало",
    "A4 цвет конец",
    "A3 ч/б начало",
    "A3 ч/б конец",
    "A3 цвет начало",
    "A3 цвет конец",
    "Итого отпечатков шт.",
    "Нормативное время доступности (A)",
    "Фактическое время недоступности (D)",
    "K1 = ((A - D)/A)*100%",
    "Количество не просроченных запросов (L)",
    "Общее количество запросов (W)",
    "K2 = (L/W)*100%",
]


def _rows(session: Session) -> None:
    session.add_all(
        [
            MonthlyReport(month=MONTH, order_number=2, organization="Бета", serial_number="B", a4_bw_end=10),
            MonthlyReport(
                month=MONTH,
                order_number=1,
                organization="Альфа",
                address='=HYPERLINK("x")',
                serial_number="A",
                a4_bw_start=100,
                a4_bw_end=50,
                normative_availability=3,
                actual_downtime=1,
                non_overdue_requests=2,
                total_requests=3,
            ),
            MonthlyReport(month=date(2026, 9, 1), organization="Другой месяц"),
        ]
    )
    session.flush()
    recompute_month(session, MONTH)
    session.commit()


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_export_month(session: Session) -> None:
    _rows(session)
    data, count = export_month_bytes(session, MONTH)
    assert count == 2 and export_filename(MONTH) == "monthly_report_2026-10.xlsx"
    sheet = _sheet(data)
    assert sheet.title == "2026-10" and sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == RUSSIAN == headers()
    assert sheet["A1"].font.bold
    first = {name: cell.value for name, cell in zip(FIELDS, sheet[2], strict=True)}
    assert first["organization"] == "Альфа" and first["order_number"] == 1
    assert first["address"] == '=HYPERLINK("x")' and sheet["E2"].data_type == "s"
    assert first["total_prints"] == -50 and first["k1"] == 66.67 and first["k2"] == 66.67
    assert isinstance(first["a4_bw_start"], int) and first["branch"] is None
    assert sheet["B3"].value == "Бета" and sheet.max_row == 3
    english = _sheet(export_month_bytes(session, MONTH, english=True)[0])
    assert english["B1"].value == "Organization"
    only = _sheet(export_month_bytes(session, MONTH, row_ids=[1_000_000])[0])
    assert only.max_row == 1


def test_cli_export(session: Session, app_cli, tmp_path) -> None:  # noqa: F811
    _rows(session)
    out = tmp_path / "m.xlsx"
    result = app_cli("reports", "export", "--month", "2026-10", "--out", out)
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.stdout and _sheet(out.read_bytes()).max_row == 3
    result = app_cli("reports", "export", "--month", "2026-11", "--out", tmp_path / "none.xlsx")
    assert result.exit_code == 2 and "no rows" in result.output and not (tmp_path / "none.xlsx").exists()
    result = app_cli("reports", "export", "--month", "13.2026", "--out", out)
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    result = app_cli("reports", "export", "--month", "2026-10", "--out", tmp_path / "missing" / "x.xlsx")
    assert result.exit_code == 2 and "does not exist" in result.output
