"""Adding printers in a real browser, against simulated devices (snmpsim on loopback addresses of their own):
"Test connection" in the printer dialog reads the device before saving, Enter saves, a new printer is polled right
away; discovery with several communities keeps its results across a reload, selects all / none, and polls what it
added."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from printer_app.models import InventoryTask, Printer
from tests.e2e.conftest import AppServer, new_context, own_server, sessions_of, shot
from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

DIALOG_HOST, DISCOVER_HOST = "127.0.7.1", "127.0.7.2"
BROTHER, JETDIRECT = "brother_hl5370dw", "jetdirect_m130nw"  # different recordings: different serials and MACs


@pytest.fixture(scope="module")
def agents() -> Iterator[SnmpSimServer]:
    if not RECORDINGS_DIR.is_dir():
        pytest.skip(f"SNMP recordings not found at {RECORDINGS_DIR}")
    with SnmpSimServer(hosts=(DIALOG_HOST, DISCOVER_HOST)) as server:
        yield server


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    """An app server of its own (SQLite, the workers embedded): it polls the simulated devices for real."""
    yield from own_server("add_discover")


@pytest.fixture(scope="module")
def db_session(app_server: AppServer) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    yield from sessions_of(app_server)


@pytest.fixture
def page(browser, app_server: AppServer) -> Iterator[Page]:
    expect.set_options(timeout=20_000)
    context = new_context(browser, app_server)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def toast(page: Page, text: str):
    return page.locator("[data-sonner-toast]").filter(has_text=text)


def _printers(db_session, ip: str) -> list[Printer]:
    with db_session() as s:
        return list(s.exec(select(Printer).where(Printer.ip_address == ip)).all())


def _tasks(db_session, printer_id: int) -> list[InventoryTask]:
    with db_session() as s:
        return list(s.exec(select(InventoryTask).where(InventoryTask.printer_id == printer_id)).all())


def test_test_connection_then_enter_saves_and_the_printer_is_polled(
    page: Page, app_server, db_session, agents: SnmpSimServer
) -> None:
    page.goto(f"{app_server.base_url}/printers")
    page.click("#add-printer")
    expect(page.locator("#printer-ip_address")).to_be_visible()
    page.fill("#printer-ip_address", DIALOG_HOST)
    page.fill("#printer-snmp_community", "not-this-one")
    page.fill("#printer-snmp_port", str(agents.port))

    # A wrong community: the device stays silent, and the form says so (nothing is stored).
    page.click("#printer-test")
    expect(page.locator("#printer-test-error")).to_be_visible(timeout=60_000)
    assert _printers(db_session, DIALOG_HOST) == []

    page.fill("#printer-snmp_community", BROTHER)
    page.click("#printer-test")
    result = page.locator("#printer-test-result")
    expect(result).to_contain_text("B9J154306", timeout=60_000)
    expect(result).to_contain_text("HL-5370DW")
    expect(result).to_contain_text("%")  # its toner level
    expect(page.locator("#printer-test-error")).to_have_count(0)
    assert _printers(db_session, DIALOG_HOST) == []  # testing stores nothing
    for name, size in (("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        shot(page, f"printer_dialog_test_connection_{name}")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.locator("#printer-snmp_port").press("Enter")  # Enter in a field saves
    expect(page.locator("#printer-save")).to_have_count(0)
    expect(toast(page, f"Printer {DIALOG_HOST} added")).to_be_visible()
    [printer] = _printers(db_session, DIALOG_HOST)
    assert printer.snmp_community == BROTHER and printer.snmp_port == agents.port
    # polled right away, without a click on Poll now: the result arrives as the tab's toast and is stored
    expect(toast(page, f"{DIALOG_HOST}: polled successfully")).to_be_visible(timeout=60_000)
    assert [t.triggered_by for t in _tasks(db_session, printer.id)] == ["manual"]
    assert _printers(db_session, DIALOG_HOST)[0].serial_number == "B9J154306"  # learned by that poll


def test_escape_still_closes_the_dialog_without_saving(page: Page, app_server, db_session) -> None:
    page.goto(f"{app_server.base_url}/printers")
    page.click("#add-printer")
    page.fill("#printer-ip_address", "127.0.7.99")
    page.locator("#printer-ip_address").press("Escape")
    expect(page.locator("#printer-save")).to_have_count(0)
    assert _printers(db_session, "127.0.7.99") == []


def test_discovery_with_two_communities_survives_a_reload(
    page: Page, app_server, db_session, agents: SnmpSimServer
) -> None:
    page.goto(f"{app_server.base_url}/discover")
    page.fill("#discover-targets", DISCOVER_HOST)
    page.fill("#discover-community", f"wrong-one, {JETDIRECT}")
    page.fill("#discover-port", str(agents.port))
    page.click("#discover-start")
    row = page.locator(f'tr.found-row[data-ip="{DISCOVER_HOST}"]')
    expect(row).to_be_visible(timeout=60_000)
    expect(row.locator(".found-community")).to_have_text(JETDIRECT)  # the second community answered
    expect(page.locator("#discover-progress")).to_contain_text("1 / 1")

    page.reload()
    expect(row).to_be_visible()  # the scan's results are kept on the server while it lives
    expect(row.locator(".found-community")).to_have_text(JETDIRECT)
    expect(page.locator("#discover-community")).to_have_value(f"wrong-one, {JETDIRECT}")
    for name, size in (("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        shot(page, f"discover_results_{name}")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.click("#discover-select-none")
    expect(page.locator("#discover-add")).to_be_disabled()
    expect(row.get_by_role("checkbox")).not_to_be_checked()
    page.click("#discover-select-all")
    expect(row.get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#discover-add")).to_have_text("Add selected: 1")
    page.click("#discover-add")
    expect(toast(page, "Added 1 printer")).to_be_visible()
    [printer] = _printers(db_session, DISCOVER_HOST)
    assert printer.snmp_community == JETDIRECT and printer.snmp_port == agents.port
    # polled right away: the row shows that, then the poll's result
    expect(row.locator(".found-poll")).to_have_text("Success", timeout=60_000)
    assert [t.status for t in _tasks(db_session, printer.id)] == ["SUCCESS"]
    shot(page, "discover_added_and_polled")
    page.reload()  # the page remembers what was added from it since the scan started, with its poll's result
    expect(row.locator(".found-poll")).to_have_text("Success")
