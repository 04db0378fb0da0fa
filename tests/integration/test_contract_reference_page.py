"""The reference page's states called for real: permission refusals on the server, saves, the in-use refusal, a
model's cartridges and the cartridge upload."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import reflex as rx
from sqlmodel import Session, func, select

from printer_app.models import Cartridge, City, DeviceModelCartridge
from printer_app.services.contracts.reference import create_row
from printer_app.state.contracts.reference import ReferenceState
from printer_app.state.contracts.reference_cartridges import CartridgeImportState, ModelCartridgesState
from tests.factories import make_contract_device, make_model
from tests.integration.state_fixtures import app_db, run_handler, session_cookie, tab  # noqa: F401

PATH = "/contracts/reference"


def _count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Производитель", "Модель оборудования", "Картридж", "Цвет"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(data: bytes, name: str = "cartridges.xlsx") -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def test_signed_out_and_without_the_app_permission_the_page_is_refused(app_db: str, session: Session) -> None:  # noqa: F811
    signed_out = tab(ReferenceState, "", PATH)
    assert "/auth/login" in repr(run_handler(ReferenceState.load, signed_out))

    inventory_only = session_cookie(session, username="inv", groups=("Inventory — Viewer",))
    state = tab(ReferenceState, inventory_only, PATH)
    run_handler(ReferenceState.load, state)
    assert state.access == "denied"
    assert state.rows == []


def test_a_viewer_sees_the_tables_but_every_change_is_refused(app_db: str, session: Session) -> None:  # noqa: F811
    city = create_row(session, "city", {"name": "Иркутск"})
    model = make_model(session, "HP", "M404")
    session.commit()
    viewer = session_cookie(session, username="viewer", groups=("Contracts — Viewer",))
    state = tab(ReferenceState, viewer, PATH)

    run_handler(ReferenceState.load, state)
    assert (state.access, [r["name"] for r in state.rows]) == ("ok", ["Иркутск"])
    assert (state.can_add, state.can_change, state.can_delete) == (False, False, False)

    for handler, args in [
        (ReferenceState.open_new, ()),
        (ReferenceState.open_edit, (city.id,)),
        (ReferenceState.save, ()),
        (ReferenceState.ask_delete, (city.id, "Иркутск")),
        (ReferenceState.confirm_delete, ()),
    ]:
        assert "Not allowed" in repr(run_handler(handler, state, *args)), handler.fn.__name__
    state.delete_id = city.id  # a forged delete: still refused
    run_handler(ReferenceState.confirm_delete, state)
    assert _count(session, City) == 1

    links = tab(ModelCartridgesState, viewer, PATH)
    run_handler(ModelCartridgesState.show, links, model.id)
    assert links.model_name == "M404"
    assert "Not allowed" in repr(run_handler(ModelCartridgesState.add, links))
    upload = tab(CartridgeImportState, viewer, PATH)
    assert "Not allowed" in repr(run_handler(CartridgeImportState.upload, upload, [_upload(_workbook())]))


def test_an_editor_adds_is_told_about_a_duplicate_and_cannot_delete_a_row_in_use(
    app_db: str,  # noqa: F811
    session: Session,
) -> None:
    editor = session_cookie(session, username="editor", groups=("Contracts — Editor",))
    state = tab(ReferenceState, editor, PATH)
    run_handler(ReferenceState.load, state)
    run_handler(ReferenceState.set_tab, state, "contractstatus")
    assert state.can_add

    run_handler(ReferenceState.open_new, state)
    run_handler(ReferenceState.set_value, state, "name", "На обслуживании")
    run_handler(ReferenceState.set_value, state, "color", "#FFC107")
    assert state.status_text_color == "#000000"  # dark text on amber
    run_handler(ReferenceState.save, state)
    assert (state.dialog_open, state.rows[0]["name"], state.rows[0]["color"]) == (False, "На обслуживании", "#ffc107")

    run_handler(ReferenceState.open_new, state)
    run_handler(ReferenceState.set_value, state, "name", "на обслуживании")
    run_handler(ReferenceState.save, state)
    assert state.errors == {"name": "A status named “На обслуживании” already exists"}
    assert state.dialog_open

    status_id = int(state.rows[0]["id"])
    make_contract_device(session, status_id=status_id)
    session.commit()
    run_handler(ReferenceState.ask_delete, state, status_id, "На обслуживании")
    run_handler(ReferenceState.confirm_delete, state)
    assert state.delete_error == "“На обслуживании” cannot be deleted: it is used by 1 contract device."
    assert len(state.rows) == 1

    run_handler(ReferenceState.ask_delete, state, status_id, "На обслуживании")
    run_handler(ReferenceState.set_tab, state, "city")  # another table: the question about a status is gone
    assert (state.delete_id, state.tab, state.rows) == (0, "city", [])
    assert "Not a choice" in repr(run_handler(ReferenceState.set_tab, state, "printer"))
    assert "cannot be sorted" in repr(run_handler(ReferenceState.sort_by, state, "password"))


def test_the_url_names_the_tab(app_db: str, session: Session) -> None:  # noqa: F811
    create_row(session, "cartridge", {"name": "CF259A"})
    session.commit()
    viewer = session_cookie(session, username="viewer3", groups=("Contracts — Viewer",))

    state = tab(ReferenceState, viewer, PATH + "?tab=cartridge")
    run_handler(ReferenceState.load, state)
    assert (state.tab, [r["name"] for r in state.rows]) == ("cartridge", ["CF259A"])
    forged = tab(ReferenceState, viewer, PATH + "?tab=user")
    run_handler(ReferenceState.load, forged)
    assert (forged.access, forged.tab) == ("ok", "city")
    assert "replaceState(null, '', '?tab=serviceprovider')" in repr(
        run_handler(ReferenceState.set_tab, forged, "serviceprovider")
    )


def test_a_models_cartridges_and_the_upload(app_db: str, session: Session) -> None:  # noqa: F811
    model = make_model(session, "HP", "M404")
    cartridge = create_row(session, "cartridge", {"name": "CF259A"})
    session.commit()
    editor = session_cookie(session, username="editor2", groups=("Contracts — Editor",))

    links = tab(ModelCartridgesState, editor, PATH)
    run_handler(ModelCartridgesState.show, links, model.id)
    assert links.offer == [[str(cartridge.id), "CF259A"]]
    run_handler(ModelCartridgesState.set_pick, links, str(cartridge.id))
    run_handler(ModelCartridgesState.set_primary, links, True)
    run_handler(ModelCartridgesState.add, links)
    assert [(x["name"], x["primary"]) for x in links.links] == [("CF259A", "true")]
    run_handler(ModelCartridgesState.remove, links, links.links[0]["id"])
    assert links.links == []

    upload = tab(CartridgeImportState, editor, PATH)
    run_handler(CartridgeImportState.set_option, upload, "dry_run", True)
    run_handler(
        CartridgeImportState.upload, upload, [_upload(_workbook(["HP", "M404", "TK-1", "c"], ["HP", "X", "T", ""]))]
    )
    assert upload.summary.startswith("Dry run, nothing stored: cartridges.xlsx: 2 rows, 1 cartridges created")
    assert upload.errors == ["Row 3: Model “X” of “HP” not found"]
    assert _count(session, Cartridge) == 1

    run_handler(CartridgeImportState.set_option, upload, "dry_run", False)
    run_handler(CartridgeImportState.upload, upload, [_upload(b"plain text", "notes.xlsx")])
    assert upload.refused == "notes.xlsx: The file is not an Excel workbook (.xlsx). Nothing was stored."
    run_handler(CartridgeImportState.upload, upload, [_upload(_workbook(["HP", "M404", "TK-1", "c"]))])
    assert (upload.refused, _count(session, Cartridge), _count(session, DeviceModelCartridge)) == ("", 2, 1)
