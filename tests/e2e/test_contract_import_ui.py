"""The contract import page in a real browser: two workbooks uploaded through the file chooser, the preview counts,
a MOVED row applied by hand, the status chosen, the apply run by the embedded worker with its progress and outcome,
the devices stored, and the "missing devices" report downloaded and opened with openpyxl."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from printer_app.models import ContractDevice
from printer_app.models.contracts import City, ContractStatus
from tests.e2e.conftest import AppServer, hydrated, new_context, own_server, sessions_of, shot
from tests.factories import make_contract_device, make_model, make_org

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

HEADER = ["Организация", "Город", "Адрес", "Производитель", "Модель", "Серийный номер", "Месяц обслуживания"]
STATUS = "E2E in service"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    """An app server of its own (SQLite, the workers embedded: the apply runs in its worker threads)."""
    yield from own_server("contract_import")


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
    tab.close(run_before_unload=False)  # the tab first, without waiting for its handlers, then its context
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def reference(db_session) -> None:
    """Alpha holds a device the files match and one they do not mention; Beta a device the files move to Alpha."""
    with db_session() as s:
        alpha, beta = make_org(s, name="Import Alpha"), make_org(s, name="Import Beta")
        model = make_model(s, "Kyocera", "P2040dn")
        city = City(name="Kazan")
        s.add_all([city, ContractStatus(name=STATUS, color="#1565c0")])
        s.flush()
        common = {"city_id": city.id, "device_model_id": model.id}
        make_contract_device(s, organization=alpha, address="Lenina 1", serial_number="E2E-MATCH", **common)
        make_contract_device(s, organization=alpha, address="Lenina 2", serial_number="E2E-GONE", **common)
        make_contract_device(s, organization=beta, address="Mira 3", serial_number="E2E-MOVED", **common)


def test_upload_preview_decide_apply_and_download(
    page: Page, app_server: AppServer, db_session, reference: None, tmp_path
) -> None:
    first = _workbook(
        tmp_path / "north.xlsx",
        [
            ["Import Alpha", "Kazan", "Lenina 1, office 4", "Kyocera", "P2040dn", "E2E-MATCH", "03.2026"],
            ["Import Alpha", "Kazan", "Pushkina 7", "Kyocera", "P2040dn", "E2E-NEW1", "2026-04"],
            ["Import Alpha", "Kazan", "Mira 3", "Kyocera", "P2040dn", "E2E-MOVED", ""],
        ],
    )
    second = _workbook(
        tmp_path / "south.xlsx",
        [
            ["Import Alpha", "Innopolis", "Universitetskaya 1", "Kyocera", "P2040dn", "E2E-NEW2", ""],
            ["Import Alpha", "Kazan", "Kremlin", "Kyocera", "FS-9999", "E2E-BAD", ""],
        ],
    )
    page.goto(f"{app_server.base_url}/contracts/import")
    expect(page.locator("#page-title")).to_have_text("Contract import")
    hydrated(page)
    with page.expect_file_chooser() as chooser:
        page.locator(".import-drop").click()
    chooser.value.set_files([str(first), str(second)])

    expect(page.locator(".import-file")).to_have_count(2)
    expect(page.locator(".import-file[data-name='north.xlsx'] .import-file-rows")).to_have_text("3 rows")
    counts = {"all": "5", "ERROR": "1", "NEW": "2", "MATCH": "1", "MOVED": "1", "DUP_IN_FILE": "0"}
    for row_class, count in counts.items():
        expect(page.locator(f".import-chip[data-class='{row_class}']")).to_have_attribute("data-count", count)
    expect(page.locator(".import-row[data-class='ERROR'] .import-error")).to_contain_text("FS-9999")
    changed = page.locator(".import-row[data-class='MATCH'] .import-changed[data-key='address'] .import-stored")
    expect(changed).to_have_text("Lenina 1")
    shot(page, "contract_import_preview_1440")

    page.locator(".import-chip[data-class='MOVED']").click()
    moved = page.locator(".import-row[data-class='MOVED']")
    expect(page.locator(".import-row")).to_have_count(1)
    moved.get_by_role("radio", name="Apply").click()
    expect(moved.get_by_text("Needs a decision")).to_have_count(0)

    page.locator("#import-apply").click()  # no status yet, and a new city not confirmed
    expect(page.locator("#import-problems")).to_contain_text("Choose the status")
    page.locator("#import-status").click()
    page.get_by_role("option", name=STATUS).click()
    expect(page.locator("#import-unknown-cities")).to_have_text("Innopolis")
    page.locator("#import-create-cities").click()
    expect(page.locator("#import-problems")).to_have_count(0)
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "contract_import_options_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#import-preview").scroll_into_view_if_needed()
    shot(page, "contract_import_preview_390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways on a phone (the table must scroll in its card)"
    page.set_viewport_size({"width": 1440, "height": 900})

    page.locator("#import-apply").click()
    expect(page.locator("#import-outcome")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-stats")).to_contain_text("Created 2, updated 2")
    expect(page.locator("#import-missing")).to_contain_text("1 device")
    shot(page, "contract_import_applied_1440")

    with db_session() as s:
        stored = {d.serial_number: d for d in s.exec(select(ContractDevice)).all()}
        assert {"E2E-NEW1", "E2E-NEW2", "E2E-MATCH", "E2E-MOVED", "E2E-GONE"} <= set(stored)
        assert "E2E-BAD" not in stored
        assert stored["E2E-MATCH"].address == "Lenina 1, office 4"
        assert stored["E2E-MOVED"].organization_id == stored["E2E-MATCH"].organization_id
        assert s.exec(select(City).where(City.name == "Innopolis")).first() is not None

    with page.expect_download() as download:
        page.locator("#import-download-missing").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "E2E-GONE" in cells and "E2E-NEW1" not in cells

    page.reload()  # the outcome is found again in the database
    expect(page.locator("#import-stats")).to_contain_text("Created 2, updated 2")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#import-outcome")).to_be_visible()
    shot(page, "contract_import_applied_390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.set_viewport_size({"width": 1440, "height": 900})
    # the switch reloads the page: wait for that full load, not only for the words (the old document may still be
    # going away while the next step, or the context's close, starts)
    with page.expect_event("load"):
        page.locator("#language-switch").get_by_role("radio", name="Русский").click()
    try:
        expect(page.locator("#page-title")).to_have_text("Импорт договоров")
        expect(page.locator("#import-stats")).to_contain_text("Создано 2, обновлено 2")
        shot(page, "contract_import_applied_ru_1440")
    finally:
        with page.expect_event("load"):
            page.locator("#language-switch").get_by_role("radio", name="English").click()
        expect(page.locator("#page-title")).to_have_text("Contract import")
        page.wait_for_load_state("networkidle")


def test_a_second_tab_follows_the_apply(
    browser, page: Page, app_server: AppServer, db_session, reference: None, tmp_path
) -> None:
    """Another tab of the same user shows the running apply's progress and then its outcome."""
    rows = [["Import Alpha", "Kazan", f"Street {n}", "Kyocera", "P2040dn", f"E2E-BULK-{n}", ""] for n in range(600)]
    bulk = _workbook(tmp_path / "bulk.xlsx", rows)
    page.goto(f"{app_server.base_url}/contracts/import")
    expect(page.locator("#page-title")).to_have_text("Contract import")
    page.locator("#import-new-session").click()
    hydrated(page)
    with page.expect_file_chooser() as chooser:
        page.locator(".import-drop").click()
    chooser.value.set_files(str(bulk))
    expect(page.locator(".import-chip[data-class='NEW']")).to_have_attribute("data-count", "600")
    page.locator("#import-status").click()
    page.get_by_role("option", name=STATUS).click()
    expect(page.locator("#import-status")).to_have_text(STATUS)

    other = new_context(browser, app_server).new_page()
    other.goto(f"{app_server.base_url}/contracts/import")
    expect(other.locator(".import-chip[data-class='NEW']")).to_have_attribute("data-count", "600")
    page.locator("#import-apply").click()
    expect(other.locator("#import-outcome")).to_be_visible(timeout=60_000)
    expect(other.locator("#import-stats")).to_contain_text("Created 600")
    expect(page.locator("#import-stats")).to_contain_text("Created 600")
    other.context.close()
