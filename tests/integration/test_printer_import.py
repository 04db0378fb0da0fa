"""Printers from Excel (DOMAIN 8.5, issue #18) on SQLite and PostgreSQL: the preview's classes and model matching
(exact, ignoring spaces, containment, would create), errors with reasons, then the apply: created printers linked to
their contract devices, existing ones updated through the change log, nothing decided on stale data."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from printer_app.models import ContractDevice, DeviceModel, EntityChangeLog, Manufacturer, Printer
from printer_app.services.contracts.workbook import WorkbookRefused
from printer_app.services.inventory.printer_import import analyse, apply, counts, read_rows
from printer_app.state.inventory.printer_import import PrinterImportState
from tests.factories import make_contract_device, make_model, make_org, make_printer
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401

HEADER = ["№", "Производитель", "Модель оборудования", "Серийный номер", "IP", "Организация"]


def _xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def catalogue(session: Session):
    org = make_org(session, name="ООО Север")
    make_org(session, name="Old Client", active=False)
    p2040 = make_model(session, maker="Kyocera", name="ECOSYS P2040dn")
    make_model(session, maker="Kyocera", name="ECOSYS M2540dn")
    m404 = make_model(session, maker="HP", name="LaserJet Pro M404dn")
    existing = make_printer(session, ip_address="10.9.1.1", serial_number="OLD-SN", organization_id=org.id)
    same = make_printer(session, ip_address="10.9.1.2", serial_number="SAME", device_model_id=p2040.id)
    device = make_contract_device(session, organization=org, serial_number="NEW-LINKED")
    session.commit()
    return {"org": org, "p2040": p2040, "m404": m404, "existing": existing, "same": same, "device": device}


ROWS = [
    [1, "Kyocera", "ecosys  p2040DN", "NEW-LINKED", "10.9.2.1", "ооо север"],  # exact (case, spaces collapsed)
    [2, "HP", "LaserJetPro M404dn", "NEW-2", "10.9.2.2", ""],  # ignoring spaces
    [3, "HP", "M404", "NEW-3", "10.9.2.3", ""],  # containment
    [4, "Ricoh", "SP 330", "NEW-4", "10.9.2.4", ""],  # would create
    [5, "", "Some printer", "NEW-5", "10.9.2.5", ""],  # no manufacturer: kept as text
    [6, "Kyocera", "ECOSYS", "NEW-6", "10.9.2.6", ""],  # two Kyocera models contain it: not a match
    [7, "", "", "NEW-SN", "10.9.1.1", ""],  # existing: the serial changes
    [8, "Kyocera", "ECOSYS P2040dn", "SAME", "10.9.1.2", ""],  # unchanged
    [9, "", "", "X", "10.9.300.1", ""],  # a bad IP
    [10, "", "", "Y", "10.9.2.1", ""],  # the IP of row 2 again
    [11, "", "", "Z", "10.9.2.11", "Nobody Ltd"],
    [12, "", "", "Z", "10.9.2.12", "Old Client"],
    [None, None, None, None, None, None],  # empty: skipped
]


def test_the_preview_classifies_each_row_and_shows_how_the_model_matched(session: Session, catalogue) -> None:
    rows = analyse(session, read_rows(_xlsx(ROWS)))
    by_ip = {r.number: r for r in rows}
    assert len(rows) == 12 and counts(rows) == {"NEW": 6, "EXISTING": 1, "UNCHANGED": 1, "ERROR": 4}
    matches = [(by_ip[n].model_match, by_ip[n].model_label) for n in range(2, 8)]
    assert matches == [
        ("exact", "Kyocera ECOSYS P2040dn"),
        ("spaces", "HP LaserJet Pro M404dn"),
        ("contains", "HP LaserJet Pro M404dn"),
        ("create", "Ricoh SP 330"),
        ("text", "Some printer"),
        ("create", "Kyocera ECOSYS"),
    ]
    assert by_ip[8].row_class == "EXISTING" and by_ip[8].changes == {"serial_number": ["OLD-SN", "NEW-SN"]}
    assert by_ip[9].row_class == "UNCHANGED"
    assert by_ip[10].errors and by_ip[11].errors == ["The IP 10.9.2.1 is already on row 2 of the file."]
    assert by_ip[12].errors == ["No organization is named Nobody Ltd."]
    assert "inactive" in by_ip[13].errors[0]


def test_apply_creates_links_and_updates_and_rechecks_against_the_database(session: Session, catalogue) -> None:
    rows = analyse(session, read_rows(_xlsx(ROWS)))
    make_printer(session, ip_address="10.9.2.5", serial_number="SOMEONE")  # arrived after the preview
    session.commit()
    result = apply(session, rows, create_models=True, may_change=True)
    session.commit()
    assert (result.created, result.updated, result.unchanged, result.errors, result.models_created) == (5, 2, 1, 4, 2)

    session.expire_all()
    linked = session.exec(select(Printer).where(Printer.ip_address == "10.9.2.1")).one()
    assert linked.device_model_id == catalogue["p2040"].id and linked.organization_id == catalogue["org"].id
    assert session.get(ContractDevice, catalogue["device"].id).printer_id == linked.id
    ricoh = session.exec(select(DeviceModel).join(Manufacturer).where(Manufacturer.name == "Ricoh")).one()
    assert ricoh.name == "SP 330"
    assert session.exec(select(Printer.model).where(Printer.ip_address == "10.9.2.5", Printer.is_active)).all()
    assert session.get(Printer, catalogue["existing"].id).serial_number == "NEW-SN"
    assert session.exec(
        select(EntityChangeLog).where(
            EntityChangeLog.object_id == catalogue["existing"].id, EntityChangeLog.action == "update"
        )
    ).first()

    again = apply(session, rows, create_models=True, may_change=True)  # a second apply changes nothing
    assert (again.created, again.updated) == (0, 0)


def test_without_the_change_permission_existing_printers_stay_and_models_are_not_created(
    session: Session, catalogue
) -> None:
    result = apply(session, analyse(session, read_rows(_xlsx(ROWS))), create_models=False, may_change=False)
    session.commit()
    assert (result.updated, result.models_created) == (0, 0)
    session.expire_all()
    assert session.get(Printer, catalogue["existing"].id).serial_number == "OLD-SN"
    ricoh = session.exec(select(Printer).where(Printer.ip_address == "10.9.2.4")).one()
    assert ricoh.device_model_id is None and ricoh.model == "Ricoh SP 330"


def test_a_file_without_an_ip_column_is_refused(session: Session) -> None:
    with pytest.raises(WorkbookRefused) as refused:
        read_rows(_xlsx([[1, "HP", "M404", "S", "10.0.0.1"]], header=["№", "Производитель", "Модель", "SN", "Адрес"]))
    assert "IP" in refused.value.message
    with pytest.raises(WorkbookRefused):
        read_rows(b"not a workbook")


def _tab(cookie: str) -> PrinterImportState:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "import-test", "origin": "http://localhost:3000"}
    path = "/printers/import"
    root.router = RouterData.from_router_data({"headers": headers, "pathname": path, "asPath": path})
    return root.get_substate(PrinterImportState.get_full_name().split("."))


def _upload(data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path("printers.xlsx"))


def test_the_page_previews_pages_and_applies_and_refuses_without_the_permission(
    app_db: str,  # noqa: F811
    session: Session,
    catalogue,
) -> None:
    editor = session_cookie(session, username="editor", groups=("Inventory — Editor",))
    viewer = session_cookie(session, username="viewer", groups=("Inventory — Viewer",))
    session.commit()
    state = _tab(editor)
    run_handler(PrinterImportState.load, state)
    run_handler(PrinterImportState.upload, state, [_upload(_xlsx(ROWS))])
    assert (state.held, state.counts["NEW"], state.counts["ERROR"], state.refusal) == (12, 6, 4, "")
    run_handler(PrinterImportState.set_filter, state, "row_class", "ERROR")
    assert [r.number for r in state.rows] == [10, 11, 12, 13] and "10.9.300.1" in state.rows[0].errors + state.rows[
        0
    ].ip
    assert state.can_apply
    run_handler(PrinterImportState.apply, state)
    assert "6 printers created" in state.result and state.counts["NEW"] == 0
    session.expire_all()
    assert session.exec(select(Printer).where(Printer.ip_address == "10.9.2.4")).one().device_model_id is not None

    refused = _tab(viewer)
    answers = run_handler(PrinterImportState.upload, refused, [_upload(_xlsx(ROWS))])
    assert "Not allowed" in repr(answers) and refused.held == 0
    bad = _tab(editor)
    run_handler(PrinterImportState.upload, bad, [_upload(b"PK not a workbook")])
    assert bad.refusal and bad.held == 0
