"""Every page on a phone (390x844) and on a desktop (1440x900): no sideways scroll of the page itself (tables scroll
inside their card), the sidebar folds into a menu, dialogs fit the screen; the dashboard tiles and the lowest
supplies lead to the printers list filtered accordingly; the sign-in page in Russian, in the app's look."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import Organization, Printer
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# path, name of the screenshots, what shows once the page's data is there (None: the title is enough)
PAGES = [
    ("/", "dashboard", "#low-supplies tbody tr"),
    ("/printers", "printers", "table tbody tr"),
    ("/printers/{id}", "printer_detail", "table tbody tr"),
    ("/printers/{id}/web", "web_rules", None),
    ("/discover", "discover", None),
    ("/organizations", "organizations", "tr.org-row"),
    ("/users", "users", "table tbody tr"),
    ("/changes", "change_log", None),
    ("/printers/import", "printer_import", None),
    ("/profile", "profile", None),
    ("/reports/settings", "report_settings", None),
]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _printer_id(db_session) -> int:
    with db_session() as s:
        return s.exec(
            select(Printer.id).where(Printer.is_active, Printer.last_counter_id.is_not(None)).order_by(Printer.id)
        ).first()


def _open(page: Page, path: str, ready: str | None) -> None:
    page.goto(path)
    expect(page.locator("#page-title")).not_to_be_empty()
    if ready:
        expect(page.locator(ready).first).to_be_visible()
    page.wait_for_load_state("networkidle")


def _widths(page: Page) -> tuple[int, int]:
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


CASES = [
    pytest.param(
        path,
        name,
        ready,
        size,
        id=f"{name}-{size}",
    )
    for path, name, ready in PAGES
    for size in ("desktop", "phone")
]


@pytest.mark.parametrize(("path", "name", "ready", "size"), CASES)
def test_every_page_fits_the_screen(page: Page, db_session, demo_data, path, name, ready, size) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    page.set_viewport_size(viewport)
    _open(page, path.format(id=_printer_id(db_session)), ready)
    shot(page, f"{name}_{viewport['width']}")
    scroll_width, inner_width = _widths(page)
    assert scroll_width <= inner_width, f"{path} scrolls sideways at {size}: {scroll_width} > {inner_width} px"
    if size == "phone":  # the navigation is behind the menu button
        expect(page.locator("#nav-printers").first).not_to_be_visible()
        expect(page.locator("#menu-open")).to_be_visible()
    else:
        expect(page.locator("#menu-open")).not_to_be_visible()
        expect(page.locator("#nav-printers").first).to_be_visible()


def test_phone_menu_opens_the_navigation(page: Page, demo_data) -> None:
    page.set_viewport_size(PHONE)
    _open(page, "/", "#low-supplies tbody tr")
    page.click("#menu-open")
    drawer = page.locator("#menu-drawer")
    expect(drawer).to_be_visible()
    expect(drawer.locator("#nav-organizations")).to_be_visible()
    expect(drawer.locator("#sign-out")).to_be_visible()
    box = drawer.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    shot(page, "menu_390")
    drawer.locator("#nav-organizations").click()
    page.wait_for_url(re.compile(r"/organizations$"))
    expect(page.locator("#page-title")).to_have_text("Organizations")
    expect(page.locator("#menu-drawer")).to_have_count(0)  # closed by the navigation


def test_phone_tables_scroll_inside_their_card_and_dialogs_fit(page: Page, demo_data) -> None:
    page.set_viewport_size(PHONE)
    _open(page, "/organizations", "tr.org-row")
    table = page.locator("#org-table")
    table_box = table.bounding_box()
    assert table_box is not None and table_box["x"] >= 0 and table_box["x"] + table_box["width"] <= PHONE["width"]
    # the table is wider than the phone: its own scroll area takes the overflow, not the page
    inner = page.evaluate(
        "(() => { const t = document.querySelector('#org-table table') || document.querySelector('#org-table');"
        " return t.scrollWidth; })()"
    )
    assert inner > PHONE["width"] - 24, inner
    assert _widths(page)[0] <= PHONE["width"]

    page.click("#add-org")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#org-save")).to_be_in_viewport()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    shot(page, "organization_dialog_390")
    page.keyboard.press("Escape")
    expect(page.locator("#org-save")).to_have_count(0)

    # a long form (the printer's) scrolls inside the dialog with Save kept at its bottom, in view
    _open(page, "/printers", "tr.printer-row")
    page.click("#add-printer")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator("#printer-save")).to_be_in_viewport()
    shot(page, "printer_dialog_390")
    page.keyboard.press("Escape")


def test_dashboard_tiles_link_to_the_filtered_printers_list(page: Page, demo_data) -> None:
    _open(page, "/", "#low-supplies tbody tr")
    links = {
        "total": "/printers?active=all",
        "active": "/printers",
        "ok_24h": "/printers?status=ok24h",
        "stale": "/printers?status=stale",
        "failing": "/printers?status=failing",
        "never_polled": "/printers?status=never",
    }
    for key, href in links.items():
        expect(page.locator(f"#tile-{key}")).to_have_attribute("href", href)
    # the four groups add up to the active printers, as the tooltip says
    counts = {key: int(page.locator(f"#count-{key}").inner_text().replace(",", "")) for key in links}
    assert counts["ok_24h"] + counts["stale"] + counts["failing"] + counts["never_polled"] == counts["active"]
    page.hover("#tile-stale")
    expect(page.get_by_role("tooltip")).to_contain_text("more than 24 hours ago")
    expect(page.get_by_role("tooltip")).to_contain_text("The four groups add up to the active printers.")
    shot(page, "dashboard_tooltip")

    page.click("#tile-failing")
    page.wait_for_url(re.compile(r"/printers\?status=failing$"))


def test_lowest_supplies_filter_by_organization_and_link_to_the_list(page: Page, db_session, demo_data) -> None:
    _open(page, "/", "#low-supplies tbody tr")
    show_all = page.locator("#supplies-show-all")
    expect(show_all).to_have_attribute("href", "/printers?supply_below=20")
    with db_session() as s:
        org = s.exec(
            select(Organization).join(Printer, Printer.organization_id == Organization.id).where(Printer.is_active)
        ).first()
        org_printers = set(s.exec(select(Printer.ip_address).where(Printer.organization_id == org.id)).all())

    page.click("#supply-org")
    page.get_by_role("option", name=org.name, exact=True).click()
    expect(show_all).to_have_attribute("href", f"/printers?supply_below=20&org={org.id}")
    rows = page.locator("#low-supplies tr.supply-row")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("td").nth(1)).to_have_text(org.name)
    for cell in rows.locator(".supply-printer").all():  # every row: a printer of that organization, with its model
        ip, model = cell.inner_text().split("\n", 1)
        assert ip in org_printers and model.strip(), (ip, model)
    href = rows.first.locator("a.supply-printer").get_attribute("href")
    assert re.fullmatch(r"/printers/\d+", href or ""), href
    rows.first.locator("a.supply-printer").click()
    page.wait_for_url(re.compile(rf"{re.escape(href)}$"))
    expect(page.locator("#page-title")).not_to_be_empty()


@pytest.mark.anonymous
def test_the_sign_in_page_in_russian_looks_like_the_app(page: Page, app_server) -> None:
    page.context.add_cookies([{"name": "pi_lang", "value": "ru", "url": app_server.base_url}])
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto("/auth/login")
        expect(page.locator("#brand")).to_have_text("Учёт принтеров")
        expect(page.locator("h1")).to_have_text("Войти")
        expect(page.locator("button[type=submit]")).to_have_text("Войти")
        expect(page.locator("a.sso")).to_have_text("Войти через SSO")
        # the app's accent (Radix blue 9) on the buttons, its system font stack, on the app's gray background
        styles = page.evaluate(
            "(() => { const b = getComputedStyle(document.querySelector('button[type=submit]'));"
            " const body = getComputedStyle(document.body);"
            " return [b.backgroundColor, body.fontFamily, body.backgroundColor]; })()"
        )
        assert styles[0] == "rgb(0, 144, 255)" and "system-ui" in styles[1] and styles[2] == "rgb(249, 249, 249)"
        assert _widths(page)[0] <= viewport["width"]
        form = page.locator("form").bounding_box()
        assert form is not None and form["x"] >= 0 and form["x"] + form["width"] <= viewport["width"]
        shot(page, f"sign_in_ru_{viewport['width']}")
    with page.expect_navigation():
        page.click("#lang-en")
    expect(page.locator("button[type=submit]")).to_have_text("Sign in")
    expect(page.locator("#brand")).to_have_text("Printer Inventory")
