"""The users' language in a real browser: switch to Russian, every page in Russian, the choice kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import Printer, User
from tests.e2e.conftest import VIEWPORT, ensure_local_user, shot, sign_in

pytestmark = pytest.mark.e2e

USER, PASSWORD = "e2e-russian", "E2e-russian-password-2026"  # its own account: the others stay in English
PAGES = [
    "/",
    "/printers",
    "/printers/{id}",
    "/printers/{id}/web",
    "/discover",
    "/organizations",
    "/users",
    "/changes",
    "/contracts",
    "/contracts/import",
    "/contracts/reference",
    "/printers/import",
    "/profile",
    "/reports/settings",
]
# English words of the UI (labels, buttons, headers, states): none may show on a page in Russian. Data values
# (organization and model names, serials, notes stored from devices) are not UI text and do not use these words.
ENGLISH_UI = re.compile(
    r"\b(Dashboard|Printers?|Organizations?|Discover|Users|Change log|Sign out|Search|Reset|Rows per page|Page \d"
    r"|Cancel|Save|Add|Edit|Delete|Status|Last poll|Poll now|Poll all|Never polled|Success|Failed|Active|Inactive"
    r"|Serial|Model|Counters?|Supplies|Toner|Black|Cyan|Magenta|Yellow|History|Whitelist|Groups?|Permissions?"
    r"|Filter|Export|Import|Rules?|Templates?|Preview|Fetch|Name|Code|Address|Network|Scan|Found|Username"
    r"|Email|Full name|Created|Updated|Deleted|When|Who|What|Action|Object|Changes?|Time|Total|Low|Empty|Unknown)\b"
)


def _printer_id(db_session) -> int:
    with db_session() as s:
        return s.exec(select(Printer.id).where(Printer.is_active).order_by(Printer.id)).first()


def _english_words(page: Page) -> list[str]:
    """Each English UI word on the page, with the text around it (to tell where it shows)."""
    text = page.locator("body").inner_text()
    return sorted(
        {f"{m.group(0)} in {text[max(0, m.start() - 40) : m.end() + 40]!r}" for m in ENGLISH_UI.finditer(text)}
    )


def test_a_user_switches_to_russian_and_every_page_follows(browser, app_server, db_session, demo_data) -> None:
    ensure_local_user(app_server, USER, PASSWORD)
    printer_id = _printer_id(db_session)
    context = browser.new_context(viewport=VIEWPORT, base_url=app_server.base_url)
    sign_in(context, app_server, USER, PASSWORD)
    page = context.new_page()
    try:
        page.goto("/printers")
        expect(page.locator("#nav-printers")).to_contain_text("Printers")
        # the switch reloads the page: a full load (the list's own URL updates are same-document navigations)
        with page.expect_event("load"):
            page.locator("#language-switch").get_by_role("radio", name="Русский").click()
        expect(page.locator("#nav-printers")).to_contain_text("Принтеры")
        expect(page.locator("#page-title")).to_have_text("Принтеры")
        with db_session() as s:
            assert s.exec(select(User.language).where(User.username == USER)).one() == "ru"

        for path in PAGES:
            page.goto(path.format(id=printer_id))
            expect(page.locator("#page-title")).not_to_be_empty()
            expect(page.locator("#nav-printers")).to_contain_text("Принтеры")
            expect(page).to_have_title(re.compile(r" · Учёт принтеров$"))
            page.wait_for_load_state("networkidle")
            assert _english_words(page) == [], f"{path}: English UI words on a page in Russian"
            name = path.strip("/").replace("/", "_").replace("{id}", "id") or "dashboard"
            shot(page, f"ru_{name}")
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, f"ru_{name}_phone")
            page.set_viewport_size(VIEWPORT)

        page.reload()  # the choice survives a reload ...
        expect(page.locator("#nav-printers")).to_contain_text("Принтеры")
    finally:
        context.close()

    again = browser.new_context(viewport=VIEWPORT, base_url=app_server.base_url)
    try:  # ... and a new sign-in in another browser
        sign_in(again, app_server, USER, PASSWORD)
        page = again.new_page()
        page.goto("/")
        expect(page.locator("#nav-printers")).to_contain_text("Принтеры")
        # the switch reloads the page: a full load (the list's own URL updates are same-document navigations)
        with page.expect_event("load"):
            page.locator("#language-switch").get_by_role("radio", name="English").click()
        expect(page.locator("#nav-printers")).to_contain_text("Printers")
    finally:
        again.close()


@pytest.mark.anonymous
def test_the_sign_in_page_follows_the_language_cookie(page: Page, app_server) -> None:
    page.goto("/auth/login")
    expect(page.locator("button[type=submit]")).to_have_text("Sign in")
    page.context.add_cookies([{"name": "pi_lang", "value": "ru", "url": app_server.base_url}])
    page.goto("/auth/login")
    expect(page.locator("button[type=submit]")).to_have_text("Войти")
    assert _english_words(page) == []
    shot(page, "ru_sign_in")
