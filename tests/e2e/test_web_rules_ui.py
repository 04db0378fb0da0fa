"""The rule builder (/printers/<id>/web) in a real browser: fetch a printer's page into the preview, pick values by
clicking them, save the rules, test them all, poll for real and see the counter on /printers; and a Viewer who may
look but not save.

An app server of its own: the printer is the test web server on 127.0.0.1, which the SSRF guard refuses unless
ALLOW_LOOPBACK_TARGETS is set (the session server does not set it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from printer_app.models import Printer, WebParsingRule
from tests.e2e.conftest import AppServer, ensure_local_user, new_context, own_server, sessions_of, shot, sign_in
from tests.web_server import PrinterWebServer, RecordingServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

INFO, VOLUME = "/infomation.asp", "/prtmaint/prtvolume.asp"
VIEWER, VIEWER_PASSWORD = "web-viewer", "Web-viewer-password-2026"


@pytest.fixture(scope="module")
def web_printer() -> Iterator[PrinterWebServer]:
    with PrinterWebServer() as server:
        yield server


@pytest.fixture(scope="module")
def web_app() -> Iterator[AppServer]:
    yield from own_server("web_rules", ALLOW_LOOPBACK_TARGETS="true")


@pytest.fixture(scope="module")
def sessions(web_app: AppServer) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    yield from sessions_of(web_app)


@pytest.fixture(scope="module")
def printer_id(sessions) -> int:
    from printer_app.services.inventory.printers import PrinterInput, create_printer
    from tests.factories import make_model

    with sessions() as session:
        model = make_model(session, "Dell", "C1765nfw")
        data = PrinterInput(ip_address="127.0.0.1", serial_number="ZHJ020393", device_model_id=model.id)
        printer = create_printer(session, data=data)
        session.flush()
        return printer.id


@pytest.fixture
def tab(browser, web_app: AppServer) -> Iterator[Page]:
    expect.set_options(timeout=20_000)
    context = new_context(browser, web_app)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _fetch(page: Page, path: str) -> None:
    page.locator("#rule-url").fill(path)
    expect(page.locator("#rule-url")).to_have_value(path)
    page.locator("#rule-url").blur()  # a debounced field sends its value at once when it loses focus
    page.locator("#fetch-page").click()
    expect(page.locator("#preview-url")).to_contain_text(path.split("/", 1)[1])
    expect(page.locator("#preview-frame")).to_be_visible()
    # the picker runs after the page's elements are parsed: a click before it is no pick
    expect(page.frame_locator("#preview-frame").locator("html[data-pi-ready]")).to_be_attached()


def _pick(page: Page, text: str) -> None:
    frame = page.frame_locator("#preview-frame")
    frame.locator("font", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first.click()


def _choose_field(page: Page, label: str) -> None:
    page.locator("#rule-field").click()
    page.get_by_role("option", name=label, exact=True).click()


def _stored_rules(sessions, printer_id: int) -> list[WebParsingRule]:
    with sessions() as session:
        return list(session.exec(select(WebParsingRule).where(WebParsingRule.printer_id == printer_id)).all())


def test_build_rules_by_clicking_then_test_and_poll(
    tab: Page, web_app: AppServer, web_printer: PrinterWebServer, sessions, printer_id: int
) -> None:
    page = tab
    page.goto(f"{web_app.base_url}/printers/{printer_id}")
    page.locator("#web-rules").click()
    page.wait_for_url(f"**/printers/{printer_id}/web")
    expect(page.locator("#page-title")).to_have_text("Web rules · 127.0.0.1")
    expect(page.locator("#rule-count")).to_contain_text("No rules yet")
    shot(page, "web_rules_empty")

    # Serial number: fetch the information page, click the serial in the preview.
    _choose_field(page, "Serial number")
    _fetch(page, web_printer.path(INFO))
    _pick(page, "ZHJ020393")
    # anchored on the label beside the value, not on its position in the page
    serial_xpath = "//td[normalize-space()='Printer Serial Number']/following-sibling::td[1]/font"
    expect(page.locator("#rule-xpath")).to_have_value(serial_xpath)
    expect(page.locator("#rule-value")).to_have_text("ZHJ020393")
    shot(page, "web_rules_preview")
    page.locator("#save-rule").click()
    expect(page.locator('tr.rule-row[data-field="serial_number"]')).to_be_visible()

    # Total counter: another page, clicked too; a regex changes the value at once, and back.
    expect(page.get_by_role("button", name="New rule", exact=True)).to_have_count(1)  # the banner's only
    page.locator("#editing-new").click()  # the banner of the saved rule: leave it for a new one
    expect(page.get_by_role("button", name="New rule", exact=True)).to_have_count(1)  # the card's, for a blank form
    _choose_field(page, "Total counter")
    _fetch(page, web_printer.path(VOLUME))
    _pick(page, "8862")
    counter_xpath = "//td[normalize-space()='Drucker-Seitenzähler']/following-sibling::td[1]/font"
    expect(page.locator("#rule-xpath")).to_have_value(counter_xpath)
    expect(page.locator("#rule-value")).to_have_text("8862")
    page.locator("#rule-regex").fill(r"(\d\d)$")
    expect(page.locator("#rule-value")).to_have_text("62")
    page.locator("#rule-regex").fill("(")
    expect(page.locator("#error-regex_pattern")).to_contain_text("Invalid regular expression")
    page.locator("#save-rule").click()  # refused: the stored rules stay as they were
    expect(page.locator("#error-regex_pattern")).to_be_visible()
    assert [r.field_name for r in _stored_rules(sessions, printer_id)] == ["serial_number"]
    page.locator("#rule-regex").fill("")
    expect(page.locator("#rule-value")).to_have_text("8862")
    page.locator("#save-rule").click()
    expect(page.locator('tr.rule-row[data-field="counter"]')).to_be_visible()
    stored = {r.field_name: r for r in _stored_rules(sessions, printer_id)}
    assert set(stored) == {"serial_number", "counter"}
    assert stored["serial_number"].xpath == serial_xpath
    assert stored["counter"].url_path == web_printer.path(VOLUME) and stored["counter"].xpath == counter_xpath

    # The whole set as a test poll: every field's value.
    page.locator("#test-all").click()
    expect(page.locator('tr.test-row[data-field="counter"] .test-value')).to_have_text("8862")
    expect(page.locator('tr.test-row[data-field="serial_number"] .test-value')).to_have_text("ZHJ020393")
    expect(page.locator("#test-summary")).to_have_text("2 fields produced, 0 with errors")
    page.locator("#test-results").scroll_into_view_if_needed()
    shot(page, "web_rules_tested")

    # A real poll: stored, shown here and on the printer list.
    page.locator("#web-poll-now").click()
    expect(page.locator("#last-poll-total")).to_contain_text("8,862", timeout=60_000)
    expect(page.locator("#last-poll")).to_contain_text("Success")
    page.goto(f"{web_app.base_url}/printers")
    expect(page.locator('tr.printer-row[data-ip="127.0.0.1"]')).to_contain_text("8,862")


def test_template_saved_and_applied_to_a_printer_of_the_same_model(
    tab: Page, web_app: AppServer, sessions, printer_id: int
) -> None:
    from printer_app.services.inventory.printers import PrinterInput, create_printer

    page = tab
    page.goto(f"{web_app.base_url}/printers/{printer_id}/web")
    expect(page.locator("tr.rule-row")).to_have_count(2)
    page.locator("#template-name").fill("Dell EWS")
    page.locator("#template-public").click()
    page.locator("#save-template").click()
    row = page.locator('tr.template-row[data-name="Dell EWS"]')
    expect(row).to_contain_text("public")
    expect(row.locator(".template-usage")).to_have_text("0")

    with sessions() as session:
        source = session.get(Printer, printer_id)
        data = PrinterInput(ip_address="127.0.0.3", serial_number="SECOND-1", device_model_id=source.device_model_id)
        other = create_printer(session, data=data)
        session.flush()
        other_id = other.id
    page.goto(f"{web_app.base_url}/printers/{other_id}/web")
    expect(page.locator("#rule-count")).to_contain_text("No rules yet")
    row.locator(".apply-template").click()
    expect(page.locator("tr.rule-row")).to_have_count(2)
    expect(row.locator(".template-usage")).to_have_text("1")
    page.locator("#template-overwrite").click()
    row.locator(".apply-template").click()  # replaces: still two rules
    expect(row.locator(".template-usage")).to_have_text("2")
    expect(page.locator("tr.rule-row")).to_have_count(2)
    page.locator("#templates-table").scroll_into_view_if_needed()
    shot(page, "web_rules_templates")
    assert sorted(r.field_name for r in _stored_rules(sessions, other_id)) == ["counter", "serial_number"]


def test_viewer_cannot_save_rules(browser, web_app: AppServer, sessions, printer_id: int) -> None:
    from printer_app.services.access.auth import create_local_user
    from printer_app.services.access.roles import set_user_groups

    ensure_local_user(web_app)  # bootstraps the role groups
    with sessions() as session:
        user = create_local_user(session, username=VIEWER, password=VIEWER_PASSWORD)
        set_user_groups(session, user=user, group_names=["Viewer"], actor_id=None)
    before = len(_stored_rules(sessions, printer_id))
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, base_url=web_app.base_url)
    try:
        sign_in(context, web_app, VIEWER, VIEWER_PASSWORD)
        page = context.new_page()
        page.goto(f"{web_app.base_url}/printers/{printer_id}/web")
        expect(page.locator("#read-only-note")).to_be_visible()
        expect(page.locator("tr.rule-row")).to_have_count(before)  # may look at the rules
        page.locator("#rule-xpath").fill("//td")
        page.locator("#rule-xpath").blur()
        page.locator("#save-rule").click()
        expect(page.get_by_text("Not allowed: you need the permission “Manage web parsing rules”")).to_be_visible()
        page.locator("#fetch-page").click()
        expect(page.get_by_text("Not allowed").first).to_be_visible()
        shot(page, "web_rules_viewer")
    finally:
        context.close()
    assert len(_stored_rules(sessions, printer_id)) == before


def test_pick_on_a_page_rendered_by_javascript(
    tab: Page, web_app: AppServer, web_printer: PrinterWebServer, printer_id: int
) -> None:
    page = tab
    page.goto(f"{web_app.base_url}/printers/{printer_id}/web")
    _choose_field(page, "Variable 1")
    page.locator("#preview-render").click()
    _fetch(page, web_printer.path("/js/status.html"))
    page.frame_locator("#preview-frame").locator("#total").click()  # filled by the page's script
    expect(page.locator("#rule-xpath")).to_have_value("//td[@id='total']")
    expect(page.locator("#rule-value")).to_have_text("12345")
    expect(page.locator(".action-row")).to_have_count(1)  # a wait: the rule is read in the browser, as picked
    page.locator("#test-rule").click()
    expect(page.get_by_text("on the device")).to_be_visible(timeout=60_000)
    expect(page.locator("#rule-value")).to_have_text("12345")


BEACON_PAGE = """<html><head><title>Status</title><link rel="stylesheet" href="@O@/style.css"></head>
<body style="background-image: url(@O@/background.png)">
<p id="total">4,242</p>
<img src="@O@/beacon.png" alt=""><img srcset="@O@/srcset.png 2x" alt="">
<video poster="@O@/poster.png"></video><input type="image" src="@O@/input.png" alt="">
<svg><image href="@O@/svg.png" width="10" height="10"></image></svg>
</body></html>
"""


def test_preview_loads_nothing_remote_and_takes_picks_of_its_own_elements_only(
    tab: Page, web_app: AppServer, web_printer: PrinterWebServer, printer_id: int
) -> None:
    page = tab
    with RecordingServer("127.0.0.2") as beacon:
        web_printer.pages["/beacon.html"] = (BEACON_PAGE.replace("@O@", beacon.origin).encode(), "text/html")
        page.goto(f"{web_app.base_url}/printers/{printer_id}/web")
        _choose_field(page, "Variable 2")
        _fetch(page, web_printer.path("/beacon.html"))
        expect(page.frame_locator("#preview-frame").locator("#total")).to_have_text("4,242")
        frame = page.locator("#preview-frame").element_handle().content_frame()
        frame.wait_for_load_state("load")  # every resource of the document was tried by now
        assert beacon.seen == []

    # A "pick" this window posts itself is not the preview's, even with an XPath the preview has ...
    page.evaluate("window.postMessage({type: 'pi-pick', xpath: \"//p[@id='total']\"}, '*')")
    # ... and the preview frame (a hostile page's leftover script) may only pick elements of the fetched page.
    frame.evaluate("parent.postMessage({type: 'pi-pick', xpath: \"//p[@id='total'] | //img\"}, '*')")
    expect(page.get_by_text("Ignored a pick that is not an element of the fetched page")).to_be_visible()
    expect(page.locator("#rule-xpath")).to_have_value("")  # the window's message came first: it never arrived

    page.frame_locator("#preview-frame").locator("#total").click()
    expect(page.locator("#rule-xpath")).to_have_value("//p[@id='total']")
    expect(page.locator("#rule-value")).to_have_text("4242")
    for name, size in (("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        shot(page, f"web_rules_preview_blocked_{name}")


def test_poll_now_asks_first_without_an_identity_rule_and_the_form_says_what_it_edits(
    tab: Page, web_app: AppServer, web_printer: PrinterWebServer, sessions
) -> None:
    """A printer whose web rules read no serial or MAC: Poll now asks before polling (its identity check would
    fail); the URL field shows the printer's address; opening a saved rule shows a banner to leave it."""
    from printer_app.models import InventoryTask
    from printer_app.services.inventory.printers import PrinterInput, create_printer

    with sessions() as session:
        printer = create_printer(session, data=PrinterInput(ip_address="127.0.0.1", is_active=False))
        session.flush()
        other_id = printer.id
    page = tab
    page.goto(f"{web_app.base_url}/printers/{other_id}/web")
    expect(page.locator("#rule-host")).to_have_text("://127.0.0.1")
    _choose_field(page, "Total counter")
    _fetch(page, web_printer.path(VOLUME))
    expect(page.locator("#rule-full-url")).to_contain_text(f"http://127.0.0.1{web_printer.path(VOLUME)}")
    _pick(page, "8862")
    expect(page.locator("#rule-value")).to_have_text("8862")
    expect(page.locator("#editing-banner")).to_have_count(0)
    page.locator("#save-rule").click()
    expect(page.locator('tr.rule-row[data-field="counter"]')).to_be_visible()
    # saved: the form now edits that rule, and says so
    expect(page.locator("#editing-banner")).to_contain_text("Editing the saved rule «Total counter»")
    shot(page, "web_rules_editing_banner")

    page.locator("#web-poll-now").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Poll without a serial number or MAC rule?")
    shot(page, "web_rules_poll_confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    with sessions() as session:
        assert session.exec(select(InventoryTask).where(InventoryTask.printer_id == other_id)).all() == []

    page.locator("#editing-new").click()
    expect(page.locator("#editing-banner")).to_have_count(0)
    page.locator("tr.rule-row .edit-rule").first.click()
    expect(page.locator("#editing-banner")).to_be_visible()
    page.locator("#rule-regex").fill(r"(\d\d)$")
    expect(page.locator("#rule-value")).to_have_text("62")
    page.locator("#editing-cancel").click()  # back to the saved rule as stored
    expect(page.locator("#rule-regex")).to_have_value("")
    expect(page.locator("#rule-value")).to_have_text("8862")
    for name, size in (("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        shot(page, f"web_rules_form_{name}")
