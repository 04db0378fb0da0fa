"""The contract devices page in a real browser: add a device in the dialog, see it with its coloured status badge,
filter through the URL, change the status inline, export and re-open the download with openpyxl."""

from __future__ import annotations

import secrets

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from printer_app.models import City, ContractDevice, ContractStatus, DeviceModel, Manufacturer, Organization
from tests.e2e.conftest import shot
from tests.integration.contract_devices_data import polled_printer

pytestmark = pytest.mark.e2e


def _seed(db_session, tag: str) -> dict[str, str]:
    """An organization, a city, a model and two statuses of their own (names carry `tag`)."""
    with db_session() as session:
        org = Organization(name=f"E2E Clinic {tag}")
        city = City(name=f"Irkutsk {tag}")
        maker = session.exec(select(Manufacturer).where(func.lower(Manufacturer.name) == "e2e maker")).first()
        if maker is None:
            maker = Manufacturer(name="E2E Maker")
            session.add(maker)
            session.flush()
        model = DeviceModel(manufacturer_id=maker.id, name=f"P{tag}")
        active = ContractStatus(name=f"On contract {tag}", color="#1b5e20")
        repair = ContractStatus(name=f"In repair {tag}", color="#ffeb3b")
        session.add_all([org, city, model, active, repair])
        session.flush()
    return {
        "org": org.name,
        "org_id": str(org.id),
        "city": city.name,
        "model": f"E2E Maker {model.name}",
        "active": active.name,
        "repair": repair.name,
    }


def choose(page: Page, trigger_id: str, option: str) -> None:
    """Pick `option` in the Radix select whose trigger has id `trigger_id`."""
    page.click(f"#{trigger_id}")
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{trigger_id}")).to_have_text(option)


def settled(page: Page) -> None:
    """Wait until the open dialog's opening animation has finished (for a screenshot of it)."""
    page.evaluate(
        "Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getTiming().iterations !== Infinity).map(a => a.finished))"
    )


def test_add_filter_status_export(page: Page, db_session, tmp_path) -> None:
    tag = secrets.token_hex(3)
    names = _seed(db_session, tag)
    serial = f"E2E-{tag}".upper()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/contracts")
    expect(page.locator("#page-title")).to_have_text("Contracts")

    # add a device through the dialog
    page.click("#add-device")
    choose(page, "device-organization", names["org"])
    choose(page, "device-city", names["city"])
    page.fill("#device-address", "Lenina 1")
    choose(page, "device-model", names["model"])
    page.fill("#device-serial", serial)
    page.fill("#device-service_month", "13.2026")
    page.click("#device-save")
    expect(page.locator("#error-service_month")).to_contain_text("MM.YYYY")  # refused: nothing stored
    page.fill("#device-service_month", "03.2026")
    choose(page, "device-status", names["active"])
    settled(page)
    shot(page, "contracts_dialog_1440")
    page.click("#device-save")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # it is in the list with its badge: the status's colour, white text on the dark green
    page.goto(f"/contracts?q={serial.lower()}")
    row = page.locator(f'tr.device-row[data-serial="{serial}"]')
    expect(row).to_have_count(1)
    expect(page.locator("tr.device-row")).to_have_count(1)  # the URL's search narrowed the list
    badge = row.locator("select.pi-status-select")
    expect(badge).to_have_css("background-color", "rgb(27, 94, 32)")
    expect(badge).to_have_css("color", "rgb(255, 255, 255)")
    expect(row).to_contain_text("03.2026")
    expect(page.locator("#filter-search")).to_have_value(serial.lower())

    # a filter chosen in the page shows itself in the URL
    page.goto(f"/contracts?org={names['org_id']}")
    expect(page.locator("tr.device-row")).to_have_count(1)
    choose(page, "filter-linked", "Not linked")
    expect(page).to_have_url(f"/contracts?org={names['org_id']}&linked=no")
    expect(row).to_have_count(1)

    # another tab shows the device too; it follows the change made in this one (live update)
    other = page.context.new_page()
    other.goto(f"/contracts?q={serial}")
    other_badge = other.locator(f'tr.device-row[data-serial="{serial}"] select.pi-status-select')
    expect(other_badge).to_have_css("background-color", "rgb(27, 94, 32)")

    # the status changed inline: stored, and the badge takes the new colour (black text on yellow)
    badge.select_option(label=names["repair"])
    expect(badge).to_have_css("background-color", "rgb(255, 235, 59)")
    expect(badge).to_have_css("color", "rgb(0, 0, 0)")
    expect(other_badge).to_have_css("background-color", "rgb(255, 235, 59)")
    other.close()
    with db_session() as session:
        stored = session.exec(select(ContractDevice).where(ContractDevice.serial_number == serial)).one()
        status = session.get(ContractStatus, stored.status_id)
    assert status.name == names["repair"]

    # a device linked to a polled printer shows the printer's IP (a link to it), total counter and lowest toner
    with db_session() as session:
        printer = polled_printer(session, f"LNK-{tag}", total=123456, toner=(60, 4))
        session.add(
            ContractDevice(
                organization_id=int(names["org_id"]),
                address="Karla Marksa 2",
                printer_id=printer.id,
                serial_number=f"LNK-{tag}",
            )
        )
    page.goto(f"/contracts?org={names['org_id']}&linked=yes")
    linked = page.locator(f'tr.device-row[data-serial="LNK-{tag}"]')
    expect(linked.locator("a.device-printer")).to_have_attribute("href", f"/printers/{printer.id}")
    expect(linked).to_contain_text("123")
    expect(linked).to_contain_text("4 %")
    shot(page, "contracts_1440")
    page.goto(f"/contracts?org={names['org_id']}&linked=no")

    # export what the filters show, and read the download back
    with page.expect_download() as download:
        page.click("#export")
    path = tmp_path / "contracts.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "contracts.xlsx"
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Организация", "Город", "Адрес")
    assert len(rows) == 2 and rows[1][0] == names["org"] and rows[1][6] == serial and rows[1][9] == names["repair"]
    assert rows[1][7].year == 2026 and rows[1][7].month == 3

    # the same page on a phone: the table scrolls inside its box, the page itself does not widen
    page.set_viewport_size({"width": 390, "height": 844})
    expect(row).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    # the filters fold away behind a "Filters (n)" button; it opens them
    expect(page.locator("#filter-organization")).to_be_hidden()
    toggle = page.locator("label[for=contracts-filters-toggle]")
    expect(toggle).to_contain_text("2")  # organization, linked
    shot(page, "contracts_390")
    toggle.click()
    expect(page.locator("#filter-organization")).to_be_visible()
    shot(page, "contracts_filters_390")
    toggle.click()
    expect(page.locator("#filter-organization")).to_be_hidden()
    page.click("#add-device")
    expect(page.locator("#device-address")).to_be_visible()
    settled(page)
    shot(page, "contracts_dialog_390")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # the column chooser: a hidden column shows, and stays shown after a reload (kept in the browser)
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator("#sort-comment")).to_have_count(0)
    page.click("#columns")
    page.click("#col-comment")
    expect(page.locator("#sort-comment")).to_be_visible()
    page.reload()
    expect(page.locator("#sort-comment")).to_be_visible()
