"""Data out of the printers page in a real browser (issue #18): Export downloads printers.xlsx of what the filters
show, re-opened with openpyxl; "Fill customer report" fills an uploaded AMB template and shows its summary before
the download, which is re-opened too; a template without a required column is refused with the reason."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import Printer
from printer_app.models.choices import MatchRule, TaskStatus
from printer_app.services.polling.history import PollOutcome, record_poll
from tests.e2e.conftest import AppServer, hydrated, seed_printer, shot

pytestmark = pytest.mark.e2e


def _seed(db_session, tag: str) -> list[str]:
    """Two polled printers and one never polled whose serials carry `tag`; returns their IPs."""
    third = int(tag[:2], 16)
    ips = [f"10.{third}.9.2", f"10.{third}.9.10", f"10.{third}.9.30"]
    for n, ip in enumerate(ips):
        printer_id = seed_printer(db_session, ip, serial=f"EXP-{tag}-{n}")
        if n < 2:
            with db_session() as session:
                printer = session.get(Printer, printer_id)
                counters = {"bw_a4": 1000 + n, "color_a4": 20, "bw_a3": 3, "color_a3": 0, "total_pages": 1023 + n}
                outcome = PollOutcome(
                    status=TaskStatus.SUCCESS,
                    match_rule=MatchRule.SN_MAC,
                    counters=counters,
                    at=datetime(2026, 4, 30, 2, 0, tzinfo=UTC),
                )
                record_poll(session, printer=printer, outcome=outcome)
    return ips


def _template(path: Path, serials: list[str], *, complete: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Отчёт за апрель"
    sheet.merge_cells("A1:F1")
    headers = ["Серийный номер оборудования", "А4 ч/б на конец периода", "А4 цветные на конец периода"]
    headers += ["А3 ч/б на конец периода", "А3 цветные на конец периода" if complete else "Примечание"]
    sheet.append([])
    sheet.append(headers)
    for serial in serials:
        sheet.append([serial])
    book.save(path)
    return path


def test_export_what_the_filters_show_and_fill_a_customer_template(
    page: Page, app_server: AppServer, db_session, tmp_path: Path
) -> None:
    tag = secrets.token_hex(3)
    ips = _seed(db_session, tag)
    page.goto(f"{app_server.base_url}/printers?q=EXP-{tag}")
    expect(page.locator("#printers-table")).to_contain_text(ips[2])
    hydrated(page)
    with page.expect_download() as download:
        page.click("#export-printers")
    assert download.value.suggested_filename == "printers.xlsx"
    exported = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(exported.iter_rows(values_only=True))
    assert rows[0][:3] == ("Организация", "IP-адрес", "Серийный №")
    assert [r[1] for r in rows[1:]] == ips  # the three the search shows, by IP (.2 before .10)
    assert rows[1][6] == 1000 and rows[3][6] is None  # counters of the last successful poll; none for the third

    page.click("#amb-open")
    bad = _template(tmp_path / "bad.xlsx", [f"EXP-{tag}-0"], complete=False)
    with page.expect_file_chooser() as chooser:
        page.locator(".amb-drop").click()
    chooser.value.set_files(str(bad))
    expect(page.locator("#amb-refusal")).to_contain_text("А3 цветные конец периода")

    good = _template(tmp_path / "customer.xlsx", [f"EXP-{tag}-1", f"EXP-{tag}-2", "NOT-OURS-1"])
    with page.expect_file_chooser() as chooser:
        page.locator(".amb-drop").click()
    chooser.value.set_files(str(good))
    expect(page.locator("#amb-filled")).to_contain_text("rows filled: 1")
    expect(page.locator("#amb-not-found")).to_contain_text("NOT-OURS-1")
    expect(page.locator("#amb-without-poll")).to_contain_text(f"EXP-{tag}-2")
    shot(page, "printers_amb_summary_1440")
    with page.expect_download() as download:
        page.click("#amb-download")
    assert download.value.suggested_filename == "amb_report.xlsx"
    filled = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [c.value for c in filled[4]] == [f"EXP-{tag}-1", 1001, 20, 3, 0, datetime(2026, 4, 30, 10, 0)]
    assert filled.cell(row=3, column=6).value == "Дата опроса"


def test_import_printers_preview_then_apply(page: Page, app_server: AppServer, db_session, tmp_path: Path) -> None:
    tag = secrets.token_hex(3)
    third = int(tag[:2], 16)
    book = openpyxl.Workbook()
    book.active.append(["№", "Производитель", "Модель оборудования", "Серийный номер", "IP"])
    book.active.append([1, "E2E Import Maker", f"Model {tag}", f"IMP-{tag}-1", f"10.{third}.8.1"])
    book.active.append([2, "", "", f"IMP-{tag}-2", f"10.{third}.8.2"])
    book.active.append([3, "", "", f"IMP-{tag}-3", "10.1.2"])  # not an IP
    path = tmp_path / "printers.xlsx"
    book.save(path)

    page.goto(f"{app_server.base_url}/printers")
    page.click("#import-printers")
    expect(page.locator("#page-title")).to_have_text("Import printers")
    hydrated(page)
    with page.expect_file_chooser() as chooser:
        page.locator(".printer-import-drop").click()
    chooser.value.set_files(str(path))
    expect(page.locator(".printer-import-chip[data-class='NEW']")).to_have_attribute("data-count", "2")
    expect(page.locator(".printer-import-chip[data-class='ERROR']")).to_have_attribute("data-count", "1")
    expect(page.locator(".printer-import-row[data-row='2']")).to_contain_text("would create")
    expect(page.locator(".printer-import-row[data-row='4']")).to_contain_text("10.1.2")
    shot(page, "printer_import_preview_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "printer_import_preview_390")
    page.set_viewport_size({"width": 1500, "height": 1000})

    page.click("#printer-import-apply")
    expect(page.locator("#printer-import-result")).to_contain_text("2 printers created")
    expect(page.locator(".printer-import-chip[data-class='UNCHANGED']")).to_have_attribute("data-count", "2")
    with db_session() as session:
        stored = session.exec(select(Printer).where(Printer.serial_number.startswith(f"IMP-{tag}"))).all()
        assert sorted(p.ip_address for p in stored) == [f"10.{third}.8.1", f"10.{third}.8.2"]
        assert all(p.is_active for p in stored)
