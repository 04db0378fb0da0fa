"""The reference data page in a real browser: a status with its colour and badge, a duplicate refused, a delete of a
row in use refused, and a cartridge workbook uploaded through the page."""

from __future__ import annotations

import io
import secrets

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from printer_app.models import ContractDevice, ContractStatus
from printer_app.services.contracts.reference import create_row
from printer_app.services.inventory.organizations import create_organization
from tests.e2e.conftest import hydrated, shot
from tests.factories import make_model

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Производитель", "Модель оборудования", "Картридж", "Артикул", "Цвет"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open_tab(page: Page, tab: str) -> None:
    page.click(f"#tab-{tab}")
    expect(page.locator(f"#ref-table-{tab}")).to_be_visible()


def test_statuses_and_the_cartridge_upload(page: Page, db_session) -> None:
    tag = secrets.token_hex(3)
    name = f"Обслуживается {tag}"
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/contracts/reference")
    expect(page.locator("#ref-table-city")).to_be_visible()
    _open_tab(page, "contractstatus")

    page.click("#ref-add")
    page.fill("#ref-name", name)
    page.fill("#ref-color", "#6f42c1")
    preview = page.locator("#ref-color-preview")
    expect(preview).to_have_text(name)
    expect(preview).to_have_css("background-color", "rgb(111, 66, 193)")
    expect(preview).to_have_css("color", "rgb(255, 255, 255)")  # white reads better on dark violet
    shot(page, "reference_status_dialog")
    page.click("#ref-save")
    row = page.locator("tr.ref-row", has_text=name)
    badge = row.locator(".ref-status-badge")
    expect(badge).to_have_text(name)
    expect(badge).to_have_css("background-color", "rgb(111, 66, 193)")

    page.click("#ref-add")
    page.fill("#ref-name", name.upper())
    page.click("#ref-save")
    expect(page.locator("#error-name")).to_have_text(f"A status named “{name}” already exists")
    page.keyboard.press("Escape")
    expect(page.locator("#ref-save")).to_have_count(0)
    expect(page.locator("tr.ref-row", has_text=name)).to_have_count(1)

    with db_session() as session:  # a device with this status: the status is in use
        status = session.exec(select(ContractStatus).where(ContractStatus.name == name)).one()
        org = create_organization(session, name=f"Reference org {tag}")
        session.add(ContractDevice(organization_id=org.id, status_id=status.id, serial_number=f"REF{tag}"))
        create_row(session, "manufacturer", {"name": f"Maker {tag}"})
    row.locator(".ref-delete").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Delete “{name}”?")
    page.click("#ref-delete-confirm")
    expect(page.locator("#ref-delete-error")).to_have_text(
        f"“{name}” cannot be deleted: it is used by 1 contract device."
    )
    page.keyboard.press("Escape")
    expect(page.locator("tr.ref-row", has_text=name)).to_have_count(1)

    with db_session() as session:
        make_model(session, f"Maker {tag}", f"LJ-{tag}")
    _open_tab(page, "cartridge")
    data = _workbook(
        [f"Maker {tag}", f"LJ-{tag}", f"TN-{tag}", f"PN-{tag}", "голубой"],
        [f"Maker {tag}", "No such model", f"TX-{tag}", "", ""],
    )
    hydrated(page)
    page.set_input_files(
        "#cartridge-upload input[type=file]", files=[{"name": "cartridges.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    summary = page.locator("#cartridge-import-summary")
    expect(summary).to_contain_text("cartridges.xlsx: 2 rows, 1 cartridges created, 0 updated, 1 linked to models")
    expect(page.locator(".import-row-error")).to_have_text([f"Row 3: Model “No such model” of “Maker {tag}” not found"])
    hydrated(page)
    page.fill("#ref-search", f"TN-{tag}")
    cartridge = page.locator("tr.ref-row", has_text=f"TN-{tag}")
    expect(cartridge).to_contain_text("Cyan")
    expect(cartridge).to_contain_text(f"PN-{tag}")
    shot(page, "reference_cartridges_1440")

    hydrated(page)
    page.set_input_files(
        "#cartridge-upload input[type=file]",
        files=[{"name": "notes.xlsx", "mimeType": XLSX, "buffer": b"not a workbook at all"}],
    )
    expect(page.locator("#cartridge-import-refused")).to_have_text(
        "notes.xlsx: The file is not an Excel workbook (.xlsx). Nothing was stored."
    )

    page.reload()  # the tab is in the URL
    expect(page.locator("#ref-table-cartridge")).to_be_visible()
    expect(page.locator("#tab-cartridge")).to_have_attribute("aria-selected", "true")

    _open_tab(page, "devicemodel")
    hydrated(page)
    page.fill("#ref-search", f"LJ-{tag}")
    model = page.locator("tr.ref-row", has_text=f"LJ-{tag}")
    model.locator(".ref-model-cartridges").click()
    expect(page.locator("#ref-model-links")).to_contain_text(f"TN-{tag}")
    shot(page, "reference_model_cartridges")
    page.keyboard.press("Escape")

    page.set_viewport_size({"width": 390, "height": 844})
    _open_tab(page, "serviceprovider")
    expect(page.locator("tr.ref-row", has_text="servicedesk@amb.example")).to_contain_text("Okdesk")  # seeded
    _open_tab(page, "contractstatus")
    expect(page.locator("tr.ref-row", has_text=name)).to_be_visible()
    shot(page, "reference_statuses_390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
