"""Cartridge import (DOMAIN 8.4) with real workbooks built by openpyxl: header aliases, colour words, row errors,
matching and enrichment, links, --primary, --skip-existing, --dry-run, refused files; and its CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from printer_app.models import Cartridge, DeviceModelCartridge, EntityChangeLog
from printer_app.services.contracts.cartridge_import import colour_of, import_cartridges
from printer_app.services.contracts.reference import create_row
from printer_app.services.contracts.workbook import WorkbookRefused, open_workbook
from tests.factories import make_model
from tests.integration.cli_runner import app_cli  # noqa: F401

RU = ["Производитель", "Модель оборудования", "Картридж", "Артикул", "Цвет", "Ресурс", "Комментарий"]


def workbook(*rows, header=RU) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(engine: Engine, model) -> int:
    with Session(engine) as fresh:
        return fresh.exec(select(func.count()).select_from(model)).one()


def _links(session: Session) -> list[tuple[int, str, bool]]:
    rows = session.exec(
        select(DeviceModelCartridge.device_model_id, Cartridge.name, DeviceModelCartridge.is_primary)
        .join(Cartridge, Cartridge.id == DeviceModelCartridge.cartridge_id)
        .order_by(DeviceModelCartridge.id)
    ).all()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize(
    ("word", "colour"),
    [
        ("", "black"),
        ("Чёрный", "black"),
        ("K", "black"),
        ("голубой", "cyan"),
        ("C", "cyan"),
        ("Magenta", "magenta"),
        ("пурпурный", "magenta"),
        ("жёлтый", "yellow"),
        ("y", "yellow"),
        ("Цветной", "color"),
        ("триколор", "color"),
        ("золотой", "other"),
    ],
)
def test_colour_words(word: str, colour: str) -> None:
    assert colour_of(word) == colour


def test_a_russian_workbook_creates_cartridges_and_links(session: Session) -> None:
    m404 = make_model(session, "HP", "LaserJet M404")
    p2040 = make_model(session, "Kyocera", "ECOSYS P2040dn")
    data = workbook(
        ["hp", "laserjet m404", "CF259A", "CF259A", "Черный", 3000, "оригинал"],
        [None, None, None, None, None, None, None],  # an empty row is skipped, not an error
        ["Kyocera", "ECOSYS P2040dn", "TK-1160", "1T02RY0NL0", "", 7200.0, ""],
        ["Kyocera", "ECOSYS P2040dn", "CF259A", "cf259a", "k", "", ""],  # the same cartridge, another model
    )

    result = import_cartridges(session, data)

    assert (result.rows, result.created, result.updated, result.linked, result.skipped) == (3, 2, 0, 3, 0)
    assert result.errors == []
    tk = session.exec(select(Cartridge).where(Cartridge.name == "TK-1160")).one()
    assert (tk.part_number, tk.color, tk.capacity) == ("1T02RY0NL0", "black", "7200")
    assert _links(session) == [(m404.id, "CF259A", False), (p2040.id, "TK-1160", False), (p2040.id, "CF259A", False)]
    logged = session.exec(select(EntityChangeLog.object_type, EntityChangeLog.action)).all()
    assert sorted(logged) == [("cartridge", "create")] * 2 + [("devicemodelcartridge", "create")] * 3


def test_english_headers_and_model_ids(session: Session) -> None:
    model = make_model(session, "HP", "M404")
    header = ["Model ID", "Model", "Cartridge", "Part number", "Colour", "Capacity", "Comment"]
    data = workbook([model.id, "m404", "CF259X", "CF259X", "Y", "10000", "high yield"], header=header)

    result = import_cartridges(session, data, primary=True)

    assert (result.created, result.linked, result.errors) == (1, 1, [])
    assert _links(session) == [(model.id, "CF259X", True)]
    assert session.exec(select(Cartridge)).one().color == "yellow"


def test_row_errors_are_reported_by_row_number_and_the_other_rows_imported(session: Session) -> None:
    model = make_model(session, "HP", "M404")
    header = ["ID модели", "Производитель", "Модель оборудования", "Картридж"]
    data = workbook(
        [model.id, "HP", "M404", ""],  # row 2: no cartridge
        ["abc", "", "", "X1"],  # row 3: not an id
        [999999, "", "", "X2"],  # row 4: unknown id
        [model.id, "HP", "M500", "X3"],  # row 5: the id names another model
        ["", "HP", "M999", "X4"],  # row 6: model not found
        ["", "", "", "X5"],  # row 7: no model at all
        [model.id, "", "", "X6"],  # row 8: fine
        header=header,
    )

    result = import_cartridges(session, data)

    assert [(e.row, e.message) for e in result.errors] == [
        (2, "No cartridge name"),
        (3, "“abc” is not a model id"),
        (4, "There is no device model with id 999999"),
        (5, f"Model id {model.id} is “M404”, not “M500”"),
        (6, "Model “M999” of “HP” not found"),
        (7, "No model: give the model id, or the manufacturer and the model"),
    ]
    assert (result.rows, result.created, result.linked) == (7, 1, 1)


def test_a_cartridge_found_by_name_is_enriched_and_counted_once(session: Session) -> None:
    model = make_model(session, "HP", "M404")
    other = make_model(session, "HP", "M428")
    stored = create_row(session, "cartridge", {"name": "CF259A"})
    data = workbook(
        ["HP", "M404", "cf259a", "CF259A-PN", "", "3000", ""],
        ["HP", "M428", "CF259A", "CF259A-PN", "", "", "note"],
    )

    result = import_cartridges(session, data)

    assert (result.created, result.updated, result.linked) == (0, 1, 2)
    session.refresh(stored)
    assert (stored.part_number, stored.capacity, stored.comment) == ("CF259A-PN", "3000", "note")
    assert {m for m, _, _ in _links(session)} == {model.id, other.id}


def test_a_different_part_number_is_another_cartridge(session: Session) -> None:
    make_model(session, "HP", "M404")
    create_row(session, "cartridge", {"name": "Toner", "part_number": "A1"})

    result = import_cartridges(session, workbook(["HP", "M404", "Toner", "B2"]))

    assert result.created == 1
    assert sorted(session.exec(select(Cartridge.part_number)).all()) == ["A1", "B2"]


def test_importing_twice_changes_nothing_and_skip_existing_leaves_rows_alone(session: Session) -> None:
    make_model(session, "HP", "M404")
    data = workbook(["HP", "M404", "CF259A", "", "", "", ""])
    import_cartridges(session, data)

    again = import_cartridges(session, data)
    assert (again.created, again.updated, again.linked, again.skipped) == (0, 0, 0, 1)

    enriching = workbook(["HP", "M404", "CF259A", "", "", "3000", ""])
    skipped = import_cartridges(session, enriching, primary=True, skip_existing=True)
    assert (skipped.updated, skipped.linked, skipped.skipped) == (0, 0, 1)
    assert session.exec(select(Cartridge.capacity)).one() == ""
    assert [p for _, _, p in _links(session)] == [False]

    made_primary = import_cartridges(session, data, primary=True)
    assert made_primary.linked == 1
    assert [p for _, _, p in _links(session)] == [True]


def test_a_dry_run_counts_and_stores_nothing(session: Session, engine: Engine) -> None:
    make_model(session, "HP", "M404")
    session.commit()

    result = import_cartridges(session, workbook(["HP", "M404", "CF259A", "", "", "", ""]), dry_run=True)
    session.commit()

    assert (result.created, result.linked, result.dry_run) == (1, 1, True)
    assert _count(engine, Cartridge) == 0
    assert _count(engine, DeviceModelCartridge) == 0
    assert _count(engine, EntityChangeLog) == 0


def _encrypted_like() -> bytes:
    """The first bytes of an Office-encrypted .xlsx (a Compound File container), as Excel writes one."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, renamed to .xlsx\n", "not an Excel workbook"),
        (b"", "empty"),
        (_encrypted_like(), "password-protected"),
        (b"PK\x03\x04 broken zip", "not a readable .xlsx workbook"),
        (_zip_bomb(), "zip bomb"),
        (workbook(["x"], header=["Something", "Else"]), "“Картридж”"),
        (workbook(["x"], header=["Картридж", "Модель оборудования"]), "must name the model"),
    ],
    ids=["text", "empty", "encrypted", "bad-zip", "zip-bomb", "no-cartridge-column", "no-model-column"],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(
    session: Session, engine: Engine, data: bytes, message: str
) -> None:
    with pytest.raises(WorkbookRefused, match=message):
        import_cartridges(session, data)
    assert _count(engine, Cartridge) == 0


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    with pytest.raises(WorkbookRefused, match=r"The file is 20\.1 MB, over the limit of 20 MB"):
        open_workbook(b"PK\x03\x04" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(WorkbookRefused, match=r"The file is 1\.1 MB, over the limit of 1 MB"):
        open_workbook(b"PK\x03\x04" + b"0" * (1024 * 1024 + 1), max_bytes=1024 * 1024)


def test_the_cli_imports_reports_and_refuses(app_cli, session: Session, tmp_path: Path) -> None:  # noqa: F811
    make_model(session, "HP", "M404")
    session.commit()
    good = tmp_path / "cartridges.xlsx"
    good.write_bytes(workbook(["HP", "M404", "CF259A", "", "c", "", ""], ["HP", "M999", "X", "", "", "", ""]))

    dry = app_cli("cartridges", "import", good, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["created"] == 1
    assert session.exec(select(func.count()).select_from(Cartridge)).one() == 0

    done = app_cli("cartridges", "import", good, "--primary")
    assert done.exit_code == 0, done.output
    assert "Rows: 2, created: 1, updated: 0, linked: 1, skipped: 0, errors: 1." in done.stdout
    assert "row 3: Model “M999” of “HP” not found" in done.stdout

    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    refused = app_cli("cartridges", "import", text)
    assert refused.exit_code == 2
    assert "not an Excel workbook" in refused.stderr
