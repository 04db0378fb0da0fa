"""A printer's location (room, floor, office): the form's validation, the list's search and sort (case folded in every
alphabet on both databases), the change log's label, and the poll filling an empty one from SNMP sysLocation."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session

from printer_app.models import Printer
from printer_app.services.access.change_log import ChangeFilters, list_changes
from printer_app.services.audit import Actor
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.printer_list import PrinterFilters, list_printers
from printer_app.services.inventory.printers import PrinterInput, create_printer, update_printer
from printer_app.services.polling.pipeline import run_inventory_for_printer
from printer_app.services.polling.reading import DeviceReading
from printer_app.services.polling.sources import reading_from_snmp
from printer_app.services.snmp.assemble import PollResult
from tests.factories import make_org, make_printer
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401


def _input(printer: Printer, **changes) -> PrinterInput:
    data = PrinterInput(**{f.name: getattr(printer, f.name) for f in dataclasses.fields(PrinterInput)})
    return dataclasses.replace(data, **changes)


def _found(session: Session, search: str, **kw) -> list[str]:
    page = list_printers(session, filters=PrinterFilters(search=search), page_size=200, **kw)
    return [row.ip_address for row in page.rows]


def test_location_is_trimmed_stored_and_kept_when_not_sent(session: Session) -> None:
    printer = create_printer(session, data=PrinterInput(ip_address="10.9.0.1", location="  каб. 214, этаж 2 \t"))
    assert printer.location == "каб. 214, этаж 2"
    update_printer(session, printer_id=printer.id, data=_input(printer, location=None, serial_number="S1"))
    assert (printer.location, printer.serial_number) == ("каб. 214, этаж 2", "S1")  # None: an import without one
    update_printer(session, printer_id=printer.id, data=_input(printer, location="   "))
    assert printer.location == ""


def test_a_too_long_location_is_refused_with_every_other_problem_and_nothing_changes(session: Session) -> None:
    printer = make_printer(session, location="Room 1")
    with pytest.raises(DomainValidationError) as caught:
        update_printer(session, printer_id=printer.id, data=_input(printer, location="x" * 256, mac_address="zz"))
    errors = caught.value.errors
    assert errors["location"] == "Location is longer than 255 characters (256 given)"
    assert "mac_address" in errors
    session.refresh(printer)
    assert printer.location == "Room 1"
    update_printer(session, printer_id=printer.id, data=_input(printer, location="y" * 255))  # the limit itself fits
    assert len(printer.location) == 255


def test_search_finds_location_folding_case_in_every_alphabet(session: Session) -> None:
    make_printer(session, ip_address="10.9.1.1", location="ул. Ленина, 5, каб. 12")
    make_printer(session, ip_address="10.9.1.2", location="Head Office, 3rd floor")
    make_printer(session, ip_address="10.9.1.3", location="")
    make_printer(session, ip_address="10.9.1.4", organization_id=make_org(session, name="Школа ЁЛКА").id)

    assert _found(session, "ЛЕНИНА") == ["10.9.1.1"]
    assert _found(session, "ленина, 5") == ["10.9.1.1"]
    assert _found(session, "  ЛеНиНа ") == ["10.9.1.1"]
    assert _found(session, "head OFFICE") == ["10.9.1.2"]
    assert _found(session, "ёлка") == ["10.9.1.4"]  # organization names fold the same way
    assert _found(session, "3rd%") == []  # a typed % is a character, not a wildcard
    assert _found(session, "Москва") == []


def test_list_sorts_by_location_and_shows_it(session: Session) -> None:
    for n, place in enumerate(["б-корпус", "Архив", "", "в-зал", "А-зал"], start=1):
        make_printer(session, ip_address=f"10.9.2.{n}", location=place)
    page = list_printers(session, filters=PrinterFilters(), sort="location", page_size=200)
    assert [r.location for r in page.rows] == ["", "А-зал", "Архив", "б-корпус", "в-зал"]
    page = list_printers(session, filters=PrinterFilters(), sort="location", descending=True, page_size=200)
    assert [r.location for r in page.rows] == ["в-зал", "б-корпус", "Архив", "А-зал", ""]


def test_change_log_labels_a_location_change(session: Session) -> None:
    printer = make_printer(session, ip_address="10.9.3.1")
    update_printer(
        session,
        printer_id=printer.id,
        data=_input(printer, location="Бухгалтерия"),
        version=printer.version,
        actor=Actor(ip="127.0.0.1"),
    )
    update = list_changes(session, filters=ChangeFilters(action="update")).rows[0]
    assert [(c.label, c.old, c.new) for c in update.changes] == [("Location", "—", "Бухгалтерия")]


def _poll(session: Session, printer: Printer, location: str) -> None:
    reading = DeviceReading(serial=printer.serial_number, raw_counters={"TOTAL": 1000}, location=location)
    run_inventory_for_printer(session, printer_id=printer.id, source=lambda _p: reading)
    session.flush()
    session.refresh(printer)


def test_a_poll_fills_an_empty_location_from_sys_location_and_never_replaces_one(session: Session) -> None:
    empty = make_printer(session, ip_address="10.9.4.1")
    _poll(session, empty, "2nd floor, copy room")
    assert empty.location == "2nd floor, copy room"
    _poll(session, empty, "Somewhere else")
    assert empty.location == "2nd floor, copy room"

    set_by_user = make_printer(session, ip_address="10.9.4.2", location="каб. 5")
    _poll(session, set_by_user, "Printer room")
    assert set_by_user.location == "каб. 5"


def test_sys_location_of_an_snmp_reading_is_cleaned_and_cut_to_the_column() -> None:
    assert reading_from_snmp(PollResult(host="h", sys_location="  Room\t 12 \n")).location == "Room 12"
    assert reading_from_snmp(PollResult(host="h", sys_location=None)).location == ""
    assert len(reading_from_snmp(PollResult(host="h", sys_location="z" * 400)).location) == 255


def test_the_dialog_loads_and_saves_a_location_and_the_column_is_opt_in(session: Session, signed_in: str) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_form import PrinterFormState as F
    from printer_app.state.inventory.printers import DEFAULT_HIDDEN
    from printer_app.state.inventory.printers import PrintersState as P

    printer = make_printer(session, ip_address="10.9.5.1", location="Склад")
    session.commit()
    form = tab(F, signed_in, "/printers")
    run_handler(F.open_edit, form, printer.id)
    assert form.location == "Склад"
    run_handler(F.set_value, form, "location", "  Бухгалтерия, 2 этаж ")
    run_handler(F.save, form)
    assert form.errors == {} and form.open is False
    session.refresh(printer)
    assert printer.location == "Бухгалтерия, 2 этаж"

    run_handler(F.open_edit, form, printer.id)
    run_handler(F.set_value, form, "location", "x" * 300)
    run_handler(F.save, form)
    assert form.errors == {"location": "Location is longer than 255 characters (300 given)"}

    listing = tab(P, signed_in, "/printers")
    assert listing.hidden_columns == DEFAULT_HIDDEN and "location" not in DEFAULT_HIDDEN  # hidden all the same
    run_handler(P.toggle_column, listing, "location")
    assert listing.hidden_columns.split(",")[-1] == "+location"  # an opt-in column is named when shown
    run_handler(P.toggle_column, listing, "location")
    assert listing.hidden_columns == DEFAULT_HIDDEN
