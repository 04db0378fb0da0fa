"""A printer's page names the device and its client, draws pages per day as bars (or says there is no data yet) and
lists the printer's changes, the poller's included; the change log links each entry to its printer and reads dates
in the user's format."""

from __future__ import annotations

import dataclasses
import re
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.config import get_settings
from printer_app.models import Printer, User
from printer_app.models.base import utcnow
from printer_app.services.inventory.printers import PrinterInput, update_printer
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import DeviceReading
from tests.e2e.conftest import VIEWPORT, ensure_local_user, seed_printer, shot, sign_in
from tests.factories import make_model, make_org

pytestmark = pytest.mark.e2e

MAC = "00:1B:A9:0B:A7:52"


def _octet() -> int:
    return secrets.randbelow(250) + 1


def _polled_printer(db_session) -> tuple[int, str, str]:
    """A Kyocera of a client, added by IP only and polled twice through the real pipeline (yesterday, today): the
    first poll learns its MAC and serial. Returns (id, IP, organization name)."""
    org_name = f"ООО Ромашка {secrets.token_hex(2)}"
    ip = f"10.{_octet()}.{_octet()}.{_octet()}"
    with db_session() as s:
        org = make_org(s, name=org_name)
        model = make_model(s, "Kyocera", "ECOSYS M2040dn")
        org_id, model_id = org.id, model.id
    printer_id = seed_printer(db_session, ip, organization_id=org_id, device_model_id=model_id)
    now, serial = utcnow(), f"VCF{secrets.token_hex(4)}"
    for when, total in ((now - timedelta(days=1), 1000), (now, 1250)):
        reading = DeviceReading(serial=serial, mac=MAC, raw_counters={"TOTAL": total})
        with db_session() as s:
            run_inventory_for_printer(s, printer_id=printer_id, source=lambda _p, r=reading: r, now=when)
    return printer_id, ip, org_name


def test_detail_names_model_and_client_draws_bars_and_lists_the_pollers_changes(page: Page, db_session) -> None:
    printer_id, ip, org_name = _polled_printer(db_session)

    page.goto(f"/printers/{printer_id}")
    expect(page.locator("#page-title")).to_have_text(f"Kyocera ECOSYS M2040dn · {org_name}")
    expect(page.locator("#page-subtitle")).to_contain_text(ip)
    expect(page).to_have_title(re.compile(rf"^Kyocera ECOSYS M2040dn · {org_name} · "))

    bars = page.locator("#usage-chart .recharts-bar-rectangle")
    expect(bars.first).to_be_attached()
    expect(page.locator("#usage-no-data")).to_have_count(0)
    page.locator("#usage-period").get_by_role("radio", name="Per month").click()
    expect(bars.first).to_be_attached()
    page.locator("#usage-counter").click()
    expect(page.locator("#usage-chart .recharts-line-curve")).to_be_attached()

    numbers = page.locator("#history-table tbody tr").first.locator("td").nth(3)
    expect(numbers).to_have_text("1,250")
    assert numbers.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"

    learned = page.locator("#changes-table .change-row").filter(has_text="MAC update")
    expect(learned).to_have_count(1)
    expect(learned).to_contain_text("poller")
    expect(learned).to_contain_text(MAC)
    page.locator("#changes-card").scroll_into_view_if_needed()
    shot(page, "printer_detail_usage_changes")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#usage-card").scroll_into_view_if_needed()
    shot(page, "printer_detail_usage_phone")
    page.set_viewport_size(VIEWPORT)

    page.click("#all-changes")
    page.wait_for_url(f"**/changes?object_type=printer&object_id={printer_id}")
    expect(page.locator("#object-filter")).to_contain_text(f"Printer #{printer_id}")
    rows = page.locator("#change-table .change-row")
    expect(rows.filter(has_text="MAC update")).to_have_count(1)
    expect(rows.filter(has_text="Serial update")).to_have_count(1)
    expect(rows).to_have_count(3)  # the two the poller made and the creation
    shot(page, "change_log_one_printer")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "change_log_one_printer_phone")


def test_a_printer_without_two_polls_says_there_is_no_data_yet(page: Page, db_session) -> None:
    printer_id = seed_printer(db_session, f"10.{_octet()}.{_octet()}.{_octet()}")

    page.goto(f"/printers/{printer_id}")
    expect(page.locator("#usage-no-data")).to_contain_text("No data yet")
    expect(page.locator("#usage-chart")).to_have_count(0)
    expect(page.locator("#changes-table .change-row")).to_have_count(1)  # its creation


def test_change_log_links_to_the_printer_and_shows_a_dotted_ip(page: Page, db_session) -> None:
    old_ip, new_ip = f"10.{_octet()}.{_octet()}.1", f"10.{_octet()}.{_octet()}.2"
    printer_id = seed_printer(db_session, old_ip)
    with db_session() as s:
        printer = s.get(Printer, printer_id)
        data = PrinterInput(**{f.name: getattr(printer, f.name) for f in dataclasses.fields(PrinterInput)})
        data.ip_address = new_ip
        update_printer(s, printer_id=printer_id, data=data, version=printer.version)

    page.goto("/changes")
    entry = page.locator("#change-table .change-row").filter(has_text=new_ip).filter(has_text="Updated")
    expect(entry).to_have_count(1)
    change = entry.locator(".field-change")
    expect(change).to_have_count(1)  # the address once, not its number beside it
    expect(change).to_contain_text("IP address:")
    expect(change.locator(".change-old")).to_have_text(old_ip)
    expect(change.locator(".change-new")).to_have_text(new_ip)
    link = entry.locator("a.object-link")
    expect(link).to_have_attribute("href", f"/printers/{printer_id}")
    link.click()
    page.wait_for_url(f"**/printers/{printer_id}")
    expect(page.locator("#page-title")).to_have_text(f"Printer {new_ip}")  # no model nor client to name


def test_russian_dates_in_the_change_log_filter(browser, app_server, db_session) -> None:
    user = "e2e-ru-dates"
    ensure_local_user(app_server, user, "E2e-ru-dates-password-2026")
    with db_session() as s:
        s.exec(select(User).where(User.username == user)).one().language = "ru"
    ip = f"10.{_octet()}.{_octet()}.{_octet()}"
    seed_printer(db_session, ip)
    context = browser.new_context(viewport=VIEWPORT, base_url=app_server.base_url)
    sign_in(context, app_server, user, "E2e-ru-dates-password-2026")
    page = context.new_page()
    try:
        page.goto("/changes")
        date_from, date_to = page.locator("#filter-date_from"), page.locator("#filter-date_to")
        expect(date_from).to_have_attribute("placeholder", "ДД.ММ.ГГГГ")
        rows = page.locator("#change-table .change-row")
        expect(rows.filter(has_text=ip)).to_have_count(1)

        date_to.fill("01.01.2020")  # everything is later
        expect(rows).to_have_count(0)
        date_to.fill("")
        today = utcnow().astimezone(get_settings().tz)  # the server's zone: the same environment
        date_from.fill(today.strftime("%d.%m.%Y"))
        expect(rows.filter(has_text=ip)).to_have_count(1)
        expect(rows.filter(has_text=ip)).to_contain_text("Создание")
        shot(page, "change_log_ru_dates")
    finally:
        context.close()
