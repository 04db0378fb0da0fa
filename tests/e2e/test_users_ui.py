"""User management and the change log in a real browser: create a local user, their access, deactivation signing
them out of an open tab, the SSO whitelist tab (add, validation, CSV import, remove), and the change log."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import select

from printer_app.models import AllowedUser, User
from printer_app.models.base import utcnow
from printer_app.services.access.roles import set_user_groups, user_group_names
from tests.e2e.conftest import hydrated, new_context, shot, sign_in
from tests.e2e.socket_helpers import HeldAnswers

pytestmark = pytest.mark.e2e

PASSWORD = "Viewer-password-2026"


def _seed_sso_users(db_session) -> None:
    """A few SSO accounts (as a first SSO sign-in leaves them), so the table has more than the admin."""
    people = [
        ("olga_k", "Olga Kuznetsova", ["Viewer"]),
        ("ivan_p", "Ivan Petrov", ["Inventory — Editor", "Dashboard — Viewer"]),
    ]
    with db_session() as s:
        for username, full_name, groups in people:
            if s.exec(select(User).where(User.username == username)).first() is None:
                user = User(
                    username=username, full_name=full_name, email=f"{username}@corp.example", last_login=utcnow()
                )
                s.add(user)
                s.flush()
                set_user_groups(s, user=user, group_names=groups, actor_id=None)


def _create_user(page: Page, username: str) -> None:
    """Through the "New local user" dialog, first with mistakes (shown by field), then right."""
    page.click("#add-user")
    page.fill("#new-user-username", username)
    page.fill("#new-user-email", "not-an-email")
    page.fill("#new-user-password", "short")
    page.click("#new-user-save")
    expect(page.locator("#error-password")).to_contain_text("at least 10 characters")
    expect(page.locator("#error-email")).to_have_text("Not a valid email address")
    shot(page, "users_new_user_errors")
    page.fill("#new-user-full_name", "Vera Viewer")
    page.fill("#new-user-email", f"{username}@example.com")
    page.fill("#new-user-password", PASSWORD)
    expect(page.locator("#error-password")).to_have_count(0)  # editing a field clears its message
    page.locator("#new-user-groups label", has_text="Inventory — Viewer").click()
    page.click("#new-user-save")
    expect(page.locator("#new-user-save")).to_have_count(0)


def test_admin_creates_a_user_whose_access_follows_groups_and_deactivation(
    page: Page, browser, app_server, db_session
) -> None:
    username = f"vera{secrets.token_hex(3)}"
    _seed_sso_users(db_session)
    page.goto("/users")
    expect(page.locator("#page-title")).to_have_text("Users")
    expect(page.locator("#user-e2e-admin")).to_contain_text("Superuser")
    _create_user(page, username)
    row = page.locator(f"#user-{username}")
    expect(row).to_contain_text("Inventory — Viewer")
    expect(row).to_contain_text("Local")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("never")
    shot(page, "users_list")
    with db_session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        assert (user.full_name, user.email, user.is_active) == ("Vera Viewer", f"{username}@example.com", True)
        assert user_group_names(s, user.id) == ["Inventory — Viewer"]

    # The admin cannot deactivate themselves: the button is disabled on their own row.
    expect(page.locator("#user-e2e-admin .toggle-active")).to_be_disabled()

    # The groups dialog shows the bootstrapped groups with their Russian labels.
    row.locator(".edit-groups").click()
    expect(page.locator("#groups-picker")).to_contain_text("Инвентаризация — Просмотр")
    expect(page.locator("#groups-picker label", has_text="Inventory — Viewer").get_by_role("checkbox")).to_be_checked()
    shot(page, "users_groups_dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#groups-save")).to_have_count(0)

    context = new_context(browser, app_server, signed_in=False)
    other = context.new_page()
    try:
        sign_in(context, app_server, username, PASSWORD)
        other.goto("/users")
        expect(other.locator("#access-denied")).to_be_visible()
        expect(other.locator("#user-table")).to_have_count(0)
        expect(other.locator("#nav-users")).to_have_count(0)
        shot(other, "users_access_denied")
        other.goto("/printers")
        expect(other.locator("#page-title")).to_have_text("Printers")
        expect(other.locator("#access-denied")).to_have_count(0)
        expect(other.locator("#signed-in-user")).to_have_text("Vera Viewer")

        row.locator(".toggle-active").click()
        expect(page.locator("#confirm-deactivate")).to_be_visible()
        shot(page, "users_deactivate_confirm")
        page.click("#confirm-deactivate")
        expect(row).to_contain_text("Inactive")
        expect(row.get_by_role("button", name="Activate")).to_be_visible()

        # The user's open tab: their next action finds the session gone and goes to the login page.
        other.locator("#sort-ip").click()
        other.wait_for_url(re.compile(r"/auth/login\?next=%2Fprinters"))
    finally:
        context.close()

    page.goto("/changes")
    expect(page.locator("#page-title")).to_have_text("Change log")
    hydrated(page)  # the search field remounts once the page's state is there: typing before would be lost
    page.fill("#change-search", username)
    rows = page.locator(".change-row")
    expect(rows).to_have_count(3)  # newest first: deactivated, groups set, created
    expect(rows.nth(0)).to_contain_text("Updated")
    expect(rows.nth(0)).to_contain_text("Active:")
    expect(rows.nth(0).locator(".change-new")).to_have_text("no")
    expect(rows.nth(1)).to_contain_text("Groups:")
    expect(rows.nth(1).locator(".change-new")).to_have_text("Inventory — Viewer")
    created = rows.nth(2)
    expect(created).to_contain_text("Created")
    expect(created).to_contain_text(f"User {username}")
    expect(created).to_contain_text("e2e-admin")
    expect(created).to_contain_text(f"{username}@example.com")
    expect(created).not_to_contain_text("password")
    shot(page, "change_log")


def test_change_log_filters_and_links_to_printers(page: Page, app_server) -> None:
    page.goto("/printers")
    page.click("#add-printer")
    ip = f"127.31.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    page.fill("#printer-ip_address", ip)
    page.fill("#printer-serial_number", f"E2E-LOG-{secrets.token_hex(2)}")
    page.click("#printer-save")
    expect(page.locator("#printer-save")).to_have_count(0)

    page.goto("/changes")
    hydrated(page)
    page.locator("#filter-object_type").click()
    page.get_by_role("option", name="Printer", exact=True).click()
    rows = page.locator(".change-row")
    expect(rows.first).to_contain_text(f"Printer {ip}")
    page.fill("#change-search", ip)  # other tests of the session delete printers of their own
    expect(rows).to_have_count(1)
    page.locator("#filter-action").click()
    page.get_by_role("option", name="Deleted", exact=True).click()
    expect(page.locator("#pager-range")).to_have_text("No changes match")
    page.click("#change-reset")
    page.fill("#change-search", ip)
    expect(rows).to_have_count(1)
    rows.first.locator(".object-link").click()
    page.wait_for_url(re.compile(r"/printers/\d+$"))
    expect(page.locator("#page-title")).to_have_text(f"Printer {ip}")


def test_search_typed_after_reset_is_kept_when_the_reset_answers_late(page: Page, db_session) -> None:
    """The server's answer to Reset is held until the user typed a search after the click (a slow server): their
    text stays and decides the rows, whether retyped as it was or typed while the answer arrives."""
    _seed_sso_users(db_session)
    answers = HeldAnswers(page)
    page.goto("/users")
    search, rows = page.locator("#user-search"), page.locator(".user-row")
    search.fill("olga_k")
    expect(rows).to_have_count(1)

    answers.holding = True
    page.click("#user-filter-reset")
    answers.wait_until(lambda: answers.held, "the answer to Reset")
    search.fill("olga_k")  # the same text again
    answers.holding = False
    answers.release()
    expect(search).to_have_value("olga_k")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("olga_k")

    answers.holding = True
    page.click("#user-filter-reset")
    answers.wait_until(lambda: answers.held, "the answer to Reset")
    since = len(answers.sent)
    search.press("Control+a")
    search.press_sequentially("iv")
    answers.wait_sent("set_search", since)
    answers.release(1)  # the answer to Reset arrives while the user types on
    expect(rows.nth(1)).to_be_visible()  # the reset rows are shown (the search's answer is still held)
    search.press_sequentially("an_p")
    answers.holding = False
    answers.release()
    expect(search).to_have_value("ivan_p")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ivan_p")

    searched = re.compile(r'"search[a-z_]*":\s*"ivan_p"')  # the state update carrying the search, not a row
    answers.wait_until(lambda: any(searched.search(m) for m in answers.delivered), "the answer to the search")
    page.reload()  # the tab's state keeps the search: the field shows it again once the page has loaded
    expect(rows).to_have_count(1)
    expect(search).to_have_value("ivan_p")


def test_whitelist_tab_adds_validates_imports_and_removes(page: Page, db_session) -> None:
    tag = secrets.token_hex(3)
    page.goto("/users")
    page.click("#tab-whitelist")
    page.click("#add-entry")
    page.click("#entry-save")
    expect(page.locator("#error-username")).to_have_text("Username is required")
    shot(page, "whitelist_dialog_error")
    page.fill("#entry-username", f"Wl.{tag}@Corp")
    page.fill("#entry-full_name", "Whit List")
    page.fill("#entry-notes", "contractor until June")
    page.locator("#entry-groups label", has_text="Dashboard — Viewer").click()
    page.click("#entry-save")
    entry = page.locator(f"#entry-wl_{tag}_corp")
    expect(entry).to_contain_text("Dashboard — Viewer")
    expect(entry).to_contain_text("by e2e-admin")

    good = f"username,email,full_name,groups\ncsv_{tag}_a,a@example.com,Anna,Viewer\ncsv_{tag}_b,,Boris,\n"
    hydrated(page)
    page.set_input_files(
        "#whitelist-csv input[type=file]", files=[{"name": "ok.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    expect(page.locator("#import-summary")).to_contain_text("2 created, 0 updated, 0 errors")
    expect(page.locator(f"#entry-csv_{tag}_a")).to_contain_text("Viewer")
    bad = f"username,groups\ncsv_{tag}_c,No such group\n"
    hydrated(page)
    page.set_input_files(
        "#whitelist-csv input[type=file]", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    expect(page.locator("#import-summary")).to_contain_text("0 created, 0 updated, 1 error —")
    expect(page.locator("#import-result")).to_contain_text("line 2")
    page.fill("#whitelist-search", tag)
    expect(page.locator(".entry-row")).to_have_count(3)
    shot(page, "whitelist_tab")

    entry.get_by_role("button", name="Edit").click()
    expect(page.locator("#entry-username")).to_be_disabled()
    expect(page.locator("#entry-groups label", has_text="Dashboard — Viewer").get_by_role("checkbox")).to_be_checked()
    page.fill("#entry-full_name", "Whitney List")
    page.click("#entry-save")
    expect(entry).to_contain_text("Whitney List")

    entry.get_by_role("button", name="Deactivate").click()
    expect(entry).to_contain_text("Inactive")
    entry.get_by_title("Remove from the whitelist").click()
    expect(page.locator("#confirm-remove")).to_be_visible()
    page.click("#confirm-remove")
    expect(entry).to_have_count(0)
    with db_session() as s:
        names = s.exec(select(AllowedUser.username).where(func.lower(AllowedUser.username).contains(tag))).all()
        assert sorted(names) == [f"csv_{tag}_a", f"csv_{tag}_b"]
