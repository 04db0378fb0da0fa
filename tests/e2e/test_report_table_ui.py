"""The month table /reports/<YYYY-MM> in a real browser: a seeded month shows its rows, duplicate group and anomaly
marks and the totals; a filter in the URL survives a reload; A edited inline changes K1 in the page and in the
database; the shown rows exported and re-opened with openpyxl; a malformed month; the phone layout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete

from printer_app.models import MonthControl, MonthlyReport
from printer_app.services.reports.groups import recompute_month
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
MONTH = date(2026, 10, 1)


def _seed(db_session) -> dict[str, int]:
    with db_session() as session:
        session.exec(delete(MonthlyReport))
        session.exec(delete(MonthControl))
        session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime.now(UTC) + timedelta(days=5)))
        session.add(MonthlyReport(month=date(2026, 9, 1), serial_number="EX-1", a4_bw_end=1000, total_prints=1000))
        rows = {
            "first": MonthlyReport(
                month=MONTH,
                order_number=1,
                organization="Альфа",
                city="Иркутск",
                serial_number="DUP-1",
                inventory_number="INV-1",
                a4_bw_end=500,
                normative_availability=100,
                actual_downtime=10,
            ),
            "later": MonthlyReport(
                month=MONTH,
                order_number=2,
                organization="Альфа",
                city="Иркутск",
                serial_number="dup-1",
                inventory_number="inv-1",
                a3_bw_end=40,
            ),
            "excess": MonthlyReport(
                month=MONTH, order_number=3, organization="Бета", city="Ангарск", serial_number="EX-1", a4_bw_end=9000
            ),
            "negative": MonthlyReport(
                month=MONTH, order_number=4, organization="Бета", city="Ангарск", serial_number="NEG-1", a4_bw_start=7
            ),
        }
        session.add_all(rows.values())
        session.flush()
        recompute_month(session, MONTH)
        recompute_month(session, date(2026, 9, 1))
        return {name: row.id for name, row in rows.items()}


def _row(page: Page, row_id: int):
    return page.locator(f'#month-table tbody tr[data-id="{row_id}"]')


def test_month_table(page: Page, db_session, tmp_path) -> None:
    ids = _seed(db_session)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports/2026-10")
    expect(page.locator("#page-title")).to_contain_text("October 2026")
    expect(page.locator("#month-table tbody tr")).to_have_count(4)
    expect(page.locator("#total-total_prints")).to_have_text("9,533")  # 500 + 40 + 9,000 − 7
    expect(_row(page, ids["first"]).locator(".rt-group")).to_have_text("A4")
    expect(_row(page, ids["later"]).locator(".rt-group")).to_have_text("A3")
    expect(_row(page, ids["negative"]).locator(".rt-negative")).to_have_text("-7")
    expect(_row(page, ids["negative"]).locator(".rt-negative")).to_have_css("color", "rgb(206, 44, 49)")
    expect(_row(page, ids["excess"]).locator(".rt-total")).to_have_attribute(
        "title", "Excess: 9,000 is more than 2,000 above the average of earlier months (1,000)"
    )
    expect(_row(page, ids["first"]).locator("td.c-k1")).to_have_text("90.00")
    shot(page, "report_table_1440")

    # a filter in the URL narrows the table and survives a reload; a switch adds itself to the URL
    page.goto("/reports/2026-10?org=%D0%91%D0%B5%D1%82%D0%B0")
    expect(page.locator("#month-table tbody tr")).to_have_count(2)
    page.click("#filter-anomalies")
    expect(page).to_have_url("/reports/2026-10?org=%D0%91%D0%B5%D1%82%D0%B0&anomalies=1")
    page.reload()
    expect(page.locator("#month-table tbody tr")).to_have_count(2)
    expect(page.locator("#filter-anomalies")).to_have_attribute("data-state", "checked")
    expect(page.locator("#total-total_prints")).to_have_text("8,993")

    # the shown rows exported (all pages, the table's order) and read back
    with page.expect_download() as download:
        page.click("#export-shown")
    path = tmp_path / "shown.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "monthly_report_2026-10.xlsx"
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "№ п/п" and [r[6] for r in rows[1:]] == ["EX-1", "NEG-1"]

    # A edited inline: K1 follows in the page and in the database; Escape cancels
    page.goto("/reports/2026-10")
    other = page.context.new_page()  # a second tab of the month follows the edit live
    other.goto("/reports/2026-10")
    expect(_row(other, ids["first"]).locator("td.c-k1")).to_have_text("90.00")
    first = _row(page, ids["first"])
    first.locator(".edit-normative_availability").click()
    page.locator("#cell-editor").fill("-3")
    page.keyboard.press("Enter")
    expect(page.locator("#cell-error")).to_contain_text("must be a number of 0 or more")  # also in a toast
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor")).to_have_count(0)
    first.locator(".edit-normative_availability").click()
    page.locator("#cell-editor").fill("200")
    page.keyboard.press("Enter")
    expect(first.locator("td.c-k1")).to_have_text("95.00")
    expect(_row(other, ids["first"]).locator("td.c-k1")).to_have_text("95.00")
    other.close()
    page.locator("#month-table").evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    shot(page, "report_table_scrolled_1440")
    with db_session() as session:
        stored = session.get(MonthlyReport, ids["first"])
        assert stored.normative_availability == 200 and stored.k1 == 95

    # a malformed month says so
    page.goto("/reports/2026-13")
    expect(page.locator("#month-problem")).to_contain_text("not a month")

    # the phone: the table scrolls in its box, the page does not widen
    page.goto("/reports/2026-10")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#month-table tbody tr")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    # the filters fold away behind "Filters" (none is active here), the button opens them
    expect(page.locator("#filter-organization")).to_be_hidden()
    page.click("label[for=report-filters-toggle]")
    expect(page.locator("#filter-organization")).to_be_visible()
    page.click("label[for=report-filters-toggle]")
    shot(page, "report_table_390")
