"""Editing in a real browser: two tabs on one printer, organization or whitelist entry (the later save is refused,
naming who changed it and when, and shows the current values), and an unchanged save that keeps the learned model.

Printers made here live on 127.30.40.x.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import AllowedUser, EntityChangeLog, Organization, Printer
from printer_app.services.access.whitelist import save_allowed_user
from tests.e2e.conftest import ADMIN_USER, new_context, seed_printer, shot
from tests.e2e.test_printers_ui import dialog_closed, find_row, open_printers, toast
from tests.factories import make_org

pytestmark = pytest.mark.e2e


def _open_edit(page: Page, ip: str) -> None:
    open_printers(page)
    find_row(page, ip).get_by_title("Edit").click()
    expect(page.locator("#printer-ip_address")).to_have_value(ip)


def test_second_tab_is_told_who_changed_the_printer_and_sees_the_current_values(
    page: Page, browser, app_server, db_session
) -> None:
    ip = "127.30.40.10"
    printer_id = seed_printer(db_session, ip, "E2E-TWO-TABS")
    other_context = new_context(browser, app_server)
    other = other_context.new_page()
    try:
        _open_edit(page, ip)
        _open_edit(other, ip)

        page.fill("#printer-serial_number", "FIRST-TAB")
        page.click("#printer-save")
        dialog_closed(page)
        expect(toast(page, f"Printer {ip} updated")).to_be_visible()

        other.fill("#printer-ip_address", "127.30.40.11")
        other.click("#printer-save")
        notice = other.locator("#printer-form-error")
        expect(notice).to_contain_text(re.compile(rf"changed by {ADMIN_USER} at \d\d:\d\d"))
        expect(notice).to_contain_text("The form now shows the current values")
        expect(notice).to_contain_text("IP address: 127.30.40.11")
        expect(other.locator("#printer-serial_number")).to_have_value("FIRST-TAB")
        expect(other.locator("#printer-ip_address")).to_have_value(ip)
        shot(other, "edit_conflict")
        other.set_viewport_size({"width": 390, "height": 844})
        shot(other, "edit_conflict_phone")
        other.set_viewport_size({"width": 1440, "height": 900})
        shot(other, "edit_conflict_wide")

        with db_session() as s:
            stored = s.get(Printer, printer_id)
            assert (stored.serial_number, stored.ip_address) == ("FIRST-TAB", ip)

        other.fill("#printer-ip_address", "127.30.40.11")  # entered again on the current values: saved
        other.click("#printer-save")
        dialog_closed(other)
        with db_session() as s:
            stored = s.get(Printer, printer_id)
            assert (stored.serial_number, stored.ip_address) == ("FIRST-TAB", "127.30.40.11")
    finally:
        other_context.close()


def test_saving_the_dialog_unchanged_keeps_the_learned_model(page: Page, db_session) -> None:
    ip = "127.30.40.20"
    printer_id = seed_printer(db_session, ip, "E2E-LEARNED", mac_address="14:CB:19:95:2E:A0")
    # what a poll learns from the device (docs/inventory-and-polling.md §3): the model as free text
    with db_session() as s:
        printer = s.get(Printer, printer_id)
        printer.model = "HP LaserJet MFP M130nw"
    with db_session() as s:
        version = s.get(Printer, printer_id).version

    _open_edit(page, ip)
    expect(page.locator("#printer-device_model_id")).to_have_text("HP LaserJet MFP M130nw (not in the catalogue)")
    shot(page, "edit_learned_model")
    page.click("#printer-save")
    dialog_closed(page)
    expect(find_row(page, ip)).to_contain_text("HP LaserJet MFP M130nw")

    with db_session() as s:
        stored = s.get(Printer, printer_id)
        assert (stored.model, stored.version) == ("HP LaserJet MFP M130nw", version)
        actions = s.exec(
            select(EntityChangeLog.action).where(
                EntityChangeLog.object_type == "printer", EntityChangeLog.object_id == printer_id
            )
        ).all()
        assert actions == ["create"]


def _both_widths(page: Page, name: str) -> None:
    """Screenshots of the open dialog at desktop and at phone width (the team looks at both)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"{name}_phone")


def test_organization_rename_from_a_stale_dialog_is_refused(page: Page, browser, app_server, db_session) -> None:
    name = f"E2E Conflict {secrets.token_hex(3)}"
    with db_session() as s:
        org_id = make_org(s, name=name, code="OLD").id
    other_context = new_context(browser, app_server)
    other = other_context.new_page()
    try:
        for tab in (page, other):
            tab.goto("/organizations")
            tab.locator("tr.org-row", has_text=name).get_by_role("button", name="Rename").click()
            expect(tab.locator("#org-name")).to_have_value(name)

        page.fill("#org-name", name + " Ltd")
        page.click("#org-save")
        expect(page.locator("#org-save")).to_have_count(0)
        other.fill("#org-code", "NEW")
        other.click("#org-save")

        notice = other.locator("#org-form-error")
        expect(notice).to_contain_text(re.compile(rf"changed by {ADMIN_USER} at \d\d:\d\d"))
        expect(notice).to_contain_text("Code: NEW")
        expect(other.locator("#org-name")).to_have_value(name + " Ltd")
        expect(other.locator("#org-code")).to_have_value("OLD")
        _both_widths(other, "organization_conflict")
        with db_session() as s:
            org = s.get(Organization, org_id)
            assert (org.name, org.code) == (name + " Ltd", "OLD")
    finally:
        other_context.close()


def test_whitelist_edit_from_a_stale_dialog_is_refused(page: Page, browser, app_server, db_session) -> None:
    username = f"stale_{secrets.token_hex(3)}"
    with db_session() as s:
        save_allowed_user(s, username=username, full_name="Before", notes="first note")
    other_context = new_context(browser, app_server)
    other = other_context.new_page()
    try:
        for tab in (page, other):
            tab.goto("/users")
            tab.click("#tab-whitelist")
            tab.locator(f"#entry-{username}").get_by_role("button", name="Edit").click()
            expect(tab.locator("#entry-full_name")).to_have_value("Before")

        page.fill("#entry-notes", "second note")
        page.click("#entry-save")
        expect(page.locator("#entry-save")).to_have_count(0)
        other.fill("#entry-full_name", "After")
        other.click("#entry-save")

        notice = other.locator("#entry-form-error")
        expect(notice).to_contain_text(re.compile(rf"changed by {ADMIN_USER} at \d\d:\d\d"))
        expect(notice).to_contain_text("Full name: After")
        expect(other.locator("#entry-notes")).to_have_value("second note")
        _both_widths(other, "whitelist_conflict")
        with db_session() as s:
            entry = s.exec(select(AllowedUser).where(AllowedUser.username == username)).one()
            assert (entry.full_name, entry.notes) == ("Before", "second note")
    finally:
        other_context.close()
