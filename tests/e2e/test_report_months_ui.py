"""The month list (`/reports`) in a real browser: a seeded month with its figures, publish followed live by a second
tab, the export re-opened with openpyxl, delete after a question naming the month and its rows, "Create month from
contracts", and the phone layout (a card per month)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from printer_app.models import ContractDevice, MonthControl, MonthlyReport, Organization
from printer_app.services.reports.groups import recompute_month
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

MARCH, FEBRUARY = date(2031, 3, 1), date(2031, 2, 1)  # far from the demo's month and the other report tests'


def _seed(db_session) -> str:
    """March 2031: three rows, unpublished, editable; February 2031: one row. Returns a contract organization id."""
    tag = secrets.token_hex(3)
    with db_session() as session:
        for month in (MARCH, FEBRUARY, date(2031, 4, 1)):
            for row in session.exec(select(MonthlyReport).where(MonthlyReport.month == month)).all():
                session.delete(row)
            for control in session.exec(select(MonthControl).where(MonthControl.month == month)).all():
                session.delete(control)
        session.add_all(
            [
                MonthlyReport(month=MARCH, order_number=1, organization="E2E Alpha", serial_number="E2E-M1",
                              a4_bw_start=1000, a4_bw_end=2500, normative_availability=100, actual_downtime=10),
                MonthlyReport(month=MARCH, order_number=2, organization="E2E Alpha", serial_number="E2E-M2",
                              a4_bw_start=10, a4_bw_end=20, normative_availability=100, actual_downtime=30),
                MonthlyReport(month=MARCH, order_number=3, organization="E2E Beta", serial_number="E2E-M3",
                              a4_bw_end=5, non_overdue_requests=1, total_requests=2),
                MonthlyReport(month=FEBRUARY, organization="E2E Alpha", serial_number="E2E-F1", a4_bw_end=7),
                MonthControl(month=MARCH, is_published=False, edit_until=datetime(2031, 4, 10, 12, 0, tzinfo=UTC)),
            ]
        )  # fmt: skip
        org = Organization(name=f"E2E Contracts {tag}")
        session.add(org)
        session.flush()
        session.add(ContractDevice(organization_id=org.id, serial_number=f"E2E-C-{tag}", address="Lenina 5"))
        session.flush()
        recompute_month(session, MARCH)
        recompute_month(session, FEBRUARY)
        return str(org.id)


def test_month_list(page: Page, db_session, tmp_path) -> None:
    org_id = _seed(db_session)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports")
    expect(page.locator("#page-title")).to_have_text("Monthly reports")
    march = page.locator("#month-2031-03")
    expect(march).to_contain_text("March 2031")
    cells = march.locator("td")
    expect(cells.nth(1)).to_have_text("3")  # rows
    expect(cells.nth(2)).to_have_text("2")  # organizations
    expect(cells.nth(3)).to_have_text("1,515")  # total prints
    expect(cells.nth(4)).to_have_text("80 / 50")  # average K1 over rows with A > 0 ((90 + 70) / 2), K2 over W > 0
    expect(cells.nth(5)).to_contain_text("Completion")  # metrics (an admin holds the permission)
    expect(cells.nth(5)).to_contain_text("Auto-filled")
    expect(march).to_contain_text("Hidden")
    expect(march).to_contain_text("until")
    shot(page, "report_months")

    # publish: stored, and a second tab follows without a reload
    other = page.context.new_page()
    other.set_viewport_size({"width": 1440, "height": 900})
    other.goto("/reports")
    expect(other.locator("#month-2031-03")).to_contain_text("Hidden")
    page.click("#publish-2031-03")
    expect(march).to_contain_text("Published")
    expect(other.locator("#month-2031-03")).to_contain_text("Published")
    with db_session() as session:
        assert session.exec(select(MonthControl.is_published).where(MonthControl.month == MARCH)).one()
    other.close()

    # export, re-opened with openpyxl
    with page.expect_download() as download:
        page.click("#export-2031-03")
    assert download.value.suggested_filename == "monthly_report_2031-03.xlsx"
    path = tmp_path / "month.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path)["2031-03"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][6] == "Серийный номер оборудования" and [r[6] for r in rows[1:]] == ["E2E-M1", "E2E-M2", "E2E-M3"]
    assert rows[1][16] == 1500

    # delete February after the question naming it and its rows
    page.click("#delete-2031-02")
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("February 2031")
    expect(question).to_contain_text("with its 1 row and its")
    shot(page, "report_months_delete")
    page.click("#confirm-delete-month")
    expect(page.locator("#month-2031-02")).to_have_count(0)
    with db_session() as session:
        assert session.exec(select(func.count()).where(MonthlyReport.month == FEBRUARY)).one() == 0

    # create April 2031 from the contract device of the seeded organization
    page.click("#from-contracts")
    page.fill("#fc-month", "2031-04")
    page.click(f"#fc-org-{org_id}")
    page.click("#fc-preview-button")
    expect(page.locator("#fc-preview")).to_contain_text("1 of 1 devices would be added")
    shot(page, "report_months_from_contracts")
    page.click("#fc-create")
    expect(page.locator("#fc-result")).to_contain_text("2031-04: rows created: 1")
    page.keyboard.press("Escape")
    expect(page.locator("#month-2031-04")).to_contain_text("April 2031")
    with db_session() as session:
        assert session.exec(select(func.count()).where(MonthlyReport.month == date(2031, 4, 1))).one() == 1

    # a phone: a card per month, the page does not widen
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#card-month-2031-03")).to_be_visible()
    expect(page.locator("#months-table")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "report_months_phone")


def test_month_list_in_russian(browser, app_server, db_session) -> None:
    """The month list of a Russian-speaking user (its own account: the others stay in English): no English label."""
    from tests.e2e.conftest import VIEWPORT, ensure_local_user, sign_in
    from tests.e2e.test_language_ui import _english_words

    _seed(db_session)
    user, password = "e2e-months-ru", "E2e-months-password-2026"
    ensure_local_user(app_server, user, password)
    context = browser.new_context(viewport=VIEWPORT, base_url=app_server.base_url)
    sign_in(context, app_server, user, password)
    page = context.new_page()
    try:
        page.goto("/reports")
        expect(page.locator("#month-2031-03")).to_contain_text("March 2031")
        with page.expect_event("load"):
            page.locator("#language-switch").get_by_role("radio", name="Русский").click()
        expect(page.locator("#page-title")).to_have_text("Ежемесячные отчёты")
        expect(page.locator("#month-2031-03")).to_contain_text("Март 2031")
        expect(page.locator("#month-2031-03")).to_contain_text("1 515")
        page.wait_for_load_state("networkidle")
        assert _english_words(page) == []
        page.set_viewport_size({"width": 1440, "height": 900})
        shot(page, "report_months_ru")
        page.click("#delete-2031-03")
        expect(page.get_by_role("alertdialog")).to_contain_text("за март 2031 — 3 строки")
        shot(page, "report_months_ru_delete")
        page.keyboard.press("Escape")
        page.set_viewport_size({"width": 390, "height": 844})
        expect(page.locator("#card-month-2031-03")).to_be_visible()
        shot(page, "report_months_ru_phone")
    finally:
        context.close()
