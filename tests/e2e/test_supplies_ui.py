"""/supplies and the dashboard's "Runs out this week" card in a real browser (issue #19), on a server of this module's
own in production mode (Redis), so that a SUPPLIES_CHANGED published here reaches the open tabs as the forecast
service's would: filters kept in the URL, sort, the "What to order" tab and its horizon, the export re-opened with
openpyxl, "not enough data" shown as such, live re-reads, screenshots at 1440 and 390 px."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import redis
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import Printer, SupplyForecast, SupplyLifetime
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.polling.history import PollOutcome, SupplyReading, record_poll
from tests.e2e.conftest import AppServer, hydrated, new_context, own_server, prod_env, sessions_of, shot
from tests.integration.supplies_data import make_fleet

pytestmark = pytest.mark.e2e
ROWS = "tr.supply-row"


@pytest.fixture(scope="module")
def server(private_redis) -> Iterator[AppServer]:
    yield from own_server("supplies_e2e", **prod_env(private_redis.url))


@pytest.fixture(scope="module")
def fleet(server: AppServer):
    factory = next(sessions_of(server))
    with factory() as session:
        return make_fleet(session), factory


@pytest.fixture
def tab(browser, server: AppServer) -> Iterator[Page]:
    from playwright.sync_api import expect as configure

    configure.set_options(timeout=15_000)
    context = new_context(browser, server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _choose(page: Page, trigger_id: str, option: str) -> None:
    page.click(f"#{trigger_id}")
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{trigger_id}")).to_have_text(option)


def _printers(page: Page) -> list[str]:
    return page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.printer + ' ' + r.dataset.supply)")


def test_filters_sort_order_tab_and_export(tab: Page, fleet, tmp_path) -> None:
    data, _factory = fleet
    page = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/supplies")
    hydrated(page)
    expect(page.locator(ROWS)).to_have_count(8)  # the inactive printer's supply is not there
    # soonest first, "not enough data" rows last, each said as it is
    assert _printers(page)[:3] == ["10.1.0.20 Toner · Black", "10.1.0.5 Drum · Black", "10.1.0.5 Toner · Black"]
    first = page.locator(ROWS).first
    expect(first.locator(".supply-days")).to_have_text("3 days (2–3)")
    expect(first.locator(".supply-part")).to_have_text("TK-1170")
    expect(page.locator(ROWS).nth(2).locator(".supply-days")).to_have_text("9 days (7–11)")
    expect(page.locator(f'{ROWS}[data-printer="10.2.0.7"][data-supply="Toner · Cyan"] .supply-days')).to_have_text(
        "No level reported"
    )
    expect(page.locator(f'{ROWS}[data-printer="10.2.0.7"][data-supply="Toner · Yellow"] .supply-days')).to_have_text(
        "Empty"
    )
    shot(page, "supplies_1440")

    # filters show in the URL and survive a reload
    _choose(page, "filter-kind", "Toner")
    _choose(page, "filter-empty_within", "Empty within 14 days")
    expect(page).to_have_url("/supplies?kind=toner&within=14")
    expect(page.locator(ROWS)).to_have_count(4)
    page.reload()
    hydrated(page)
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.locator("#filter-kind")).to_have_text("Toner")

    # sort by level: lowest first, then the other way
    page.click("#sort-level")
    expect(page).to_have_url("/supplies?kind=toner&within=14&sort=level")
    expect(page.locator(ROWS).first).to_have_attribute("data-supply", "Toner · Yellow")
    page.click("#sort-level")
    expect(page.locator(ROWS).first).to_have_attribute("data-printer", "10.2.0.7")
    expect(page.locator(ROWS).first).to_have_attribute("data-supply", "Toner · Black")

    # what to order: per part number and organization, within the days chosen
    page.goto(f"/supplies?org={data.alpha.id}")
    hydrated(page)
    page.click("#tab-order")
    expect(page).to_have_url(f"/supplies?tab=order&org={data.alpha.id}")
    expect(page.locator("tr.order-row")).to_have_count(3)  # TK-1170, W2030A, the drum without a part number
    expect(page.locator("#order-total")).to_have_text("Cartridges to order: 3")
    page.fill("#order-days", "60")
    expect(page.locator("#order-total")).to_have_text("Cartridges to order: 4")  # the cyan W2031A in 40 days
    expect(page).to_have_url(f"/supplies?tab=order&org={data.alpha.id}&days=60")
    expect(page.locator("tr.order-row", has_text="W2031A")).to_contain_text("HP 415A C")
    shot(page, "supplies_order_1440")

    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename == "supplies.xlsx"
    path = tmp_path / "supplies.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["Supplies", "What to order"]
    assert book["Supplies"].max_row == 1 + 5  # Alpha's five supplies
    order = [[c.value for c in r] for r in book["What to order"].iter_rows(min_row=2)]
    assert sum(r[6] for r in order) == 4

    # a phone: the filters fold away, the table scrolls sideways inside its box
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#tab-supplies")
    expect(page.locator(ROWS)).to_have_count(5)
    shot(page, "supplies_390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_live_reread_and_the_dashboard_card(tab: Page, fleet, server: AppServer) -> None:
    data, factory = fleet
    page = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/")
    hydrated(page)
    card = page.locator("#runs-out-card")
    expect(card.locator("#soon-count")).to_have_text("3")  # mono black (3 d), drum (5 d), the empty yellow
    expect(card.locator("tr.soon-row")).to_have_count(3)
    expect(card.locator("#soon-link")).to_have_attribute("href", "/supplies?within=7")
    shot(page, "supplies_dashboard_1440")

    other = page.context.new_page()
    other.goto(f"/supplies?org={data.beta.id}")
    hydrated(other)
    row = other.locator(f'{ROWS}[data-printer="10.2.0.7"][data-supply="Toner · Black"]')
    expect(row.locator(".supply-days")).to_have_text("12 days (9–15)")

    # the forecast service refreshed a shown printer: both tabs follow without a reload
    with factory() as session:
        stored = session.exec(select(SupplyForecast).where(SupplyForecast.id == data.rows["other_k"].id)).one()
        stored.days_to_empty, stored.days_low, stored.days_high, stored.level_percent = 2.5, 2.0, 3.4, 3
        session.add(stored)
    client = redis.Redis.from_url(server.env["REDIS_URL"])
    client.publish(events.channel(), events.encode(events.SUPPLIES_CHANGED, {"printer_ids": [data.other.id]}))
    client.close()
    expect(row.locator(".supply-days")).to_have_text("2 days (2–3)")
    expect(card.locator("#soon-count")).to_have_text("4")
    expect(card.locator("tr.soon-row").nth(1)).to_contain_text("10.2.0.7")
    other.close()

    # the card's link opens the list filtered to the week
    card.locator("#soon-link").click()
    expect(page).to_have_url("/supplies?within=7")
    hydrated(page)
    expect(page.locator(ROWS)).to_have_count(4)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    hydrated(page)
    expect(card.locator("#soon-count")).to_have_text("4")
    card.scroll_into_view_if_needed()
    shot(page, "supplies_dashboard_390")


def test_printer_page_draws_the_forecast_marks_the_replacement_and_lists_lifetimes(tab: Page, fleet) -> None:
    data, factory = fleet
    now = datetime.now(UTC).replace(microsecond=0)
    readings = [(now - timedelta(days=d), level) for d, level in ((20, 30), (15, 8), (10, 100), (5, 60), (1, 12))]
    with factory() as session:
        printer = session.get(Printer, data.colour.id)
        for at, level in readings:
            supply = SupplyReading("Black Toner", kind="toner", color="black", percent=level, supply_index=1)
            record_poll(
                session,
                printer=printer,
                outcome=PollOutcome(
                    status=TaskStatus.SUCCESS, counters={"total_pages": 1000}, supplies=[supply], at=at
                ),
            )
        key = data.rows["colour_k"].supply_key
        first = SupplyLifetime(
            printer_id=printer.id,
            supply_key=key,
            started_at=now - timedelta(days=60),
            ended_at=now - timedelta(days=10),
            start_percent=100,
            end_percent=5,
            pages=2400,
            rated_yield=3000,
            started_by_replacement=False,
        )
        current = SupplyLifetime(
            printer_id=printer.id,
            supply_key=key,
            started_at=now - timedelta(days=10),
            start_percent=100,
            pages=900,
            rated_yield=3000,
        )
        session.add_all([first, current])
        stored = session.get(SupplyForecast, data.rows["colour_k"].id)
        stored.last_seen_at, stored.description = now - timedelta(days=1), "Black Toner"
        session.add(stored)
    page = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/printers/{data.colour.id}")
    hydrated(page)
    chart = page.locator("#supplies-chart")
    expect(chart.locator(".recharts-reference-line")).to_have_count(1)  # the replacement 10 days ago
    expect(chart).to_contain_text("↻")  # its label
    expect(chart.locator('.recharts-line-curve[stroke-dasharray="6 4"]').first).to_be_attached()
    expect(page.locator("#printer-forecasts")).to_contain_text("Black Toner 9 days (7–11)")
    expect(page.locator("#printer-forecasts")).to_contain_text("Black Drum 5 days (4–6)")
    expect(page.locator("#lifetimes-card")).to_contain_text("Cartridge lifetimes")
    expect(page.locator("#lifetimes-table thead")).to_contain_text("Yield vs rated")
    rows = page.locator("#lifetimes-table tr.lifetime-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("in the printer now")
    expect(rows.nth(0)).to_contain_text("30 % of 3,000")
    expect(rows.nth(1)).to_contain_text("2,400")
    expect(rows.nth(1)).to_contain_text("80 % of 3,000")
    expect(rows.nth(1)).to_contain_text("100 % → 5 %")
    page.locator("#supplies-chart").scroll_into_view_if_needed()
    shot(page, "supplies_printer_1440")
    page.locator("#lifetimes-card").scroll_into_view_if_needed()
    shot(page, "supplies_lifetimes_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#lifetimes-card").scroll_into_view_if_needed()
    shot(page, "supplies_printer_390")
