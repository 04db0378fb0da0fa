"""The /contracts page's states, called as a signed-in tab would: permissions refused server-side in every handler,
filters read from hostile URLs, a save / inline status / delete / export / "Link now" that really happen."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import openpyxl
import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from printer_app.models import ContractDevice
from printer_app.state.contracts.device_form import DeviceFormState
from printer_app.state.contracts.device_views import text_on
from printer_app.state.contracts.devices import DevicesState
from tests.factories import make_printer
from tests.integration.contract_devices_data import device, make_refs
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401

ROLES = {"viewer": "Contracts — Viewer", "editor": "Contracts — Editor", "inventory": "Inventory — Viewer"}


@pytest.fixture
def cookies(app_db: str, session: Session) -> dict[str, str]:  # noqa: F811
    found = {who: session_cookie(session, username=who, groups=(role,)) for who, role in ROLES.items()}
    found["nobody"] = ""
    return found


@pytest.fixture
def refs(session: Session, cookies):
    refs = make_refs(session)
    session.commit()
    return refs


def _tab(cls: type[rx.State], cookie: str, query: dict | None = None) -> rx.State:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "contracts-test", "origin": "http://localhost:3000"}
    path = "/contracts" + ("?" + urlencode(query) if query else "")
    root.router = RouterData.from_router_data({"headers": headers, "pathname": "/contracts", "asPath": path})
    return root.get_substate(cls.get_full_name().split("."))


def _refused(result: object) -> bool:
    text = repr(result)
    return "Not allowed" in text or "/auth/login" in text


def _devices(session: Session) -> list[ContractDevice]:
    session.expire_all()
    return list(session.exec(select(ContractDevice).order_by(ContractDevice.id)).all())


def test_page_load_needs_the_contracts_permissions(cookies, refs, session):
    device(session, refs, serial_number="SEEN-1")
    session.commit()
    for who in ("nobody", "inventory"):
        state = _tab(DevicesState, cookies[who])
        result = run_handler(DevicesState.load, state)
        assert state.rows == [] and (state.access == "denied" or "/auth/login" in repr(result)), who
    state = _tab(DevicesState, cookies["viewer"])
    run_handler(DevicesState.load, state)
    assert state.access == "ok" and [r.serial for r in state.rows] == ["SEEN-1"]


def test_viewer_cannot_change_anything(cookies, refs, session):
    stored = device(session, refs, serial_number="KEEP")
    session.commit()
    cookie = cookies["viewer"]
    form = _tab(DeviceFormState, cookie)
    assert _refused(run_handler(DeviceFormState.open_new, form))
    assert _refused(run_handler(DeviceFormState.open_edit, form, stored.id))
    form.form = {
        "organization": str(refs.org_a.id),
        "city": str(refs.irkutsk.id),
        "address": "x",
        "model": str(refs.hp.id),
        "serial": "NEW",
    }
    assert _refused(run_handler(DeviceFormState.save, form))
    assert _refused(run_handler(DeviceFormState.ask_delete, form, stored.id))
    form.delete_id = stored.id
    assert _refused(run_handler(DeviceFormState.delete, form))
    page = _tab(DevicesState, cookie)
    assert _refused(run_handler(DevicesState.set_status, page, stored.id, str(refs.repair.id)))
    assert _refused(run_handler(DevicesState.link_now, page))
    assert [(d.serial_number, d.status_id) for d in _devices(session)] == [("KEEP", refs.active.id)]
    # the viewer may export (the role holds export_contracts); the inventory viewer may not even list
    assert not _refused(run_handler(DevicesState.export, page))
    other = _tab(DevicesState, cookies["inventory"])
    assert _refused(run_handler(DevicesState.export, other))
    assert _refused(run_handler(DevicesState.sort_by, other, "serial"))
    assert _refused(run_handler(DevicesState.set_filter, other, "city", str(refs.irkutsk.id)))


def test_editor_adds_edits_changes_status_and_deletes(cookies, refs, session):
    cookie = cookies["editor"]
    printer = make_printer(session, serial_number="ED-1")
    session.commit()
    form = _tab(DeviceFormState, cookie)
    run_handler(DeviceFormState.open_new, form)
    assert form.open and form.form["status"] == "none"
    for name, value in {
        "organization": str(refs.org_a.id),
        "city": str(refs.irkutsk.id),
        "address": "Lenina 5",
        "model": str(refs.hp.id),
        "serial": "ed-1",
        "service_month": "2026-04",
    }.items():
        run_handler(DeviceFormState.set_value, form, name, value)
    answers = run_handler(DeviceFormState.save, form)
    assert not form.open, form.errors
    assert printer.ip_address in repr(answers)  # linked on save, and said so
    [stored] = _devices(session)
    assert stored.printer_id == printer.id and stored.status_id is None
    # a refused save keeps the dialog open with the field's message and stores nothing
    run_handler(DeviceFormState.open_new, form)
    for name, value in {
        "organization": str(refs.org_a.id),
        "city": str(refs.irkutsk.id),
        "address": "Other 1",
        "model": str(refs.hp.id),
        "serial": "ED-1",
    }.items():
        run_handler(DeviceFormState.set_value, form, name, value)
    run_handler(DeviceFormState.save, form)
    assert form.open and form.errors == {"serial": "Serial ED-1 is already under contract for Alpha Clinic"}
    assert len(_devices(session)) == 1
    # edit: the dialog loads the stored values; a stale form is refused
    run_handler(DeviceFormState.open_edit, form, stored.id)
    assert form.form["service_month"] == "04.2026" and form.form["manufacturer"] == str(refs.hp.manufacturer_id)
    stale = _tab(DeviceFormState, cookie)
    run_handler(DeviceFormState.open_edit, stale, stored.id)
    run_handler(DeviceFormState.set_value, form, "room", "12")
    run_handler(DeviceFormState.save, form)
    run_handler(DeviceFormState.set_value, stale, "room", "99")
    run_handler(DeviceFormState.save, stale)
    assert stale.open and "form" in stale.errors and any("99" in line for line in stale.unsaved)
    assert _devices(session)[0].room_number == "12"
    # inline status, then a forged one
    page = _tab(DevicesState, cookie)
    run_handler(DevicesState.load, page)
    run_handler(DevicesState.set_status, page, stored.id, str(refs.repair.id))
    assert _devices(session)[0].status_id == refs.repair.id and page.rows[0].status == "In repair"
    assert "No status" in repr(run_handler(DevicesState.set_status, page, stored.id, "987654"))
    # delete names the device
    run_handler(DeviceFormState.ask_delete, form, stored.id)
    assert "ed-1" in form.delete_label and "Alpha Clinic" in form.delete_label
    answers = run_handler(DeviceFormState.delete, form)
    assert _devices(session) == [] and "ed-1" in repr(answers)


def test_url_filters_hostile_values_and_export(cookies, refs, session):
    device(session, refs, serial_number="A-1", service_start_month=None)
    device(session, refs, serial_number="B-2", organization_id=refs.org_b.id, comment='=HYPERLINK("x")')
    session.commit()
    query = {
        "org": str(refs.org_b.id),
        "status": "none'; --",
        "from": "not-a-month",
        "sort": "DROP",
        "page": "-1",
        "size": "7",
        "linked": "maybe",
        "city": "1e9",
    }
    state = _tab(DevicesState, cookies["viewer"], query)
    run_handler(DevicesState.load, state)
    assert [r.serial for r in state.rows] == ["B-2"]
    assert (state.status, state.month_from, state.sort, state.page, state.page_size, state.linked) == (
        "all",
        "",
        "organization",
        1,
        50,
        "all",
    )
    assert state.url == f"/contracts?org={refs.org_b.id}"
    answers = run_handler(DevicesState.export, state)
    download = next(a for a in answers if "download" in repr(a).lower())
    assert "contracts.xlsx" in repr(download)
    state.english = True
    state.search = "a-1"
    state.organization = "all"
    assert "A-1" in _export_serials(state)


def _export_serials(state) -> list[str]:
    from printer_app.db import session_scope
    from printer_app.services.contracts.export import export_bytes

    with session_scope() as session:
        data, _count = export_bytes(session, filters=state._filters(), english=state.english)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Organization"
    return [row[6].value for row in sheet.iter_rows(min_row=2)]


def test_link_now_links_and_reports(cookies, refs, session):
    printer = make_printer(session, serial_number="LN-1")
    device(session, refs, serial_number="ln-1")
    device(session, refs, serial_number="NO-SUCH")
    session.commit()
    page = _tab(DevicesState, cookies["editor"])
    answers = run_handler(DevicesState.link_now, page)
    assert _devices(session)[0].printer_id == printer.id
    assert "1 of 2" in page.link_result and "1 of 2" in repr(answers)


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#ffeb3b", "#000000"),
        ("#1b5e20", "#ffffff"),
        ("#6c757d", "#ffffff"),
        ("#ffffff", "#000000"),
        ("bad", "#000000"),
    ],
)
def test_status_text_is_readable(colour, text):
    assert text_on(colour) == text
