""" "Sync month" on the month table in a real browser (embedded workers): the click in one tab shows the progress bar
in a second tab of the month and in a tab opened while the run goes on, then the stats in every tab and the synced
counters in the table; a closed month's button is disabled with the reason; the phone layout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert
from sqlmodel import Session, delete

from printer_app.models import InventoryTask, MonthControl, MonthlyReport, PageCounter, Printer
from tests.e2e.conftest import AppServer, hydrated, new_context, own_server, sessions_of, shot

pytestmark = pytest.mark.e2e
MONTH = date(2026, 10, 1)
ROWS = 5000  # enough for the run to last a few seconds on SQLite: the progress bar is seen in the other tab
POLLED_AT = datetime(2026, 10, 10, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    """A server of the module's own: the seed below replaces every printer, poll and report of its database."""
    yield from own_server("report_sync")


@pytest.fixture(scope="module")
def db_session(app_server: AppServer) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    yield from sessions_of(app_server)


def _seed(db_session, *, closed: bool = False) -> None:
    with db_session() as session:
        for model in (PageCounter, InventoryTask, Printer, MonthlyReport, MonthControl):
            session.exec(delete(model))
        until = datetime.now(UTC) + (timedelta(days=-1) if closed else timedelta(days=5))
        session.add(MonthControl(month=MONTH, is_published=True, edit_until=until, auto_sync_enabled=True))
        session.execute(
            insert(MonthlyReport),
            [
                {"month": MONTH, "order_number": n + 1, "organization": "Альфа", "serial_number": f"SY-{n:05d}"}
                for n in range(ROWS)
            ],
        )
        session.execute(
            insert(Printer),
            [
                {"id": 90_000 + n, "ip_address": f"10.77.{n // 250}.{n % 250 + 1}", "serial_number": f"SY-{n:05d}"}
                for n in range(ROWS - 1)  # the last serial has no printer: it is listed as skipped
            ],
        )
        session.execute(
            insert(InventoryTask),
            [
                {"id": 90_000 + n, "printer_id": 90_000 + n, "task_timestamp": POLLED_AT, "status": "SUCCESS"}
                for n in range(ROWS - 1)
            ],
        )
        session.execute(
            insert(PageCounter),
            [
                {"task_id": 90_000 + n, "printer_id": 90_000 + n, "bw_a4": 1000 + n, "recorded_at": POLLED_AT}
                for n in range(ROWS - 1)
            ],
        )


def _open(page: Page) -> None:
    page.goto("/reports/2026-10")
    hydrated(page)
    expect(page.locator("#month-sync")).to_be_attached()


def test_sync_month_with_progress_in_every_tab(page: Page, browser, app_server, db_session) -> None:
    _seed(db_session)
    page.set_viewport_size({"width": 1440, "height": 900})
    _open(page)
    other_context = new_context(browser, app_server)
    try:
        other = other_context.new_page()
        _open(other)
        page.locator("#sync-month").click()
        expect(other.locator("#sync-progress")).to_be_visible()  # the other tab follows the run
        shot(other, "report_sync_progress_1440")
        for tab in (page, other):
            expect(tab.locator("#sync-stats")).to_be_visible(timeout=120_000)
            expect(tab.locator("#sync-updated")).to_have_text(f"Rows updated: {ROWS - 1:,}")
            expect(tab.locator("#sync-skipped")).to_contain_text(f"SY-{ROWS - 1:05d}")
        expect(page.locator("#sync-progress")).to_have_count(0)
        shot(page, "report_sync_stats_1440")
        page.locator("#sync-stats-dismiss").click()
        expect(page.locator("#sync-stats")).to_have_count(0)
        expect(other.locator("#sync-stats")).to_be_visible()  # dismissed in its own tab only
    finally:
        other_context.close()
    with db_session() as session:
        row = (
            session.exec(MonthlyReport.__table__.select().where(MonthlyReport.serial_number == "SY-00007"))
            .mappings()
            .one()
        )
        assert (row["a4_bw_end"], row["a4_bw_end_auto"], row["device_ip"]) == (1007, 1007, "10.77.0.8")


def test_a_closed_month_cannot_be_synced_and_the_bar_fits_a_phone(page: Page, db_session) -> None:
    _seed(db_session, closed=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page)
    expect(page.locator("#sync-month")).to_be_disabled()
    expect(page.locator("#sync-blocked")).to_have_text("The month is closed for editing.")
    expect(page.locator("#poll-month-printers")).to_be_visible()
    shot(page, "report_sync_closed_390")
