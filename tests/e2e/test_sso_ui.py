"""Sign-in in a real browser: SSO through a real OpenID Provider (oidc-provider on loopback), local accounts, the
access-denied page for users not on the whitelist, sign-out at both ends, and pages refusing a signed-out visitor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import User, UserSession
from tests.e2e.conftest import new_context, shot

pytestmark = pytest.mark.e2e


def _sso_sign_in(page: Page, account: str) -> None:
    """From the app's login page through the provider's login and consent forms (its development interactions)."""
    page.goto("/auth/login?next=/")
    page.click("a.sso")
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    consent = page.locator("button[type=submit]")
    if page.url.startswith("http://127.0.0.1") and consent.count():  # the consent form
        consent.first.click()


@pytest.mark.anonymous
def test_signed_out_visitor_is_sent_to_the_login_page(page: Page) -> None:
    page.goto("/printers")
    page.wait_for_url(re.compile(r"/auth/login\?next=%2Fprinters"))
    expect(page.locator("a.sso")).to_have_text("Sign in with SSO")
    shot(page, "login_page")


def test_sso_sign_in_lands_on_the_dashboard_and_signs_out(browser, app_server, db_session) -> None:
    app_server.cli("whitelist", "add", "alice", "--full-name", "Alice Liddell")
    context = new_context(browser, app_server, signed_in=False)
    page = context.new_page()
    try:
        _sso_sign_in(page, "alice")
        page.wait_for_url(f"{app_server.base_url}/")
        expect(page.locator("#page-title")).to_have_text("Dashboard")
        expect(page.locator("#signed-in-user")).to_have_text("Alice Liddell")
        expect(page.locator("#access-denied")).to_have_count(0)
        expect(page.locator("#nav-printers")).to_be_visible()
        expect(page.locator("#nav-discover")).to_have_count(0)  # a Viewer may not run polls: no link to discovery
        shot(page, "sso_dashboard")
        with db_session() as session:
            user = session.exec(select(User).where(User.username == "alice")).one()
            open_sessions = session.exec(
                select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            ).all()
            assert [s.auth_method for s in open_sessions] == ["oidc"]

        # A Viewer (the default group of a new SSO user) may look, but discovery (run_inventory) is not theirs.
        page.goto("/discover")
        expect(page.locator("#access-denied")).to_be_visible()
        shot(page, "access_denied_panel")

        page.click("#sign-out")
        # The provider asks to confirm its own sign-out, then sends the browser back to our login page.
        page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/session/end"))
        page.locator("button[autofocus], button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/auth/login"))
        with db_session() as session:
            revoked = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
            assert all(s.revoked_at is not None for s in revoked)
        page.goto("/printers")
        page.wait_for_url(re.compile(r"/auth/login\?next="))
    finally:
        context.close()


def test_sso_user_not_on_the_whitelist_is_refused(browser, app_server, db_session) -> None:
    context = new_context(browser, app_server, signed_in=False)
    page = context.new_page()
    try:
        _sso_sign_in(page, "mallory")
        expect(page.locator("h1")).to_have_text("Access denied")
        expect(page.locator("body")).to_contain_text("mallory")
        shot(page, "sso_access_denied")
        assert not any(c["name"] == "pi_session" for c in context.cookies())
        page.goto("/printers")
        page.wait_for_url(re.compile(r"/auth/login\?next="))
    finally:
        context.close()


def test_removed_from_whitelist_loses_the_open_tab(browser, app_server) -> None:
    app_server.cli("whitelist", "add", "carol")
    context = new_context(browser, app_server, signed_in=False)
    page = context.new_page()
    try:
        _sso_sign_in(page, "carol")
        page.wait_for_url(f"{app_server.base_url}/")
        page.goto("/printers")
        expect(page.locator("#page-title")).to_have_text("Printers")
        app_server.cli("whitelist", "deactivate", "carol")
        # The next event of the open tab (a sort) finds the session gone and sends the browser to sign in.
        page.locator("#sort-ip").click()
        page.wait_for_url(re.compile(r"/auth/login\?next=%2Fprinters"))
    finally:
        context.close()
