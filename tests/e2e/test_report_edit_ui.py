"""Counter editing in the month table in Chromium (issue #17): a locked cell explains itself on hover, a bad value
is refused with the reason in place, Tab saves and moves to the next editable cell, the edit (and the totals row)
reaches another tab live, an editor open in that tab keeps its typed text through the re-render, the hand marker
and "reset to inventory"; screenshots at 1440 and 390 px."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete

from printer_app.models import CounterChangeLog, MonthControl, MonthlyReport
from printer_app.services.access import auth
from printer_app.services.access.roles import set_user_groups
from printer_app.services.reports.groups import recompute_month
from tests.e2e.conftest import hydrated, new_context, shot, sign_in

pytestmark = pytest.mark.e2e
MONTH = date(2026, 10, 1)
PASSWORD = "Counter-editor-2026"


def _seed(db_session) -> dict[str, int]:
    with db_session() as session:
        session.exec(delete(CounterChangeLog))
        session.exec(delete(MonthlyReport))
        session.exec(delete(MonthControl))
        session.add(MonthControl(month=MONTH, is_published=True, edit_until=datetime.now(UTC) + timedelta(days=5)))
        rows = {
            "first": MonthlyReport(
                month=MONTH,
                order_number=1,
                serial_number="DUP-1",
                inventory_number="I-1",
                a4_bw_start=100,
                a4_bw_end=500,
            ),
            "later": MonthlyReport(
                month=MONTH, order_number=2, serial_number="dup-1", inventory_number="i-1", a3_bw_end=40
            ),
            "solo": MonthlyReport(
                month=MONTH,
                order_number=3,
                serial_number="SOLO-1",
                a4_bw_end=700,
                a4_bw_end_auto=650,
                a4_bw_end_manual=True,
            ),
        }
        session.add_all(rows.values())
        session.flush()
        recompute_month(session, MONTH)
        return {name: row.id for name, row in rows.items()}


def _row(page: Page, row_id: int):
    return page.locator(f'#month-table tbody tr[data-id="{row_id}"]')


def test_counter_editing_across_tabs(page: Page, db_session) -> None:
    ids = _seed(db_session)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports/2026-10")
    hydrated(page)
    other = page.context.new_page()
    other.set_viewport_size({"width": 1440, "height": 900})
    other.goto("/reports/2026-10")
    hydrated(other)
    expect(other.locator("#total-total_prints")).to_have_text("1,140")  # 400 (A4 of the first) + 40 + 700

    # a locked cell says why on hover
    locked = _row(page, ids["later"]).locator(".locked-a4_bw_end")
    expect(locked).to_have_attribute("title", "A4 fields belong to the first row of this duplicate group.")
    expect(_row(page, ids["later"]).locator(".edit-a4_bw_end")).to_have_count(0)

    # in the other tab an editor is open with typed text when this tab's edit arrives
    _row(other, ids["solo"]).locator(".edit-a4_bw_start").click()
    other.locator("#cell-editor").fill("5")

    # a bad value stays with its reason; Tab saves and opens the next editable cell
    first = _row(page, ids["first"])
    first.locator(".edit-a4_bw_end").click()
    page.locator("#cell-editor").fill("12.5")
    page.keyboard.press("Enter")
    expect(page.locator("#cell-error")).to_contain_text("digits only")
    page.locator("#cell-editor").fill("600")
    page.keyboard.press("Tab")
    expect(first.locator("td.c-a4_color_end #cell-editor")).to_be_focused()
    expect(first.locator("td.c-a4_bw_end")).to_contain_text("600")
    expect(first.locator(".manual-a4_bw_end")).to_have_attribute("title", "Changed by hand; auto-sync leaves it")
    shot(page, "report_edit_1440")
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor")).to_have_count(0)

    # the other tab shows the edit and the totals, and its own editor kept the typed text
    expect(_row(other, ids["first"]).locator("td.c-a4_bw_end")).to_contain_text("600")
    expect(other.locator("#total-total_prints")).to_have_text("1,240")
    expect(other.locator("#cell-editor")).to_have_value("5")
    other.keyboard.press("Escape")

    # reset to inventory puts back the auto value, in both tabs
    reset = _row(other, ids["solo"]).locator(".reset-a4_bw_end")
    expect(reset).to_have_attribute("title", "Reset to inventory: puts back 650")
    reset.click()
    expect(_row(page, ids["solo"]).locator("td.c-a4_bw_end")).to_have_text("650")
    expect(_row(page, ids["solo"]).locator(".manual-a4_bw_end")).to_have_count(0)
    other.close()
    with db_session() as session:
        assert session.get(MonthlyReport, ids["first"]).a4_bw_end == 600
        assert session.get(MonthlyReport, ids["solo"]).a4_bw_end_manual is False

    page.set_viewport_size({"width": 390, "height": 844})
    _row(page, ids["first"]).locator(".edit-a4_bw_start").click()
    expect(page.locator("#cell-editor")).to_be_visible()
    shot(page, "report_edit_390")


def test_an_end_editor_sees_why_cells_are_locked(page: Page, browser, app_server, db_session) -> None:
    """Not a superuser: start counters are not theirs, an end counter filled by a fresh poll is auto-locked (lock
    icon, the age of the poll on hover), the others open on click."""
    ids = _seed(db_session)
    username = f"e2e-end-{secrets.token_hex(3)}"
    with db_session() as session:
        user = auth.create_local_user(session, username=username, password=PASSWORD)
        set_user_groups(session, user=user, group_names=["Monthly reports — Editors (end)"], actor_id=None)
        polled = session.get(MonthlyReport, ids["solo"])
        polled.inventory_last_ok = datetime.now(UTC) - timedelta(days=1)
    context = new_context(browser, app_server, signed_in=False)
    try:
        sign_in(context, app_server, username, PASSWORD)
        editor = context.new_page()
        editor.set_viewport_size({"width": 1440, "height": 900})
        editor.goto("/reports/2026-10")
        hydrated(editor)
        solo = _row(editor, ids["solo"])
        expect(solo.locator(".locked-a4_bw_end")).to_have_attribute("title", "Auto-filled from the inventory 1 day ago")
        expect(solo.locator(".locked-a4_bw_end svg")).to_have_count(1)  # the lock icon
        start = _row(editor, ids["first"]).locator(".locked-a4_bw_start")
        expect(start).to_have_attribute("title", "You may not edit start counters.")
        expect(start.locator("svg")).to_have_count(0)  # no icon where it would not help
        expect(solo.locator(".reset-a4_bw_end")).to_have_count(0)  # no can_reset_auto_polling
        solo.locator(".locked-a4_bw_end").hover()
        _row(editor, ids["first"]).locator(".edit-a4_bw_end").click()
        expect(editor.locator("#cell-editor")).to_be_focused()
        shot(editor, "report_edit_locks_1440")
    finally:
        context.close()
