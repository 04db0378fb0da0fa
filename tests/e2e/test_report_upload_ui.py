"""The month upload page in a real browser: a file naming an unknown organization is refused with a hint and Import
disabled; a good file (a row of column numbers, numbers written as text, an ignored column, a negative counter)
shows its preview, which survives a reload; Import stores the month's rows with the chosen options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from printer_app.models.reports import MonthControl, MonthlyReport
from tests.e2e.conftest import AppServer, hydrated, new_context, own_server, sessions_of, shot
from tests.factories import make_org
from tests.report_workbooks import SHORT_RU, row, xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    yield from own_server("report_upload")


@pytest.fixture(scope="module")
def db_session(app_server: AppServer) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    yield from sessions_of(app_server)


@pytest.fixture
def page(browser, app_server: AppServer) -> Iterator[Page]:
    expect.set_options(timeout=30_000)
    context = new_context(browser, app_server)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    tab.close(run_before_unload=False)
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _choose(page: Page, path: Path) -> None:
    hydrated(page)
    with page.expect_file_chooser() as chooser:
        page.locator("#report-upload-file").click()
    chooser.value.set_files(str(path))


def test_refusal_preview_reload_and_import(page: Page, app_server: AppServer, db_session, tmp_path: Path) -> None:
    with db_session() as s:
        make_org(s, name="ООО Север")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([SHORT_RU, row("ООО Севр", "B-1")]))
    good = tmp_path / "march.xlsx"
    good.write_bytes(
        xlsx(
            [
                [*SHORT_RU, "Примечание"],
                list(range(1, 22)),
                row("ооо север", "E2E-1", counters=["1 000", "1 250"], sla=["720,5", "0", "3", "4"]),
                [None] * 5,
                row("ООО Север", "E2E-2", counters=[-7, 40]),
            ]
        )
    )
    page.goto(f"{app_server.base_url}/reports/upload?month=2026-03")
    expect(page.locator("#page-title")).to_have_text("Upload a month")
    expect(page.locator("#upload-month")).to_have_value("2026-03")

    _choose(page, bad)
    expect(page.locator("#upload-refusal")).to_contain_text("do not exist")
    expect(page.locator(".upload-unknown")).to_have_text("ООО Севр — did you mean: ООО Север")
    expect(page.locator("#upload-import")).to_be_disabled()
    shot(page, "report_upload_refused_1440")
    page.locator("#upload-again").click()

    _choose(page, good)
    expect(page.locator("#upload-rows")).to_have_text("2 rows read")
    expect(page.locator("#upload-columns [data-field='a4_bw_end'] .upload-header")).to_have_text("A4 ч/б конец")
    expect(page.locator("#upload-ignored")).to_contain_text("Примечание")
    expect(page.locator(".upload-problem")).to_have_count(1)
    expect(page.locator(".upload-problem")).to_contain_text("7")
    expect(page).to_have_url(re.compile(r"/reports/upload\?upload=\d+$"))
    shot(page, "report_upload_preview_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#upload-preview").scroll_into_view_if_needed()
    shot(page, "report_upload_preview_390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways on a phone"
    page.set_viewport_size({"width": 1440, "height": 900})

    page.reload()
    expect(page.locator("#upload-rows")).to_have_text("2 rows read")
    expect(page.locator("#upload-month")).to_have_value("2026-03")
    with db_session() as s:
        assert s.exec(select(MonthlyReport)).all() == []  # nothing before Import

    page.locator("#upload-replace").click()
    page.locator("#upload-publish").click()
    page.locator("#upload-import").click()
    expect(page.locator("#upload-result-text")).to_contain_text("2 rows imported into 2026-03")
    expect(page.locator("#upload-month-link")).to_have_attribute("href", "/reports/2026-03")
    expect(page.locator("#upload-import")).to_be_disabled()
    shot(page, "report_upload_done_1440")

    with db_session() as s:
        rows = s.exec(select(MonthlyReport).order_by(MonthlyReport.order_number)).all()
        assert [(r.serial_number, r.organization, r.a4_bw_start, r.a4_bw_end) for r in rows] == [
            ("E2E-1", "ООО Север", 1000, 1250),
            ("E2E-2", "ООО Север", 0, 40),
        ]
        assert rows[0].total_prints == 250 and rows[0].normative_availability == 720.5 and rows[0].k2 == 75.0
        control = s.exec(select(MonthControl)).one()
        assert control.is_published and control.edit_until is None


def test_a_large_file_is_imported_by_a_worker_with_its_progress_in_the_page(
    page: Page, app_server: AppServer, db_session, tmp_path: Path
) -> None:
    with db_session() as s:
        make_org(s, name="ООО Большой")
    big = tmp_path / "big.xlsx"
    count = 2_100
    big.write_bytes(xlsx([SHORT_RU, *(row("ООО Большой", f"BIG-{n:05d}", counters=[n, n + 2]) for n in range(count))]))
    page.goto(f"{app_server.base_url}/reports/upload?month=2026-04")
    _choose(page, big)
    expect(page.locator("#upload-rows")).to_have_text("2,100 rows read")
    page.locator("#upload-import").click()
    expect(page.get_by_text("The import runs in the background; its progress shows here")).to_be_visible()
    expect(page.locator("#upload-result-text")).to_contain_text("2,100 rows imported into 2026-04", timeout=120_000)
    expect(page.locator("#upload-progress")).to_have_count(0)
    shot(page, "report_upload_worker_done_1440")
    with db_session() as s:
        months = s.exec(select(MonthlyReport.month).where(MonthlyReport.serial_number.startswith("BIG-"))).all()
        assert len(months) == count and {m.isoformat() for m in months} == {"2026-04-01"}


def test_the_page_in_russian(page: Page, app_server: AppServer, db_session, tmp_path: Path) -> None:
    with db_session() as s:
        make_org(s, name="ООО Юг")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([SHORT_RU, row("ООО Юк", "B-1", counters=["x"])]))
    page.goto(f"{app_server.base_url}/reports/upload?month=2026-03")
    expect(page.locator("#page-title")).to_have_text("Upload a month")
    page.locator("#language-switch").get_by_role("radio", name="Русский").click()
    try:
        expect(page.locator("#page-title")).to_have_text("Загрузка месяца")
        _choose(page, bad)
        expect(page.locator(".upload-unknown")).to_have_text("ООО Юк — возможно, имелось в виду: ООО Юг")
        expect(page.locator("#upload-columns [data-field='a4_bw_end'] td").first).to_have_text("A4 ч/б конец")
        shot(page, "report_upload_refused_ru_1440")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "report_upload_form_ru_390")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways on a phone"
    finally:
        page.set_viewport_size({"width": 1440, "height": 900})  # the language switch is in the sidebar
        page.locator("#language-switch").get_by_role("radio", name="English").click()
        expect(page.locator("#page-title")).to_have_text("Upload a month")
