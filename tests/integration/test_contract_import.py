"""Contract import, phase 1 (DOMAIN 8.3): reading real workbooks, normalising, validating and classifying rows.

Every file here is a real xlsx built with openpyxl; the analysis runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date, datetime

import pytest
from sqlmodel import Session, func, select

from printer_app.models.contracts import ContractImportFile, ContractImportRow
from printer_app.services.contracts import import_rows, importing
from printer_app.services.contracts.columns import COLUMNS
from printer_app.services.contracts.importing import ImportRefused
from tests.factories import make_contract_device, make_printer
from tests.integration.contract_import_fixtures import HEADERS, reference_fixture, row, xlsx  # noqa: F401


def _rows(session: Session, import_id: int) -> list[ContractImportRow]:
    session.expire_all()
    return session.exec(
        select(ContractImportRow)
        .where(ContractImportRow.session_id == import_id)
        .order_by(ContractImportRow.file_id, ContractImportRow.row_number)
    ).all()


def _analyse(session: Session, data: bytes, name: str = "devices.xlsx") -> list[ContractImportRow]:
    imp = importing.open_session(session, user_id=None)
    importing.add_workbook(session, imp.id, name, data)
    session.commit()
    return _rows(session, imp.id)


def _one(session: Session, data: bytes) -> ContractImportRow:
    rows = _analyse(session, data)
    assert len(rows) == 1, [r.values for r in rows]
    return rows[0]


# --- headers -----------------------------------------------------------------------------------------------------


def test_every_alias_of_every_column_is_accepted(session, reference):
    """Each alias (and the English name), in odd case and spacing, reads its column."""
    defaults = dict(zip(("rownum", *importing.VALUE_KEYS), row("SN-ALIAS"), strict=True))
    defaults["service_month"] = "03.2024"
    tried = 0
    for column in COLUMNS:
        for alias in (*column.aliases, column.english):
            header = f"  {alias.upper()}  ".replace(" ", "   ")
            headers = [header if key == column.key else HEADERS[i] for i, key in enumerate(defaults)]
            imp = importing.open_session(session, user_id=None)
            upload = importing.add_workbook(
                session, imp.id, f"{column.key}.xlsx", xlsx([list(defaults.values())], headers)
            )
            assert upload.headers[column.key] == " ".join(header.split()), alias
            [stored] = _rows(session, imp.id)
            if column.key != "rownum":
                assert stored.values[column.key] == str(defaults[column.key]), alias
            assert stored.row_class == "NEW", (alias, stored.errors)
            tried += 1
    assert tried >= 30
    session.commit()


def test_unknown_headers_are_kept_as_ignored(session, reference):
    headers = [*HEADERS, "Инвентарный номер", "", "IP"]
    imp = importing.open_session(session, user_id=None)
    upload = importing.add_workbook(session, imp.id, "extra.xlsx", xlsx([[*row(), "INV-1", "", "10.0.0.1"]], headers))
    session.commit()
    assert upload.headers["_ignored"] == ["Инвентарный номер", "IP"]
    assert upload.headers["serial"] == "Серийный номер"
    assert upload.rows_read == 1


def test_header_on_row_two_is_refused_saying_it_must_be_the_first_row(session, reference):
    imp = importing.open_session(session, user_id=None)
    session.commit()
    data = xlsx([row()], before=[["Список оборудования на обслуживании"]])
    with pytest.raises(ImportRefused, match="header must be the first row"):
        importing.add_workbook(session, imp.id, "title.xlsx", data)
    session.rollback()
    assert session.exec(select(func.count()).select_from(ContractImportFile)).one() == 0
    assert session.exec(select(func.count()).select_from(ContractImportRow)).one() == 0


def test_a_missing_required_column_is_refused_by_name(session, reference):
    imp = importing.open_session(session, user_id=None)
    headers = [h for h in HEADERS if h != "Город"]
    data = xlsx([[v for i, v in enumerate(row()) if HEADERS[i] != "Город"]], headers)
    with pytest.raises(ImportRefused, match="«Город»") as refused:
        importing.add_workbook(session, imp.id, "nocity.xlsx", data)
    assert "first row" in refused.value.message


# --- cells -------------------------------------------------------------------------------------------------------


def test_cells_are_trimmed_collapsed_and_integral_numbers_lose_their_point_zero(session, reference):
    stored = _one(
        session,
        xlsx(
            [
                row(
                    12345678.0,  # a serial typed as a number: Excel stores a float
                    org="  ALPHA ",
                    city=" иркутск\u00a0",
                    address="  ул.   Ленина ,\n  1  ",
                    room=101.0,
                    maker="hp",
                    model="laserjet   m404",
                    comment=2.5,
                )
            ]
        ),
    )
    assert stored.errors == []
    assert stored.values == {
        "organization": "ALPHA",
        "city": "иркутск",
        "address": "ул. Ленина , 1",
        "room": "101",
        "manufacturer": "hp",
        "model": "laserjet m404",
        "serial": "12345678",
        "service_month": "03.2024",
        "comment": "2.5",
    }


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("03.2024", "03.2024"),
        ("3.2024", "03.2024"),
        ("03/2024", "03.2024"),
        ("2024-03", "03.2024"),
        ("2024-03-15", "03.2024"),
        ("2024-03-15T10:20:00", "03.2024"),
        (datetime(2024, 3, 15), "03.2024"),  # a date cell
        (date(2023, 12, 1), "12.2023"),
        (3.2024, "03.2024"),  # 03.2024 typed into a number cell
        (10.2024, "10.2024"),
    ],
)
def test_service_month_formats_become_the_first_of_the_month(session, reference, cell, expected):
    stored = _one(session, xlsx([row(month=cell)]))
    assert stored.values["service_month"] == expected
    assert "BAD_SERVICE_MONTH" not in stored.warnings
    assert importing.parse_service_month(stored.values["service_month"]).day == 1


@pytest.mark.parametrize("cell", ["март 2024", "13.2024", "2024", "2024-13-01", "сразу"])
def test_an_unreadable_service_month_is_a_warning_and_kept_as_written(session, reference, cell):
    stored = _one(session, xlsx([row(month=cell)]))
    assert stored.warnings == ["BAD_SERVICE_MONTH"]
    assert stored.errors == []
    assert stored.values["service_month"] == cell
    assert stored.row_class == "NEW"


def test_date_cells_in_other_columns_read_as_iso_dates(session, reference):
    stored = _one(session, xlsx([row(comment=datetime(2024, 5, 6))]))
    assert stored.values["comment"] == "2024-05-06"


def test_fully_empty_rows_are_skipped_and_row_numbers_stay_the_sheets(session, reference):
    rows = _analyse(
        session,
        xlsx([row("SN-1"), [None] * 10, ["", "  ", None], [7] + [None] * 9, row("SN-5")]),
    )
    assert [(r.row_number, r.values["serial"]) for r in rows] == [(2, "SN-1"), (6, "SN-5")]


def test_merged_cells_give_their_value_to_every_row_they_cover(session, reference):
    data = xlsx(
        [row("SN-1", org="Alpha", address="ул. Мира, 5"), row("SN-2", org=None, address=None), row("SN-3", org=None)],
        merges=["B2:B4", "D2:D3"],
    )
    rows = _analyse(session, data)
    assert [r.values["organization"] for r in rows] == ["Alpha"] * 3
    assert [r.values["address"] for r in rows] == ["ул. Мира, 5", "ул. Мира, 5", "ул. Ленина, 1"]
    assert all(r.row_class == "NEW" for r in rows)


def test_formulas_and_command_strings_are_stored_as_text(session, reference):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    sheet.append(row("SN-F", address="x", comment="=SUM(1,2)"))  # a formula cell
    sheet.append(row("SN-C", address="y"))
    sheet["D3"].value = "=cmd|' /C calc'!A0"
    sheet["D3"].data_type = "s"  # a text cell that merely starts with "="
    buffer = io.BytesIO()
    book.save(buffer)
    rows = _analyse(session, buffer.getvalue())
    assert rows[0].values["comment"] == "=SUM(1,2)"
    assert rows[1].values["address"] == "=cmd|' /C calc'!A0"
    assert [r.row_class for r in rows] == ["NEW", "NEW"]


# --- validation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"serial": ""}, "NO_SERIAL"),
        ({"serial": "S" * 129}, "TOO_LONG"),
        ({"address": "a" * 256}, "TOO_LONG"),
        ({"room": "r" * 129}, "TOO_LONG"),
        ({"org": ""}, "NO_ORGANIZATION"),
        ({"org": "Gamma"}, "UNKNOWN_ORGANIZATION"),
        ({"maker": ""}, "NO_MANUFACTURER"),
        ({"maker": "Canon"}, "UNKNOWN_MANUFACTURER"),
        ({"model": ""}, "NO_MODEL"),
        ({"model": "FS-1040"}, "UNKNOWN_MODEL"),  # a Kyocera model asked of HP: looked up within the manufacturer
        ({"city": ""}, "NO_CITY"),
        ({"address": ""}, "NO_ADDRESS"),
    ],
)
def test_every_error_code(session, reference, changes, code):
    stored = _one(session, xlsx([row("SN-E", **changes)] if "serial" not in changes else [row(**changes)]))
    assert stored.errors == [code]
    assert stored.row_class == "ERROR"
    assert code in importing.ERROR_CODES


def test_limits_are_inclusive(session, reference):
    stored = _one(session, xlsx([row("S" * 128, address="a" * 255, room="r" * 128)]))
    assert stored.errors == []


def test_several_errors_are_all_listed(session, reference):
    stored = _one(session, xlsx([row("", org="", city="", address="")]))
    assert stored.errors == ["NO_SERIAL", "NO_ORGANIZATION", "NO_CITY", "NO_ADDRESS"]


def test_new_city_is_a_warning(session, reference):
    stored = _one(session, xlsx([row(city="Ангарск")]))
    assert stored.warnings == ["NEW_CITY"]
    assert stored.row_class == "NEW"


def test_will_link_printer_when_a_free_printer_has_the_serial(session, reference):
    make_printer(session, serial_number="PRN-1")
    taken = make_printer(session, serial_number="PRN-2")
    make_contract_device(session, organization=reference.beta, serial_number="other", printer_id=taken.id)
    linked = make_printer(session, serial_number="PRN-3")
    make_contract_device(session, organization=reference.alpha, serial_number="prn-3", printer_id=linked.id)
    session.commit()
    rows = _analyse(session, xlsx([row(" prn-1 "), row("PRN-2"), row("PRN-3"), row("PRN-4")]))
    assert [r.warnings for r in rows] == [["WILL_LINK_PRINTER"], [], [], []]
    assert set(importing.WARNING_CODES) == {"NEW_CITY", "BAD_SERVICE_MONTH", "WILL_LINK_PRINTER"}


# --- classes -----------------------------------------------------------------------------------------------------


def test_new_match_moved_and_error_classes(session, reference):
    here = make_contract_device(session, organization=reference.alpha, serial_number="SN-MATCH")
    there = make_contract_device(session, organization=reference.beta, serial_number="SN-MOVED")
    session.commit()
    rows = _analyse(session, xlsx([row("sn-match "), row("SN-MOVED"), row("SN-NEW"), row("SN-ERR", org="Gamma")]))
    assert [(r.row_class, r.device_id) for r in rows] == [
        ("MATCH", here.id),
        ("MOVED", there.id),
        ("NEW", None),
        ("ERROR", None),
    ]
    assert importing.class_counts(session, rows[0].session_id) == {
        "ERROR": 1,
        "NEW": 1,
        "MATCH": 1,
        "MOVED": 1,
        "DUP_IN_FILE": 0,
    }


def test_a_serial_in_both_organizations_matches_the_rows_own(session, reference):
    make_contract_device(session, organization=reference.beta, serial_number="SN-X")
    mine = make_contract_device(session, organization=reference.alpha, serial_number="SN-X")
    session.commit()
    stored = _one(session, xlsx([row("SN-X")]))
    assert (stored.row_class, stored.device_id) == ("MATCH", mine.id)


def test_serials_match_ignoring_case_of_cyrillic_letters_too(session, reference):
    """Serials often hold Cyrillic look-alikes; SQLite's lower() would not fold them, the import does."""
    stored = make_contract_device(session, organization=reference.alpha, serial_number="АБВ-123")
    session.commit()
    rows = _analyse(session, xlsx([row(" абв-123 "), row("абв-123", org="Beta Corp")]))
    assert [(r.row_class, r.device_id) for r in rows] == [("DUP_IN_FILE", stored.id), ("DUP_IN_FILE", stored.id)]
    [alone] = _analyse(session, xlsx([row("абв-123")]), name="alone.xlsx")
    assert (alone.row_class, alone.device_id) == ("MATCH", stored.id)


def test_dup_in_file_within_one_file_ignores_rows_in_error(session, reference):
    rows = _analyse(session, xlsx([row("SN-D"), row("sn-d"), row("SN-D", org="Gamma"), row("SN-U")]))
    assert [r.row_class for r in rows] == ["DUP_IN_FILE", "DUP_IN_FILE", "ERROR", "NEW"]


def test_dup_in_file_across_files_is_recomputed_after_each_file_and_removal(session, reference):
    make_contract_device(session, organization=reference.alpha, serial_number="SN-2")
    session.commit()
    imp = importing.open_session(session, user_id=None)
    first = importing.add_workbook(session, imp.id, "a.xlsx", xlsx([row("SN-1"), row("SN-2")]))
    session.commit()
    assert [r.row_class for r in _rows(session, imp.id)] == ["NEW", "MATCH"]
    second = importing.add_workbook(session, imp.id, "b.xlsx", xlsx([row("sn-2", org="Beta Corp"), row("SN-3")]))
    session.commit()
    assert [(r.file_id, r.row_class) for r in _rows(session, imp.id)] == [
        (first.id, "NEW"),
        (first.id, "DUP_IN_FILE"),
        (second.id, "DUP_IN_FILE"),
        (second.id, "NEW"),
    ]
    importing.remove_file(session, imp.id, first.id)
    session.commit()
    assert [(r.row_class, r.values["serial"]) for r in _rows(session, imp.id)] == [("MOVED", "sn-2"), ("NEW", "SN-3")]


def test_uploading_the_same_file_name_again_replaces_its_rows(session, reference):
    imp = importing.open_session(session, user_id=None)
    importing.add_workbook(session, imp.id, "a.xlsx", xlsx([row("SN-1"), row("SN-2")]))
    importing.add_workbook(session, imp.id, "b.xlsx", xlsx([row("SN-9")]))
    session.commit()
    importing.add_workbook(session, imp.id, "a.xlsx", xlsx([row("SN-9"), row("SN-3"), row("SN-4")]))
    session.commit()
    rows = _rows(session, imp.id)
    assert sorted(r.values["serial"] for r in rows) == ["SN-3", "SN-4", "SN-9", "SN-9"]
    assert session.exec(select(func.count()).select_from(ContractImportFile)).one() == 2
    assert importing.class_counts(session, imp.id)["DUP_IN_FILE"] == 2


def test_current_session_is_the_users_latest_open_one(session, reference):
    assert importing.current_session(session, user_id=None) is None
    importing.open_session(session, user_id=None)
    latest = importing.open_session(session, user_id=None)
    session.commit()
    assert importing.current_session(session, user_id=None).id == latest.id


# --- bad files: a clear message and nothing stored ----------------------------------------------------------------


def _with_part(data: bytes, name: str, payload: bytes, compression: int) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=compression) as archive:
        archive.writestr(name, payload)
    return buffer.getvalue()


def _replace_part(data: bytes, name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, payload if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


def _bad_files() -> dict[str, tuple[bytes, str]]:
    good = xlsx([row()])
    return {
        "renamed text": ("Организация;Город\nAlpha;Иркутск\n".encode(), "not an Excel workbook"),
        "empty": (b"", "empty"),
        "a zip that is not a workbook": (_with_part(b"", "readme.txt", b"hello", zipfile.ZIP_DEFLATED), "not an Excel"),
        "truncated": (good[: len(good) // 2], "damaged"),
        "broken sheet": (_replace_part(good, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"), "damaged"),
        "zip bomb": (_with_part(good, "xl/media/bomb.bin", bytes(60 * 1024 * 1024), zipfile.ZIP_DEFLATED), "zip bomb"),
        "50 MB": (_with_part(good, "xl/media/big.bin", os.urandom(50 * 1024 * 1024), zipfile.ZIP_STORED), "MB"),
        # Excel writes a password-protected xlsx as an OLE compound file (EncryptionInfo + EncryptedPackage)
        "encrypted": (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096), "password-protected"),
    }


def test_a_merge_over_the_whole_sheet_is_refused_not_filled(session, reference):
    good = xlsx([row()])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    # written into the XML by hand: openpyxl's merge_cells would create every covered cell
    sheet = sheet.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD100000"/></mergeCells>'
    )
    imp = importing.open_session(session, user_id=None)
    with pytest.raises(ImportRefused, match="too many merged cells"):
        importing.add_workbook(session, imp.id, "merged.xlsx", _replace_part(good, "xl/worksheets/sheet1.xml", sheet))


def test_a_sheet_over_the_row_limit_is_refused(session, reference, monkeypatch):
    monkeypatch.setattr(import_rows, "MAX_ROWS", 3)
    imp = importing.open_session(session, user_id=None)
    importing.add_workbook(session, imp.id, "three.xlsx", xlsx([row(f"SN-{n}") for n in range(3)]))
    with pytest.raises(ImportRefused, match="more than 3 rows"):
        importing.add_workbook(session, imp.id, "four.xlsx", xlsx([row(f"SN-{n}") for n in range(4)]))


@pytest.mark.parametrize("kind", list(_bad_files()))
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(session, reference, kind):
    data, message = _bad_files()[kind]
    imp = importing.open_session(session, user_id=None)
    session.commit()
    with pytest.raises(ImportRefused, match=message):
        importing.add_workbook(session, imp.id, "bad.xlsx", data)
    session.rollback()
    assert session.exec(select(func.count()).select_from(ContractImportFile)).one() == 0
    assert session.exec(select(func.count()).select_from(ContractImportRow)).one() == 0
