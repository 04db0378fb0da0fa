"""History and revert in a real browser: a row's change (seeded through the services) shows in the row's history
panel; reverting it asks first, puts the old value back in the table and adds the revert's own line to the panel;
another tab's open panel follows the revert live; the month history page applies a filter from the URL; the
month's operations log lists its bulk operations; phone layouts of both pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete, select

from printer_app.models import BulkChangeLog, CounterChangeLog, MonthControl, MonthlyReport
from printer_app.services.reports.change_log import log_changes
from printer_app.services.reports.groups import recompute_month
from tests.e2e.conftest import hydrated, shot

pytestmark = pytest.mark.e2e
MONTH = date(2026, 11, 1)


def _seed(db_session) -> dict[str, int]:
    """An open month of two rows; row "first" had its A4 b/w end changed 500 -> 800 by hand, row "second" its A4
    colour end by the inventory sync; one upload in the month's log."""
    with db_session() as session:
        session.exec(delete(CounterChangeLog))
        session.exec(delete(MonthlyReport).where(MonthlyReport.month == MONTH))
        session.exec(delete(MonthControl).where(MonthControl.month == MONTH))
        session.exec(delete(BulkChangeLog).where(BulkChangeLog.month == MONTH))
        session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime.now(UTC) + timedelta(days=5)))
        first = MonthlyReport(month=MONTH, order_number=1, organization="Альфа", serial_number="HIST-1", a4_bw_end=500)
        second = MonthlyReport(
            month=MONTH, order_number=2, organization="Бета", serial_number="HIST-2", a4_color_end=10
        )
        session.add_all([first, second])
        session.flush()
        first.a4_bw_end, second.a4_color_end = 800, 20
        log_changes(session, [(first.id, "a4_bw_end", 500, 800)], source="manual")
        log_changes(session, [(second.id, "a4_color_end", 10, 20)], source="auto_sync")
        started = datetime.now(UTC) - timedelta(hours=1)
        session.add(
            BulkChangeLog(
                operation_type="excel_upload",
                month=MONTH,
                records_affected=2,
                fields_changed=["a4_bw_end"],
                params={"file_name": "november.xlsx", "replace_month": True},
                started_at=started,
                finished_at=started + timedelta(seconds=3),
            )
        )
        session.flush()
        recompute_month(session, MONTH)
        entry = session.exec(select(CounterChangeLog).where(CounterChangeLog.report_id == first.id)).one()
        synced = session.exec(select(CounterChangeLog).where(CounterChangeLog.report_id == second.id)).one()
        return {"first": first.id, "second": second.id, "entry": entry.id, "synced": synced.id}


def _settled(page: Page) -> None:
    """Wait for the panel to finish sliding in (its right edge at the window's) before a screenshot."""
    page.wait_for_function(
        "() => { const p = document.getElementById('history-panel');"
        " return p && Math.abs(p.getBoundingClientRect().right - window.innerWidth) < 1; }"
    )


def test_history_panel_revert_and_month_history(page: Page, db_session) -> None:
    ids = _seed(db_session)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports/2026-11")
    hydrated(page)
    row = page.locator(f'#month-table tbody tr[data-id="{ids["first"]}"]')
    expect(row.locator("td.c-a4_bw_end")).to_have_text("800")

    # the row's panel: the change, newest first, with its source
    page.click(f"#history-{ids['first']}")
    panel = page.locator("#history-panel")
    expect(panel.locator("#panel-row")).to_contain_text("HIST-1")
    entries = panel.locator(".history-entry")
    expect(entries).to_have_count(1)
    expect(entries.first.locator(".history-old")).to_have_text("500")
    expect(entries.first.locator(".history-new")).to_have_text("800")
    expect(entries.first).to_contain_text("A4 b/w end")
    expect(entries.first).to_contain_text("Manual")
    _settled(page)
    shot(page, "report_history_panel_1440")

    # a second tab shows the same row's panel: it follows the revert made in the first
    other = page.context.new_page()
    other.goto("/reports/2026-11")
    hydrated(other)
    other.click(f"#history-{ids['first']}")
    expect(other.locator("#history-panel .history-entry")).to_have_count(1)

    # revert: the question names the field, the value now and the value restored
    page.click(f"#panel-revert-{ids['entry']}")
    expect(page.locator("#revert-question")).to_have_text(
        "A4 b/w end is 800 now; the revert sets it back to 500 and logs the revert."
    )
    _settled(page)
    shot(page, "report_history_revert_1440")
    page.click("#revert-confirm")
    expect(entries).to_have_count(2)
    expect(entries.first.locator(".history-new")).to_have_text("500")
    expect(entries.first).to_contain_text(f"revert of change #{ids['entry']}")
    expect(other.locator("#history-panel .history-entry")).to_have_count(2)
    expect(other.locator(f'#month-table tbody tr[data-id="{ids["first"]}"] td.c-a4_bw_end')).to_have_text("500")
    other.close()
    page.click("#panel-close")
    expect(panel).to_have_count(0)
    expect(row.locator("td.c-a4_bw_end")).to_have_text("500")
    expect(row.locator("td.c-total_prints")).to_have_text("500")
    with db_session() as session:
        stored = session.get(MonthlyReport, ids["first"])
        assert (stored.a4_bw_end, stored.a4_bw_end_manual, stored.total_prints) == (500, True, 500)

    # the month's history, a filter from the URL: only the manual changes (the change and the two reverts)
    page.click("#month-history")
    expect(page).to_have_url("/reports/2026-11/history")
    expect(page.locator("#history-table tbody tr")).to_have_count(3)
    # a revert from here: the dialog asks, the page follows with the revert's own line
    page.click(f"#revert-{ids['synced']}")
    expect(page.locator("#revert-question")).to_have_text(
        "A4 colour end is 20 now; the revert sets it back to 10 and logs the revert."
    )
    shot(page, "report_history_page_revert_1440")
    page.click("#revert-confirm")
    expect(page.locator("#history-table tbody tr")).to_have_count(4)
    expect(page.locator("#history-table tbody tr").first).to_contain_text(f"revert of change #{ids['synced']}")
    page.goto("/reports/2026-11/history?source=manual")
    hydrated(page)
    expect(page.locator("#history-table tbody tr")).to_have_count(3)
    expect(page.locator("#filter-source")).to_have_text("Manual")
    link = page.locator("#history-table tbody tr").last.locator(".history-row-link")
    expect(link).to_have_attribute("href", "/reports/2026-11?q=HIST-1")
    page.click("#sort-field")
    expect(page).to_have_url("/reports/2026-11/history?source=manual&sort=field&asc=1")
    shot(page, "report_history_page_1440")

    # the month's operations log
    page.goto("/reports/2026-11/log")
    expect(page.locator("#log-table tbody tr")).to_have_count(1)
    expect(page.locator("#log-table tbody tr")).to_contain_text("File: november.xlsx")
    expect(page.locator("#log-table tbody tr")).to_contain_text("done in 3 s")
    shot(page, "report_log_1440")

    # phone: cards, the filters fold away, the page does not widen
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#log-cards .log-card")).to_have_count(1)
    shot(page, "report_log_390")
    page.goto("/reports/2026-11/history")
    expect(page.locator("#history-cards .history-card")).to_have_count(4)
    expect(page.locator("#filter-source")).to_be_hidden()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    shot(page, "report_history_page_390")
    page.goto("/reports/2026-11")
    hydrated(page)
    page.click(f"#history-{ids['second']}")
    expect(page.locator("#history-panel .history-entry")).to_have_count(2)
    _settled(page)
    shot(page, "report_history_panel_390")
