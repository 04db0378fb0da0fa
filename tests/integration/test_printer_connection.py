""" "Test connection" in the printer dialog and the poll of a printer just added: the form's settings read a real
simulated device (snmpsim) and store nothing; a save of a new printer asks for its poll (like Poll now)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from printer_app.models import Printer
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printers import PrinterInput
from printer_app.services.polling.probe import probe, probe_target
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.integration.state_fixtures import (  # noqa: F401
    app_db,
    run_background_with,
    run_handler,
    session_cookie,
    signed_in,
    tab,
)
from tests.snmpsim_server import SnmpSimServer

BROTHER = "brother_hl5370dw"  # its recording: serial B9J154306, a mono laser with a black toner


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Printer)).one()


def test_probe_reads_model_serial_mac_and_toner_and_stores_nothing(session: Session, snmpsim: SnmpSimServer) -> None:  # noqa: F811
    data = PrinterInput(ip_address="127.0.0.1", snmp_community=BROTHER, snmp_port=snmpsim.port)
    result = probe(probe_target(session, data=data))
    assert result.error == ""
    assert result.serial == "B9J154306"
    assert "HL-5370DW" in result.model
    assert result.mac and len(result.mac) == 17
    assert result.supplies and any("%" in level for _name, level in result.supplies)
    assert _count(session) == 0


def test_probe_with_a_wrong_community_says_why(session: Session, snmpsim: SnmpSimServer, monkeypatch) -> None:  # noqa: F811
    from printer_app.config import get_settings

    monkeypatch.setenv("SNMP_TIMEOUT", "0.5")
    monkeypatch.setenv("SNMP_RETRIES", "0")
    get_settings.cache_clear()
    try:
        data = PrinterInput(ip_address="127.0.0.1", snmp_community="not-this-one", snmp_port=snmpsim.port)
        result = probe(probe_target(session, data=data))
    finally:
        get_settings.cache_clear()
    assert result.error and not result.serial


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (PrinterInput(ip_address="300.1.1.1"), "ip_address"),
        (PrinterInput(ip_address="10.0.0.1", snmp_community=""), "snmp_community"),
        (PrinterInput(ip_address="10.0.0.1", snmp_port=0), "snmp_port"),
        (PrinterInput(ip_address="10.0.0.1", polling_method="TELNET"), "polling_method"),
        (PrinterInput(ip_address="10.0.0.1", snmp_version="3"), "snmp_v3_user"),
    ],
)
def test_probe_refuses_invalid_settings_before_any_network_work(session: Session, data, field) -> None:
    with pytest.raises(DomainValidationError) as caught:
        probe_target(session, data=data)
    assert field in caught.value.errors


def _background_with_form(cookie: str, values: dict) -> tuple[list, dict]:
    """PrinterFormState.test_connection as Reflex runs a background event, on a tab whose form holds `values`;
    returns its answer and the form's state afterwards."""
    from printer_app.state.inventory.printer_form import PrinterFormState

    shown = ("testing", "test_done", "test_error", "test_rows", "test_supplies", "errors")
    return run_background_with(
        PrinterFormState, PrinterFormState.test_connection, cookie, "/printers", values=values, read=shown
    )


def test_the_dialogs_test_connection_shows_what_the_device_says(
    signed_in: str,  # noqa: F811
    session: Session,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    values = {"ip_address": "127.0.0.1", "snmp_community": BROTHER, "snmp_port": str(snmpsim.port)}
    _answer, form = _background_with_form(signed_in, values)
    assert form["testing"] is False and form["test_done"] is True and form["test_error"] == ""
    rows = dict(form["test_rows"])
    assert rows["Serial number"] == "B9J154306" and "HL-5370DW" in rows["Model"]
    assert form["test_supplies"]
    assert _count(session) == 0  # nothing stored


def test_the_dialogs_test_connection_marks_invalid_fields(signed_in: str) -> None:  # noqa: F811
    _answer, form = _background_with_form(signed_in, {"ip_address": "10.0.0.999", "snmp_community": "public"})
    assert form["test_done"] and form["test_error"] and "ip_address" in form["errors"]
    assert form["test_rows"] == []


def test_a_viewer_may_not_test_connections(app_db: str, session: Session) -> None:  # noqa: F811
    viewer = session_cookie(session, username="viewer", groups=("Inventory — Viewer",))
    answer, form = _background_with_form(viewer, {"ip_address": "127.0.0.1"})
    assert form["test_done"] is False
    assert "permission" in repr(answer).lower() or answer == [None]


def test_a_new_printer_is_polled_right_away(signed_in: str, session: Session) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_form import PrinterFormState

    form = tab(PrinterFormState, signed_in, "/printers")
    run_handler(PrinterFormState.open_new, form)
    form.ip_address = "10.9.8.7"
    answer = run_handler(PrinterFormState.save, form)
    printer = session.exec(select(Printer).where(Printer.ip_address == "10.9.8.7")).one()
    polls = [spec for spec in answer if getattr(getattr(spec, "handler", None), "fn", None) is not None]
    polls = [spec for spec in polls if spec.handler.fn.__name__ == "poll_now"]
    assert len(polls) == 1
    assert str(printer.id) in repr(polls[0].args)

    # an edit is no new printer: no poll
    run_handler(PrinterFormState.open_edit, form, printer.id)
    form.serial_number = "SN-1"
    answer = run_handler(PrinterFormState.save, form)
    assert not [
        s for s in answer if getattr(getattr(s, "handler", None), "fn", None) and s.handler.fn.__name__ == "poll_now"
    ]
