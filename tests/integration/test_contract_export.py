"""The contracts export: re-opened with openpyxl — headers RU/EN, real dates, formula-like text kept as text, exactly
the filtered rows in the list's order; and the CLI command writing the same file."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlmodel import select

from printer_app.services.contracts.columns import ALIAS_TO_KEY, normalise_header
from printer_app.services.contracts.device_list import DeviceFilters
from printer_app.services.contracts.export import export_bytes, headers
from tests.integration.cli_runner import app_cli  # noqa: F401
from tests.integration.contract_devices_data import device, make_refs, polled_printer

HOSTILE = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)")


@pytest.fixture
def data(session):
    refs = make_refs(session)
    printer = polled_printer(session, "P-1")
    device(
        session,
        refs,
        serial_number="P-1",
        printer_id=printer.id,
        service_start_month=date(2025, 3, 1),
        room_number="7",
        comment="ok",
    )
    device(
        session,
        refs,
        serial_number="S-2",
        address=HOSTILE[0],
        room_number=HOSTILE[1],
        comment=HOSTILE[2],
        status_id=refs.repair.id,
    )
    device(
        session,
        refs,
        organization_id=refs.org_b.id,
        serial_number=HOSTILE[3],
        address="Other 1",
        status_id=None,
        service_provider_id=None,
    )
    session.commit()
    return refs, printer


def _open(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book.active


def test_russian_headers_dates_and_extras(session, data):
    _refs, printer = data
    content, count = export_bytes(session)
    sheet = _open(content)
    assert count == 3 and sheet.max_row == 4
    first = [c.value for c in sheet[1]]
    assert first == [
        "Организация",
        "Город",
        "Адрес",
        "№ кабинета",
        "Производитель",
        "Модель оборудования",
        "Серийный номер",
        "Месяц обслуживания",
        "Комментарий",
        "Статус",
        "Сервисная организация",
        "IP принтера",
    ]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    # the import's columns are recognised by the import's own header table; the extra ones are not
    assert [ALIAS_TO_KEY.get(normalise_header(h)) for h in first[:9]] == [
        "organization",
        "city",
        "address",
        "room",
        "manufacturer",
        "model",
        "serial",
        "service_month",
        "comment",
    ]
    assert not any(normalise_header(h) in ALIAS_TO_KEY for h in first[9:])
    row = [c for c in sheet[2]]
    assert row[0].value == "Alpha Clinic" and row[6].value == "P-1" and row[11].value == printer.ip_address
    assert isinstance(row[7].value, datetime) and row[7].value.date() == date(2025, 3, 1)
    assert row[7].number_format == "MM.YYYY" and row[7].is_date
    assert row[9].value == "Active" and row[10].value == "АМБ"
    assert sheet.column_dimensions["C"].width >= 30


def test_english_headers(session, data):
    sheet = _open(export_bytes(session, english=True)[0])
    first = [c.value for c in sheet[1]]
    assert first[:3] == ["Organization", "City", "Address"] and first[-3:] == [
        "Status",
        "Service provider",
        "Printer IP",
    ]
    assert all(normalise_header(h) in ALIAS_TO_KEY for h in first[:9])
    assert headers(english=True) == first


def test_formula_like_text_stays_text(session, data):
    content = export_bytes(session)[0]
    sheet = _open(content)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if c.value in HOSTILE]
    assert sorted(c.value for c in hostile) == sorted(HOSTILE)
    assert all(c.data_type == "s" for c in hostile)
    formulas = openpyxl.load_workbook(io.BytesIO(content), data_only=False).active
    assert not any(c.data_type == "f" for row in formulas.iter_rows() for c in row)
    assert b"<f>" not in _sheet_xml(content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_exactly_the_filtered_rows_in_the_list_order(session, data):
    refs, _printer = data
    content, count = export_bytes(
        session, filters=DeviceFilters(organization=str(refs.org_a.id)), sort="serial", descending=True
    )
    sheet = _open(content)
    assert count == 2 and [r[6].value for r in sheet.iter_rows(min_row=2)] == ["S-2", "P-1"]
    content, count = export_bytes(session, filters=DeviceFilters(linked="no", status="none"))
    assert count == 1 and [r[6].value for r in _open(content).iter_rows(min_row=2)] == [HOSTILE[3]]
    content, count = export_bytes(session, filters=DeviceFilters(search="nothing"))
    assert count == 0 and _open(content).max_row == 1  # the header alone


def test_cli_export(session, data, app_cli, tmp_path):  # noqa: F811
    out = tmp_path / "contracts.xlsx"
    result = app_cli("contracts", "export", "--out", out)
    assert result.exit_code == 0, result.output
    assert "3 contract devices" in result.stdout
    sheet = _open(out.read_bytes())
    assert sheet.max_row == 4 and sheet["A1"].value == "Организация"
    result = app_cli("contracts", "export", "--out", out, "--english")
    assert result.exit_code == 0 and _open(out.read_bytes())["A1"].value == "Organization"
    result = app_cli("contracts", "export", "--out", tmp_path / "missing" / "x.xlsx")
    assert result.exit_code == 2 and "does not exist" in result.output
    assert list(tmp_path.glob(".contracts-*")) == []  # no temporary file left behind


@pytest.mark.parametrize("english", [False, True])
def test_an_exported_file_imports_back_unchanged(session, data, english):
    """The export's headers are the import's, its cells read back as the stored values: every row a MATCH with
    nothing to change (the extra columns, status, provider and printer, are ignored by the import)."""
    from printer_app.models import ContractDevice, ContractImportRow
    from printer_app.services.contracts.importing import add_workbook, open_session, stored_values

    content, count = export_bytes(session, english=english)
    import_id = open_session(session, user_id=None).id
    add_workbook(session, import_id, "contracts.xlsx", content)
    rows = session.exec(select(ContractImportRow).where(ContractImportRow.session_id == import_id)).all()

    assert count == 3 and len(rows) == 3
    assert {(r.row_class, tuple(r.errors)) for r in rows} == {("MATCH", ())}
    stored = stored_values(session, [r.device_id for r in rows])
    for row in rows:
        assert {k: v for k, v in row.values.items() if k in stored[row.device_id]} == stored[row.device_id]
    assert sorted(r.device_id for r in rows) == sorted(session.exec(select(ContractDevice.id)).all())
