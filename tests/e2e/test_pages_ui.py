"""Printer detail, dashboard and organizations pages in a real browser."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import select

from printer_app.models import InventoryTask, Organization, Printer
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_printer_detail_charts_and_history(page: Page, db_session, demo_data) -> None:
    with db_session() as s:
        printer = s.exec(
            select(Printer)
            .where(Printer.ip_address.like("127.20.%"), Printer.is_active, Printer.last_counter_id.is_not(None))
            .order_by(Printer.id)
        ).first()
        polls = s.exec(select(func.count(InventoryTask.id)).where(InventoryTask.printer_id == printer.id)).one()
    assert 25 < polls <= 50, polls  # two history pages at the default 25 rows

    page.goto(f"/printers/{printer.id}")
    expect(page.locator("#page-subtitle")).to_contain_text(printer.ip_address)
    expect(page.locator("#history-table tbody tr")).to_have_count(25)
    expect(page.locator("#usage-chart .recharts-bar-rectangle").first).to_be_attached()
    expect(page.locator("#supplies-chart .recharts-line-curve").first).to_be_attached()
    assert page.locator("#supplies-chart .recharts-line-curve").count() >= 1
    expect(page.locator("#pager-range")).to_have_text(f"1–25 of {polls}")
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2")
    page.wait_for_timeout(800)  # let recharts finish its line animation for a readable screenshot
    shot(page, "printer_detail")

    page.click("#page-next")
    expect(page.locator("#page-info")).to_have_text("Page 2 of 2")
    expect(page.locator("#pager-range")).to_have_text(f"26–{polls} of {polls}")
    expect(page.locator("#history-table tbody tr")).to_have_count(polls - 25)
    expect(page.locator("#page-next")).to_be_disabled()
    page.click("#page-prev")
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2")
    expect(page.locator("#history-table tbody tr")).to_have_count(25)


def test_dashboard_counts_and_chart(page: Page, db_session, demo_data) -> None:
    with db_session() as s:
        total = s.exec(select(func.count(Printer.id))).one()
        active = s.exec(select(func.count(Printer.id)).where(Printer.is_active)).one()
    page.goto("/")
    expect(page.locator("#count-total")).to_have_text(str(total))
    expect(page.locator("#count-active")).to_have_text(str(active))
    bars = page.locator("#outcomes-chart .recharts-bar-rectangle")
    expect(bars.first).to_be_attached()
    assert bars.count() >= 1
    expect(page.locator("#low-supplies tbody tr").first).to_be_visible()
    page.wait_for_timeout(800)  # bar animation
    shot(page, "dashboard")


def _org_options(page: Page) -> list[str]:
    """The organization choices of the add-printer dialog (opens and closes the dialog)."""
    page.goto("/printers")
    expect(page.locator("tr.printer-row").first).to_be_visible()
    page.click("#add-printer")
    page.click("#printer-organization_id")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    names = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")  # closes the select
    page.click("#printer-cancel")
    expect(page.locator("#printer-save")).to_have_count(0)
    return names


def test_organizations_add_duplicate_deactivate(page: Page, db_session, demo_data) -> None:
    name = f"E2E Org {secrets.token_hex(3)}"
    page.goto("/organizations")
    expect(page.locator("tr.org-row").first).to_be_visible()

    page.click("#add-org")
    page.fill("#org-name", name)
    page.fill("#org-code", "E2E")
    page.click("#org-save")
    expect(page.locator("#org-save")).to_have_count(0)
    org_row = page.locator("tr.org-row", has_text=name)
    expect(org_row).to_be_visible()
    state_cell = org_row.locator("td").nth(2)
    expect(state_cell).to_have_text("Active")
    with db_session() as s:
        org = s.exec(select(Organization).where(Organization.name == name)).one()
        assert org.active and org.code == "E2E"

    # the same name in another case is a duplicate
    page.click("#add-org")
    page.fill("#org-name", name.upper())
    page.click("#org-save")
    expect(page.locator("#error-name")).to_contain_text("already exists")
    expect(page.locator("#org-save")).to_be_visible()
    shot(page, "organization_duplicate")
    page.keyboard.press("Escape")
    expect(page.locator("#org-save")).to_have_count(0)
    with db_session() as s:
        same = s.exec(select(func.count(Organization.id)).where(func.lower(Organization.name) == name.lower())).one()
        assert same == 1

    assert name in _org_options(page)  # active: offered for printers

    page.goto("/organizations")
    org_row = page.locator("tr.org-row", has_text=name)
    org_row.get_by_role("button", name="Deactivate").click()
    expect(state_cell).to_have_text("Inactive")
    expect(org_row.get_by_role("button", name="Activate")).to_be_visible()
    shot(page, "organization_deactivated")
    with db_session() as s:
        assert s.get(Organization, org.id).active is False

    options = _org_options(page)
    assert name not in options
    assert "No organization" in options
    assert "Angara Logistics" in options  # the other (active) organizations are still offered
