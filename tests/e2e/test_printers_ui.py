"""The printers list in a real browser: add / edit / delete through the dialogs, filters, paging, sort, columns.

Printers made by these tests live on 127.30.x.y (one /24 per test), demo printers on 127.20.x.y.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import select

from printer_app.models import PageCounter, Printer
from printer_app.models.base import utcnow
from printer_app.models.choices import MatchRule, SupplyState, TaskStatus
from printer_app.services.polling.history import COUNTER_FIELDS, SupplyReading
from tests.e2e.conftest import ensure_local_user, hydrated, seed_printer, shot, sign_in

pytestmark = pytest.mark.e2e

ROWS = "tr.printer-row"


# ---- page helpers ----


def open_printers(page: Page) -> None:
    """Open the list and wait until the backend has filled it (the demo data guarantees rows)."""
    page.goto("/printers")
    expect(page.locator(ROWS).first).to_be_visible()


def row(page: Page, ip: str):
    return page.locator(f'{ROWS}[data-ip="{ip}"]')


def search(page: Page, text: str) -> None:
    """Type into the debounced search box; callers then wait for the rows they expect."""
    hydrated(page)  # the field remounts once the page's state is there: typing before that would be lost
    page.fill("#filter-search", text)


def find_row(page: Page, ip: str):
    """The row of `ip`, searching for it when it is not on the current page."""
    if row(page, ip).count() == 0:
        search(page, ip)
    expect(row(page, ip)).to_be_visible()
    return row(page, ip)


def visible_ips(page: Page) -> list[str]:
    return page.locator(ROWS).evaluate_all("rows => rows.map(r => r.getAttribute('data-ip'))")


def column_texts(page: Page, header: str) -> list[str]:
    """The cell texts of the column titled `header`, top to bottom (found by header position)."""
    return page.evaluate(
        """(header) => {
            const table = document.querySelector('#printers-table table') || document.querySelector('#printers-table');
            const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
            const idx = heads.indexOf(header);
            if (idx < 0) throw new Error('no column ' + header + ' in ' + heads.join('|'));
            return [...table.querySelectorAll('tr.printer-row')].map(r => r.children[idx].innerText.trim());
        }""",
        header,
    )


def choose(page: Page, trigger_id: str, option: str) -> None:
    """Pick `option` in the Radix select whose trigger has id `trigger_id`."""
    page.click(f"#{trigger_id}")
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{trigger_id}")).to_have_text(option)


def toast(page: Page, text: str):
    return page.locator("[data-sonner-toast]").filter(has_text=text)


def dialog_closed(page: Page) -> None:
    expect(page.locator("#printer-save")).to_have_count(0)


def active_count(db_session, *conditions) -> int:
    with db_session() as s:
        return s.exec(select(func.count(Printer.id)).where(Printer.is_active, *conditions)).one()


def printers_with_ip(db_session, ip: str) -> list[Printer]:
    with db_session() as s:
        return list(s.exec(select(Printer).where(Printer.ip_address == ip)).all())


# ---- add / validate / edit / delete ----


def test_add_printer_through_dialog(page: Page, db_session, demo_data) -> None:
    ip = "127.30.1.10"
    open_printers(page)
    page.click("#add-printer")
    expect(page.locator("#printer-ip_address")).to_be_visible()
    page.fill("#printer-ip_address", ip)
    page.fill("#printer-serial_number", "E2E-ADD-0001")
    page.fill("#printer-mac_address", "aa-bb-cc-dd-ee-ff")
    page.fill("#printer-snmp_community", "e2e_ro")
    page.click("#printer-save")

    dialog_closed(page)
    expect(toast(page, f"Printer {ip} added")).to_be_visible()
    added = find_row(page, ip)  # 127.30.x sorts after the demo printers: not on page 1
    expect(added).to_contain_text("E2E-ADD-0001")
    shot(page, "add_printer")

    [printer] = printers_with_ip(db_session, ip)
    assert printer.mac_address == "AA:BB:CC:DD:EE:FF"
    assert printer.serial_number == "E2E-ADD-0001"
    assert printer.snmp_community == "e2e_ro"
    assert printer.is_active


def test_duplicate_ip_is_rejected(page: Page, db_session, demo_data) -> None:
    ip = "127.30.2.10"
    existing_id = seed_printer(db_session, ip, "E2E-DUP-ORIG", mac_address="02:30:02:00:00:10")
    with db_session() as s:
        before = s.get(Printer, existing_id).model_dump()

    open_printers(page)
    page.click("#add-printer")
    page.fill("#printer-ip_address", ip)
    page.fill("#printer-serial_number", "E2E-DUP-NEW")
    page.click("#printer-save")

    expect(page.locator("#error-ip_address")).to_contain_text("with SNMP port 161 is already used")
    expect(page.locator("#error-ip_address")).to_contain_text(f"#{existing_id}")
    expect(page.locator("#printer-save")).to_be_visible()  # the dialog stays open with the input kept
    expect(page.locator("#printer-ip_address")).to_have_value(ip)
    shot(page, "duplicate_ip")

    rows = printers_with_ip(db_session, ip)
    assert [p.id for p in rows] == [existing_id]
    assert rows[0].model_dump() == before
    page.click("#printer-cancel")
    dialog_closed(page)


def test_a_second_printer_on_the_same_ip_is_added_on_another_port(page: Page, db_session, demo_data) -> None:
    """A print server fronting two devices: the second printer at its IP is refused on port 161, added on 1161."""
    ip = "127.30.2.11"
    existing_id = seed_printer(db_session, ip, "E2E-PORT-ORIG", mac_address="02:30:02:00:00:11")
    open_printers(page)
    page.click("#add-printer")
    page.fill("#printer-ip_address", ip)
    page.fill("#printer-serial_number", "E2E-PORT-NEW")
    page.click("#printer-save")
    expect(page.locator("#error-ip_address")).to_contain_text(f"IP {ip} with SNMP port 161 is already used")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "duplicate_ip_port_390")
    page.set_viewport_size({"width": 1440, "height": 1000})

    page.fill("#printer-snmp_port", "1161")
    page.click("#printer-save")
    dialog_closed(page)
    expect(toast(page, f"Printer {ip} added")).to_be_visible()
    rows = printers_with_ip(db_session, ip)
    assert sorted((p.id == existing_id, p.snmp_port, p.is_active) for p in rows) == [
        (False, 1161, True),
        (True, 161, True),
    ]


def test_invalid_ip_is_rejected(page: Page, db_session, demo_data) -> None:
    with db_session() as s:
        total_before = s.exec(select(func.count(Printer.id))).one()

    open_printers(page)
    page.click("#add-printer")
    page.fill("#printer-ip_address", "300.1.1.1")
    page.fill("#printer-serial_number", "E2E-BAD-IP")
    page.click("#printer-save")

    expect(page.locator("#error-ip_address")).to_contain_text("not a valid IPv4 address")
    expect(page.locator("#printer-save")).to_be_visible()
    shot(page, "invalid_ip")

    # typing into the field clears its message
    page.fill("#printer-ip_address", "300.1.1.")
    expect(page.locator("#error-ip_address")).to_have_count(0)

    with db_session() as s:
        assert s.exec(select(func.count(Printer.id))).one() == total_before
        assert s.exec(select(Printer).where(Printer.serial_number == "E2E-BAD-IP")).first() is None


def test_edit_printer_serial(page: Page, db_session, demo_data) -> None:
    ip = "127.30.4.10"
    printer_id = seed_printer(db_session, ip, "E2E-EDIT-OLD")

    open_printers(page)
    target = find_row(page, ip)
    target.get_by_title("Edit").click()
    expect(page.locator("#printer-serial_number")).to_have_value("E2E-EDIT-OLD")
    expect(page.locator("#printer-ip_address")).to_have_value(ip)
    page.fill("#printer-serial_number", "E2E-EDIT-NEW")
    page.click("#printer-save")

    dialog_closed(page)
    expect(toast(page, f"Printer {ip} updated")).to_be_visible()
    expect(row(page, ip)).to_contain_text("E2E-EDIT-NEW")
    assert column_texts(page, "Serial") == ["E2E-EDIT-NEW"]  # the search still shows just this printer
    shot(page, "edit_printer")

    with db_session() as s:
        printer = s.get(Printer, printer_id)
        assert printer.serial_number == "E2E-EDIT-NEW"
        assert printer.ip_address == ip


def test_location_set_in_the_dialog_is_searchable_and_shown(page: Page, db_session, demo_data) -> None:
    ip = "127.30.17.10"
    printer_id = seed_printer(db_session, ip, "E2E-LOCATION")
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_printers(page)
    expect(page.locator("#sort-location")).to_have_count(0)  # an opt-in column: hidden by default
    find_row(page, ip).get_by_title("Edit").click()
    expect(page.locator("#printer-location")).to_have_value("")
    page.fill("#printer-location", "  Корпус Б, каб. 214  ")
    shot(page, "printer_dialog_location")
    page.click("#printer-save")
    dialog_closed(page)
    expect(toast(page, f"Printer {ip} updated")).to_be_visible()
    with db_session() as s:
        assert s.get(Printer, printer_id).location == "Корпус Б, каб. 214"

    search(page, "КОРПУС Б")  # another case, another alphabet
    expect(page.locator(ROWS)).to_have_count(1)
    expect(row(page, ip)).to_be_visible()
    page.click("#columns")
    page.locator("#col-location").click()
    page.keyboard.press("Escape")
    expect(page.locator("#sort-location")).to_be_visible()
    assert column_texts(page, "Location") == ["Корпус Б, каб. 214"]
    shot(page, "printers_location_column")
    search(page, "каб. 999")
    expect(page.locator(ROWS)).to_have_count(0)

    page.goto(f"/printers/{printer_id}")
    identity = page.locator("#printer-identity")
    expect(identity).to_contain_text("Location")
    expect(identity).to_contain_text("Корпус Б, каб. 214")
    shot(page, "printer_detail_location")


def test_delete_printer(page: Page, db_session, demo_data) -> None:
    ip = "127.30.5.10"
    printer_id = seed_printer(db_session, ip, "E2E-DELETE")

    open_printers(page)
    find_row(page, ip).get_by_title("Delete").click()
    confirm = page.locator("#confirm-delete")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_contain_text(ip)
    shot(page, "delete_confirm")
    confirm.click()

    expect(row(page, ip)).to_have_count(0)
    expect(toast(page, f"Printer {ip} deleted")).to_be_visible()
    expect(page.locator("#pager-range")).to_have_text("No printers match")
    shot(page, "delete_printer")
    with db_session() as s:
        assert s.get(Printer, printer_id) is None


# ---- filters, paging, sorting, columns ----


def test_search_and_status_filters(page: Page, db_session, demo_data) -> None:
    open_printers(page)
    part = "127.20.0.11"  # matches .11 and .110-.119
    with db_session() as s:
        expected = sorted(
            s.exec(select(Printer.ip_address).where(Printer.is_active, Printer.ip_address.contains(part)))
        )
    assert 1 < len(expected) < 50
    search(page, part)
    expect(page.locator(ROWS)).to_have_count(len(expected))
    assert sorted(visible_ips(page)) == expected
    expect(page.locator("#pager-range")).to_have_text(f"1–{len(expected)} of {len(expected)}")
    shot(page, "filter_search")

    page.click("#filter-reset")
    expect(page.locator("#filter-search")).to_have_value("")
    n_success = active_count(db_session, Printer.last_poll_status == TaskStatus.SUCCESS)
    choose(page, "filter-status", "Success")
    expect(page.locator("#pager-range")).to_have_text(f"1–50 of {n_success}")
    statuses = column_texts(page, "Status")
    assert len(statuses) == 50
    assert set(statuses) == {"Success"}
    shot(page, "filter_status")

    n_failed = active_count(db_session, Printer.last_poll_status == TaskStatus.FAILED)
    choose(page, "filter-status", "Failed")
    if n_failed:
        expect(page.locator("#pager-range")).to_have_text(f"1–{min(n_failed, 50)} of {n_failed}")
        assert set(column_texts(page, "Status")) == {"Failed"}
    else:
        expect(page.locator("#pager-range")).to_have_text("No printers match")

    page.click("#filter-reset")
    expect(page.locator("#filter-status")).to_have_text("Any status")
    expect(page.locator("#pager-range")).to_have_text(f"1–50 of {active_count(db_session)}")


def test_paging(page: Page, db_session, demo_data) -> None:
    total = active_count(db_session)
    # 120 active demo printers plus what other tests of the session added before: at least three pages of 50
    assert total > 100, total
    pages = math.ceil(total / 50)
    open_printers(page)
    expect(page.locator("#pager-range")).to_have_text(f"1–50 of {total}")
    expect(page.locator("#page-info")).to_have_text(f"Page 1 of {pages}")
    expect(page.locator("#page-prev")).to_be_disabled()
    first_page = visible_ips(page)
    assert len(first_page) == 50

    page.click("#page-next")
    expect(page.locator("#page-info")).to_have_text(f"Page 2 of {pages}")
    expect(page.locator("#pager-range")).to_have_text(f"51–100 of {total}")
    second_page = visible_ips(page)
    assert len(second_page) == 50
    assert not set(first_page) & set(second_page)

    page.click("#page-last")
    expect(page.locator("#page-info")).to_have_text(f"Page {pages} of {pages}")
    expect(page.locator("#pager-range")).to_have_text(f"{(pages - 1) * 50 + 1}–{total} of {total}")
    expect(page.locator(ROWS)).to_have_count(total - (pages - 1) * 50)
    expect(page.locator("#page-next")).to_be_disabled()
    shot(page, "paging_last")

    page.click("#page-first")
    expect(page.locator("#page-info")).to_have_text(f"Page 1 of {pages}")
    assert visible_ips(page) == first_page

    page.click("#page-size")
    page.get_by_role("option", name="100", exact=True).click()
    expect(page.locator("#page-info")).to_have_text(f"Page 1 of {math.ceil(total / 100)}")
    expect(page.locator("#pager-range")).to_have_text(f"1–100 of {total}")
    expect(page.locator(ROWS)).to_have_count(100)
    shot(page, "paging_size_100")


def _fmt(value: int) -> str:
    return f"{value:,}"  # the English number format of the e2e admin (ru: 6 133)


def _column_index(page: Page, header: str) -> int:
    heads = [t.strip() for t in page.locator("#printers-table thead th").all_inner_texts()]
    return heads.index(header)


def _number(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else None


def test_sort_by_total_descending(page: Page, db_session, demo_data) -> None:
    with db_session() as s:
        low, top = s.exec(
            select(func.min(PageCounter.total_pages), func.max(PageCounter.total_pages))
            .select_from(Printer)
            .join(PageCounter, PageCounter.id == Printer.last_counter_id)
            .where(Printer.is_active)
        ).one()
    open_printers(page)
    first_total = page.locator(ROWS).first.locator("td").nth(_column_index(page, "Total"))
    page.click("#sort-total")
    expect(first_total).to_have_text(_fmt(low))  # ascending first
    page.click("#sort-total")
    expect(first_total).to_have_text(_fmt(top))  # then descending

    totals = [_number(t.splitlines()[0]) for t in column_texts(page, "Total")]  # a failed row: "last OK …" below
    numbers = [t for t in totals if t is not None]
    assert len(numbers) == 50, totals
    assert numbers == sorted(numbers, reverse=True)
    shot(page, "sort_total_desc")


def test_column_chooser_is_remembered(page: Page, demo_data) -> None:
    open_printers(page)
    expect(page.locator("#sort-serial")).to_be_visible()
    page.click("#columns")
    checkbox = page.locator("#col-serial")
    expect(checkbox).to_have_attribute("aria-checked", "true")
    checkbox.click()
    expect(checkbox).to_have_attribute("aria-checked", "false")
    expect(page.locator("#sort-serial")).to_have_count(0)
    expect(page.locator(f"{ROWS} code", has_text="DEMO")).to_have_count(0)
    shot(page, "columns_serial_hidden")
    page.keyboard.press("Escape")

    page.reload()
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator("#sort-ip")).to_be_visible()
    expect(page.locator("#sort-serial")).to_have_count(0)
    assert "serial" in page.evaluate("() => localStorage.getItem('printers_columns')").split(",")

    page.click("#columns")
    expect(page.locator("#col-serial")).to_have_attribute("aria-checked", "false")
    page.locator("#col-serial").click()
    expect(page.locator("#sort-serial")).to_be_visible()
    page.keyboard.press("Escape")
    page.reload()
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator("#sort-serial")).to_be_visible()
    # the column is back with its values (the first rows by IP may be other tests' printers without a serial)
    assert any(serial.startswith("DEMO") for serial in column_texts(page, "Serial"))


# ---- what the device did not report, and a counter reset (issue #11) ----


def seed_poll(db_session, printer_id: int, **outcome) -> None:
    """Store one poll outcome through the history service, as the pipeline does."""
    from printer_app.services.polling.history import PollOutcome, record_poll

    with db_session() as s:
        record_poll(s, printer=s.get(Printer, printer_id), outcome=PollOutcome(**outcome))


def test_no_page_counter_and_unverifiable_identity_are_shown(page: Page, db_session, demo_data) -> None:
    ip = "127.30.6.10"
    printer_id = seed_printer(db_session, ip, "")
    supplies = [
        SupplyReading(description="Black Toner Cartridge", kind="toner", color="black", level=35, percent=35),
        SupplyReading(description="Drum Unit", kind="drum", color="black", state=SupplyState.LOW),
    ]
    seed_poll(
        db_session,
        printer_id,
        status=TaskStatus.SUCCESS,
        match_rule=MatchRule.NONE,
        counters=dict.fromkeys(COUNTER_FIELDS),
        supplies=supplies,
        note="no page counter reported",
    )

    open_printers(page)
    target = find_row(page, ip)
    expect(target.locator(".no-counter")).to_have_text("no page counter")  # not zeros
    expect(target.locator(".unverified")).to_have_text("identity not verifiable")
    shot(page, "printers_no_page_counter")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "printers_no_page_counter_phone")

    target.get_by_role("link", name=ip).click()
    expect(page.locator("#identity-unverifiable")).to_be_visible()
    lines = page.locator("#supplies .supply-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("35%")
    expect(lines.nth(1)).to_contain_text("Drum Unit")
    expect(lines.nth(1)).to_contain_text("Low")  # a state word, never 0 %
    expect(page.locator("#history-table")).to_contain_text("no page counter reported")
    page.set_viewport_size({"width": 1440, "height": 1000})
    shot(page, "printer_detail_no_counter")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "printer_detail_no_counter_phone")


def test_accept_a_counter_reset_as_the_baseline(page: Page, db_session, demo_data) -> None:
    from printer_app.models import EntityChangeLog, User

    ip = "127.30.7.10"
    printer_id = seed_printer(db_session, ip, "E2E-RESET")
    old = {"total_pages": 250_000, "bw_a4": 250_000}
    seed_poll(
        db_session,
        printer_id,
        status=TaskStatus.SUCCESS,
        match_rule=MatchRule.SN_ONLY,
        counters=old,
        at=utcnow() - timedelta(days=3),
    )
    seed_poll(
        db_session,
        printer_id,
        status=TaskStatus.HISTORICAL_INCONSISTENCY,
        error_message="total_pages: significant decrease 250000 -> 120",
    )

    page.goto(f"/printers/{printer_id}")
    callout = page.locator("#counter-reset")
    expect(callout).to_contain_text("significant decrease 250000 -> 120")
    page.click("#accept-baseline")
    expect(page.get_by_role("alertdialog")).to_contain_text("new baseline")
    page.set_viewport_size({"width": 1440, "height": 1000})
    shot(page, "printer_detail_baseline_confirm")
    page.click("#confirm-baseline")

    expect(toast(page, "New counters accepted")).to_be_visible()
    expect(callout).to_have_count(0)
    expect(page.locator("body")).to_contain_text("Counter baseline")
    shot(page, "printer_detail_baseline_accepted")
    with db_session() as s:
        assert s.get(Printer, printer_id).counter_baseline_at is not None
        entry = s.exec(
            select(EntityChangeLog).where(
                EntityChangeLog.object_type == "printer", EntityChangeLog.object_id == printer_id
            )
        ).all()[-1]
        assert "counter_baseline" in entry.changes
        assert s.get(User, entry.user_id).username == "e2e-admin"


# ---- issue #14: the table fits, supplies, filters in the URL, poll what is shown, permissions ----


def _in_viewport(page: Page, locator) -> bool:
    """Whether the element lies within the window's width (and below its top)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"] and box["y"] >= 0


def test_table_fits_at_1440_and_keeps_header_and_actions_in_view(page: Page, demo_data) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_printers(page)
    first = page.locator(ROWS).first
    for button in (".poll-now", ".edit", ".delete"):
        expect(first.locator(button)).to_be_visible()
        assert _in_viewport(page, first.locator(button)), f"{button} of the first row is off-screen at 1440 px"
    for column in ("Organization", "IP address", "Model", "Serial", "Status", "Last poll", "Total", "Toner"):
        assert column in [t.strip() for t in page.locator("#printers-table thead th").all_inner_texts()]
    wrap = page.locator("#printers-table")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the table is wider than its box at 1440 px"
    shot(page, "printers_1440")

    header = page.locator("#sort-ip")
    top = header.bounding_box()["y"]
    wrap.evaluate("el => el.scrollTo(0, 600)")
    page.wait_for_function("() => document.querySelector('#printers-table').scrollTop > 300")
    assert abs(header.bounding_box()["y"] - top) < 2, "the header row scrolled away"
    assert _in_viewport(page, header)
    shot(page, "printers_1440_scrolled")

    page.set_viewport_size({"width": 390, "height": 844})
    wrap.evaluate("el => { el.scrollTo(0, 0); el.scrollIntoView(); }")  # the page scrolls down to the table
    expect(first.locator(".poll-now")).to_be_visible()
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "on a phone the table scrolls inside its box"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls"
    assert _in_viewport(page, first.locator(".poll-now")), "the sticky actions column stays in view"
    shot(page, "printers_phone")


def _seed_supplies(db_session, ip: str, serial: str, *supplies: SupplyReading) -> int:
    printer_id = seed_printer(db_session, ip, serial)
    seed_poll(
        db_session,
        printer_id,
        status=TaskStatus.SUCCESS,
        match_rule=MatchRule.SN_ONLY,
        counters={"total_pages": 1000},
        supplies=list(supplies),
    )
    return printer_id


def _toner(color: str, percent: int | None, state: str = SupplyState.OK) -> SupplyReading:
    return SupplyReading(description=f"{color.title()} Toner", kind="toner", color=color, percent=percent, state=state)


def test_supply_filter_lowest_sort_and_url(page: Page, db_session, demo_data) -> None:
    net = "127.30.20."
    a, b, c = f"{net}10", f"{net}11", f"{net}12"
    _seed_supplies(db_session, a, "E2E-SUP-A", _toner("black", 8), _toner("cyan", None, SupplyState.SOME_REMAINING))
    _seed_supplies(db_session, b, "E2E-SUP-B", _toner("black", 90), _toner("cyan", 12))
    drum = SupplyReading(description="Drum Unit", kind="drum", color="black", percent=3)
    _seed_supplies(db_session, c, "E2E-SUP-C", _toner("black", 80), drum)

    page.set_viewport_size({"width": 1440, "height": 1000})
    open_printers(page)
    search(page, net)
    expect(page.locator(ROWS)).to_have_count(3)
    supply = row(page, a).locator(".pi-supply").first
    expect(supply).to_have_text("8")  # the bar carries its number
    expect(supply).to_have_attribute("title", "Black: 8%")
    expect(row(page, a).locator(".pi-supply-word")).to_have_text("Some left")  # a state as a word, never 0 %
    expect(row(page, a).locator(".pi-supply-word")).to_have_attribute("title", "Cyan: Some left")

    choose(page, "filter-supply_below", "< 10 %")
    expect(page.locator(ROWS)).to_have_count(2)
    assert sorted(visible_ips(page)) == [a, c]
    choose(page, "filter-supply", "Toner")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(row(page, a)).to_be_visible()
    page.wait_for_function("() => location.search.includes('supply=toner')")
    assert "supply_below=10" in page.url and "q=127.30.20." in page.url
    shot(page, "printers_supply_filter")

    page.reload()  # the view survives a reload: filters read back from the URL
    expect(page.locator(ROWS)).to_have_count(1)
    expect(row(page, a)).to_be_visible()
    expect(page.locator("#filter-supply_below")).to_have_text("< 10 %")
    expect(page.locator("#filter-supply")).to_have_text("Toner")
    expect(page.locator("#filter-search")).to_have_value(net)

    page.goto(f"/printers?q={net}&supply_below=15&supply=toner:cyan")  # a shared link
    expect(page.locator(ROWS)).to_have_count(1)
    expect(row(page, b)).to_be_visible()

    page.goto(f"/printers?q={net}&sort=lowest_supply")
    expect(page.locator(ROWS)).to_have_count(3)
    assert visible_ips(page) == [c, a, b]  # 3 % (drum), 8 %, 12 %
    assert column_texts(page, "Lowest supply") == ["3%", "8%", "12%"]
    page.click("#sort-lowest_supply")
    page.wait_for_function("() => location.search.includes('desc=1')")
    expect(page.locator(ROWS).first).to_have_attribute("data-ip", b)

    row(page, a).get_by_role("link", name=a).click()  # to the printer, and back: the filtered view again
    page.wait_for_url(re.compile(r"/printers/\d+$"))
    page.go_back()
    expect(page.locator(ROWS).first).to_have_attribute("data-ip", b)
    expect(page.locator(ROWS)).to_have_count(3)

    page.click("#filter-reset")
    page.wait_for_function("() => location.search === ''")
    expect(page.locator("#pager-range")).to_have_text(f"1–50 of {active_count(db_session)}")


def test_hostile_url_values_are_ignored(page: Page, db_session, demo_data) -> None:
    page.goto(
        "/printers?status=%3Cscript%3E&supply_below=9999&supply=ink:blood&page=-3&size=7&sort=1;drop&org=x&run=../"
    )
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator("#filter-status")).to_have_text("Any status")
    expect(page.locator("#filter-supply_below")).to_have_text("< 100 %")  # clamped
    expect(page.locator("#filter-supply")).to_have_text("Any supply")
    expect(page.locator("#page-info")).to_contain_text("Page 1 of")
    page.wait_for_function("() => location.search === '?supply_below=100'")  # the URL says what is applied


def test_status_group_from_a_dashboard_link(page: Page, db_session, demo_data) -> None:
    from printer_app.services.inventory.health import FAILING

    failing = active_count(db_session, Printer.last_poll_status.in_(FAILING))
    assert failing
    page.goto("/printers?status=failing")
    expect(page.locator("#filter-status")).to_have_text("Failing")
    expect(page.locator("#pager-range")).to_contain_text(f"of {failing}")
    expect(page.locator("#poll-all")).to_have_text(f"Poll {failing} shown")
    last_ok = page.locator(f"{ROWS} .last-ok").first  # a failed row tells the age of its counters
    expect(last_ok).to_contain_text(re.compile(r"^(last OK .* ago|never OK)$"))


def test_poll_the_filtered_set_and_open_its_failures(page: Page, db_session, demo_data) -> None:
    from printer_app.models import InventoryTask

    net = "127.30.21."
    ids = [seed_printer(db_session, f"{net}{n}", f"E2E-POLL-{n}") for n in (10, 11, 12)]
    with db_session() as s:
        before = s.exec(select(func.max(InventoryTask.id))).one() or 0
    open_printers(page)
    expect(page.locator("#poll-all")).to_have_text(re.compile(r"^Poll all \d+$"))
    search(page, net)
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator("#poll-all")).to_have_text("Poll 3 shown")
    page.click("#poll-all")
    expect(page.locator("#poll-all-count")).to_have_text("3 / 3", timeout=90_000)  # nothing listens there: 3 fail
    expect(page.locator("#poll-all-failed")).to_have_text("3 failed")
    expect(page.locator("#poll-all-finished")).to_contain_text("finished")
    with db_session() as s:
        polled = set(s.exec(select(InventoryTask.printer_id).where(InventoryTask.id > before)).all())
    assert polled == set(ids), "only the printers shown were polled"
    shot(page, "printers_poll_shown_done")

    page.click("#filter-reset")
    # the reset re-renders the list and its card: wait for it before clicking the card's link (a click during the
    # re-render was lost once on a loaded CI machine)
    expect(page.locator("#poll-all")).to_have_text(re.compile(r"^Poll all \d+$"))
    expect(page.locator("#poll-all-failed")).to_have_text("3 failed")
    page.click("#poll-all-failed")
    page.wait_for_url(re.compile(r"/printers\?run="))
    expect(page.locator("#filter-run")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(3)
    assert sorted(visible_ips(page)) == [f"{net}{n}" for n in (10, 11, 12)]
    page.reload()
    expect(page.locator(ROWS)).to_have_count(3)

    page.click("#poll-all-dismiss")
    expect(page.locator("#poll-all-card")).to_have_count(0)


def test_read_only_user_sees_no_actions(browser, app_server, db_session, demo_data) -> None:
    from printer_app.services.access.auth import create_local_user
    from printer_app.services.access.roles import set_user_groups

    name, password = "e2e-viewer", "E2e-viewer-password-2026"
    ensure_local_user(app_server)  # bootstraps the role groups
    with db_session() as s:
        user = create_local_user(s, username=name, password=password)
        set_user_groups(s, user=user, group_names=["Viewer"], actor_id=None)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=app_server.base_url)
    try:
        sign_in(context, app_server, name, password)
        viewer = context.new_page()
        open_printers(viewer)
        first = viewer.locator(ROWS).first
        for button in (".poll-now", ".edit", ".delete"):
            expect(first.locator(button)).to_have_count(0)
        for button in ("#poll-all", "#add-printer"):
            expect(viewer.locator(button)).to_be_disabled()
        expect(viewer.locator("#add-printer").locator("..")).to_have_attribute(
            "title", "Not allowed: you need the permission “Can add printer”."
        )
        expect(viewer.locator("#poll-all").locator("..")).to_have_attribute(
            "title", "Not allowed: you need the permission “Run inventory polls”."
        )
        shot(viewer, "printers_read_only")
    finally:
        context.close()
