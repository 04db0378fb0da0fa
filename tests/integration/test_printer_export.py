"""`printers.xlsx` (DOMAIN 7.1, issue #18): exactly what the list's filters show, sorted by IP, re-opened with openpyxl
and compared with what the database holds, on SQLite and PostgreSQL; also through the printers page's handler."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import reflex as rx
from openpyxl import load_workbook
from reflex.istate.data import RouterData
from sqlmodel import Session

from printer_app.models import Printer
from printer_app.models.choices import MatchRule, SupplyState, TaskStatus
from printer_app.services.inventory.printer_export import COLUMNS, export_printers_bytes, headers
from printer_app.services.inventory.printer_list import PrinterFilters
from printer_app.services.polling.history import PollOutcome, SupplyReading, record_poll
from printer_app.state.inventory.printers import PrintersState
from tests.factories import make_model, make_org, make_printer
from tests.integration.state_fixtures import app_db, run_handler, session_cookie  # noqa: F401

IRKUTSK = ZoneInfo("Asia/Irkutsk")
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Irkutsk
HOSTILE = '=HYPERLINK("http://x","y")'


def _poll(session: Session, printer: Printer, status: str = TaskStatus.SUCCESS, **kw) -> None:
    supplies = [
        SupplyReading("Black toner", kind="toner", color="black", percent=75),
        SupplyReading("Cyan toner", kind="toner", color="cyan", state=SupplyState.SOME_REMAINING),
        SupplyReading("Fuser", kind="fuser"),
    ]
    outcome = PollOutcome(
        status=status,
        match_rule=MatchRule.SN_MAC if status == TaskStatus.SUCCESS else None,
        counters={"bw_a4": 1200, "color_a4": 300, "bw_a3": 10, "color_a3": 0, "total_pages": 1510},
        supplies=supplies if status == TaskStatus.SUCCESS else [],
        **kw,
    )
    record_poll(session, printer=printer, outcome=outcome)


def _fleet(session: Session) -> dict[str, Printer]:
    org = make_org(session, name="ООО Ромашка")
    model = make_model(session, maker="Kyocera", name="ECOSYS P2040dn")
    printers = {
        "catalogue": make_printer(
            session, ip_address="10.7.0.10", serial_number="KY-1", organization_id=org.id, device_model_id=model.id
        ),
        "legacy": make_printer(session, ip_address="10.7.0.9", serial_number=HOSTILE, model="HP LaserJet 400"),
        "failing": make_printer(session, ip_address="10.7.0.100", serial_number="FL-1", organization_id=org.id),
        "never": make_printer(session, ip_address="10.7.1.1", serial_number="NV-1"),
        "inactive": make_printer(session, ip_address="10.7.0.2", serial_number="IN-1", is_active=False),
    }
    _poll(session, printers["catalogue"], at=AT)
    _poll(session, printers["legacy"], at=AT)
    _poll(session, printers["failing"], at=AT)
    _poll(session, printers["failing"], status=TaskStatus.FAILED, error_message="x" * 150, at=AT.replace(hour=5))
    session.commit()
    return printers


def _read(data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Printers" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    return head, [dict(zip(head, row, strict=True)) for row in rows[1:]]


def test_the_workbook_holds_the_filtered_printers_by_ip_with_the_stored_values(session: Session) -> None:
    _fleet(session)
    data, count = export_printers_bytes(session, filters=PrinterFilters(), tz=IRKUTSK)
    head, rows = _read(data)
    assert head == headers(english=False) and head[:3] == ["Организация", "IP-адрес", "Серийный №"]
    assert count == 4 and [r["IP-адрес"] for r in rows] == ["10.7.0.9", "10.7.0.10", "10.7.0.100", "10.7.1.1"]

    legacy, catalogue, failing, never = rows
    assert (catalogue["Организация"], catalogue["Производитель"], catalogue["Модель"]) == (
        "ООО Ромашка",
        "Kyocera",
        "ECOSYS P2040dn",
    )
    assert (catalogue["ЧБ A4"], catalogue["Цвет A4"], catalogue["ЧБ A3"], catalogue["Цвет A3"]) == (1200, 300, 10, 0)
    assert catalogue["Всего"] == 1510
    assert (catalogue["Тонер K"], catalogue["Тонер C"]) == (75, "Ещё есть")  # a state is a word, never 0
    assert catalogue["Fuser Kit"] == "ОК" and catalogue["Тонер M"] is None
    assert catalogue["Правило"] == "Серийник+MAC"
    assert catalogue["Дата последнего опроса"] == datetime(2026, 3, 2, 9, 30)  # a real date in Irkutsk time
    assert catalogue["Статус последнего опроса"] == "Успешно" and catalogue["Последняя ошибка"] is None

    assert legacy["Модель"] == "HP LaserJet 400" and legacy["Производитель"] is None
    assert legacy["Серийный №"] == HOSTILE  # kept as the text it is
    assert failing["Статус последнего опроса"] == "Ошибка опроса" and failing["Последняя ошибка"] == "x" * 100
    assert failing["ЧБ A4"] == 1200  # the counters of the last successful poll
    assert never["Статус последнего опроса"] == "Не опрашивался" and never["Правило"] == "—" and never["Всего"] is None


def test_a_formula_like_text_is_a_string_cell_and_the_filters_narrow_the_file(session: Session) -> None:
    _fleet(session)
    data, _ = export_printers_bytes(session, filters=PrinterFilters(search="10.7.0.9"), tz=IRKUTSK)
    sheet = load_workbook(io.BytesIO(data)).active
    serial = sheet.cell(row=2, column=3)
    assert serial.value == HOSTILE and serial.data_type == "s"
    assert sheet.max_row == 2

    _, rows = _read(export_printers_bytes(session, filters=PrinterFilters(active="inactive"), tz=IRKUTSK)[0])
    assert [r["IP-адрес"] for r in rows] == ["10.7.0.2"]
    data, count = export_printers_bytes(session, filters=PrinterFilters(search="no such printer"), tz=IRKUTSK)
    assert count == 0 and _read(data)[1] == []

    head, rows = _read(export_printers_bytes(session, filters=PrinterFilters(), tz=IRKUTSK, english=True)[0])
    assert head == [en for _f, _ru, en in COLUMNS] and rows[1]["Match rule"] == "Serial + MAC"
    assert (rows[1]["Toner C"], rows[1]["Last poll status"]) == ("Some left", "Success")


def _tab(cookie: str, query: str = "") -> PrintersState:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "user-agent": "export-test", "origin": "http://localhost:3000"}
    path = "/printers" + ("?" + query if query else "")
    root.router = RouterData.from_router_data({"headers": headers, "pathname": "/printers", "asPath": path})
    return root.get_substate(PrintersState.get_full_name().split("."))


def test_the_page_downloads_what_its_filters_show_and_refuses_without_the_permission(
    app_db: str,  # noqa: F811
    session: Session,
) -> None:
    _fleet(session)
    inventory = session_cookie(session, username="inv", groups=("Inventory — Viewer",))
    viewer = session_cookie(session, username="viewer", groups=("Viewer",))
    session.commit()
    state = _tab(inventory, "q=10.7.0.1")
    run_handler(PrintersState.load, state)
    assert state.search == "10.7.0.1" and state.total == 2  # .10 and .100
    answers = run_handler(PrintersState.export, state)
    download = next(a for a in answers if "download" in repr(a).lower())
    assert "printers.xlsx" in repr(download) and not state.exporting
    url = dict((name._js_expr, value._var_value) for name, value in download.args)["url"]
    _, rows = _read(base64.b64decode(url.split("base64,", 1)[1]))
    assert [r["IP-адрес"] for r in rows] == ["10.7.0.10", "10.7.0.100"]  # the downloaded file, re-opened

    refused = run_handler(PrintersState.export, _tab(viewer))
    assert "Not allowed" in repr(refused) and "printers.xlsx" not in repr(refused)
