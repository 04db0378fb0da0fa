"""`/reports/settings` in a real browser: a force-lock override added with its reason, seen in the list, edited to
unlock, deleted after the question; a model spec added and a duplicate name refused; the route next to
`/reports/<month>` (the static one wins, a month still opens); the phone layout."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import EntityChangeLog, MonthControl, MonthlyReport, PrinterModelSpec, SerialEditOverride
from tests.e2e.conftest import hydrated, shot

pytestmark = pytest.mark.e2e

MAY = date(2032, 5, 1)  # far from the other report tests' months


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def _seed_month(db_session, model: str) -> None:
    """May 2032, published and open, with one row of `model`."""
    with db_session() as session:
        for row in session.exec(select(MonthlyReport).where(MonthlyReport.month == MAY)).all():
            session.delete(row)
        for control in session.exec(select(MonthControl).where(MonthControl.month == MAY)).all():
            session.delete(control)
        session.flush()
        session.add(MonthlyReport(month=MAY, order_number=1, organization="E2E S", serial_number="E2E-S1",
                                  equipment_model=model))  # fmt: skip
        session.add(MonthControl(month=MAY, is_published=True, edit_until=datetime(2032, 6, 10, tzinfo=UTC)))


def test_overrides_and_specs(page: Page, db_session) -> None:
    tag = secrets.token_hex(3).upper()
    serial, model = f"E2E-OV-{tag}", f"E2E Model {tag}"
    _seed_month(db_session, model.lower())
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports")
    page.click("#report-settings")
    expect(page.locator("#page-title")).to_have_text("Report settings")
    hydrated(page)

    # add a force lock: first without the reason it needs
    page.click("#ov-add")
    page.fill("#ov-serial", f"  {serial} ")
    _pick(page, "#ov-mode", "Force lock")
    page.click("#ov-save")
    expect(page.locator("#error-reason")).to_have_text("A force lock needs a reason.")
    page.fill("#ov-reason", "Counter disputed by the customer")
    page.fill("#ov-expires", "2025-01-01T10:00")
    page.click("#ov-save")
    expect(page.locator("#error-expires")).to_have_text("The expiry must be in the future.")
    page.fill("#ov-expires", "2040-06-01T10:30")
    shot(page, "report_settings_override_dialog")
    page.click("#ov-save")
    row = page.locator("tr.ov-row", has_text=serial)
    expect(row).to_contain_text("Force lock")
    expect(row).to_contain_text("Counter disputed by the customer")
    expect(row).to_contain_text("2040-06-01 10:30")
    shot(page, "report_settings_overrides")
    with db_session() as session:
        stored = session.exec(select(SerialEditOverride).where(SerialEditOverride.serial == serial)).one()
        assert not stored.allow_manual_edit and stored.expires_at.year == 2040

    # a duplicate in another case is refused, naming the existing one
    page.click("#ov-add")
    page.fill("#ov-serial", serial.lower())
    page.click("#ov-save")
    expect(page.locator("#error-serial")).to_contain_text(f"“{serial}”")
    page.keyboard.press("Escape")
    expect(page.locator("#ov-save")).to_have_count(0)

    # edit it to unlock, without an expiry
    row.locator(".ov-edit").click()
    expect(page.locator("#ov-serial")).to_have_value(serial)
    _pick(page, "#ov-mode", "Unlock")
    page.fill("#ov-expires", "")
    page.click("#ov-save")
    expect(row).to_contain_text("Unlock")
    expect(row.locator("td").nth(2)).to_have_text("—")

    # the filters: an unlock is not among the force locks
    _pick(page, "#filter-status", "Force lock")
    expect(page.locator("tr.ov-row", has_text=serial)).to_have_count(0)
    _pick(page, "#filter-status", "Unlock")
    expect(row).to_be_visible()

    # delete after the question
    row.locator(".ov-delete").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(serial)
    page.click("#ov-delete-confirm")
    expect(page.locator("tr.ov-row", has_text=serial)).to_have_count(0)
    with db_session() as session:
        assert session.exec(select(SerialEditOverride).where(SerialEditOverride.serial == serial)).first() is None
        actions = session.exec(
            select(EntityChangeLog.action).where(EntityChangeLog.object_repr == f"SerialEditOverride {serial}")
        ).all()
        assert sorted(actions) == ["create", "delete", "update"]

    # model specs: add one (its month row counts), then a duplicate name is refused
    page.click("#tab-specs")
    page.click("#spec-add")
    page.fill("#spec-model_name", model)
    _pick(page, "#spec-kind", "Colour")
    _pick(page, "#spec-paper_format", "A3")
    page.click("#spec-save")
    spec_row = page.locator("tr.spec-row", has_text=model)
    expect(spec_row).to_contain_text("Colour")
    expect(spec_row.locator(".spec-rows")).to_have_text("1")
    page.click("#spec-add")
    page.fill("#spec-model_name", f"  {model.upper()}  ")
    page.click("#spec-save")
    expect(page.locator("#error-model_name")).to_have_text(f"There is already a spec for the model “{model}”.")
    shot(page, "report_settings_spec_duplicate")
    page.keyboard.press("Escape")
    spec_row.locator(".spec-delete").click()
    expect(page.locator("#spec-delete-text")).to_contain_text("1 row of open months uses it")
    shot(page, "report_settings_spec_delete")
    page.click("#spec-delete-confirm")
    expect(page.locator("tr.spec-row", has_text=model)).to_have_count(0)
    with db_session() as session:
        assert session.exec(select(PrinterModelSpec).where(PrinterModelSpec.model_name == model)).first() is None

    # the phone layout
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#tab-overrides")
    expect(page.locator("#ov-add")).to_be_visible()
    shot(page, "report_settings_phone")
    page.click("#tab-specs")
    expect(page.locator("#spec-add")).to_be_visible()
    shot(page, "report_settings_specs_phone")


def test_settings_route_beside_the_month_route(page: Page, db_session) -> None:
    _seed_month(db_session, "any")
    page.goto("/reports/settings")
    expect(page.locator("#page-title")).to_have_text("Report settings")
    expect(page.locator("#ov-table")).to_be_visible()
    page.goto("/reports/2032-05")
    expect(page.locator("#page-title")).to_contain_text("May 2032")
    expect(page.locator("#ov-table")).to_have_count(0)
