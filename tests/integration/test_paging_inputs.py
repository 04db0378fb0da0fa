"""Rows-per-page and page-number inputs of every paged table: refused with a message or clamped, and the tab that
sent a bad one goes on working (each event is followed by the delta Reflex computes, computed vars included)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import reflex as rx
from sqlmodel import Session

from printer_app.models.base import utcnow
from tests.factories import make_poll, make_printer
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401

SIZE_MESSAGE = "Rows per page must be 25, 50, 100 or 200"
BAD_SIZES = ["-1", "0", "1e20", 1e20, 10**30, "abc", "30", "", None, [], {"a": 1}, True, "10"]


def event(state: rx.State, handler, *args):
    """One event as Reflex runs it: the handler, then the delta of the tab's whole state tree."""
    result = run_handler(handler, state, *args)
    root = state._get_root_state()
    asyncio.run(root._get_resolved_delta())
    root._clean()
    return result


@pytest.fixture
def detail(signed_in: str, session: Session):  # noqa: F811
    """The detail page of a printer with 60 polls (three pages of 25), on page 2."""
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    printer = make_printer(session)
    start = utcnow() - timedelta(days=3)
    for minute in range(60):
        make_poll(session, printer, at=start + timedelta(minutes=minute))
    session.commit()
    state = tab(PrinterDetailState, signed_in, f"/printers/{printer.id}")
    event(state, PrinterDetailState.load)
    event(state, PrinterDetailState.go_to, 2)
    assert (state.page, state.page_size, len(state.polls), state.polls_total) == (2, 25, 25, 60)
    return state


@pytest.mark.parametrize("value", BAD_SIZES, ids=repr)
def test_detail_page_size_is_refused_and_the_tab_goes_on(detail, value: object) -> None:
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    result = event(detail, PrinterDetailState.set_page_size, value)
    assert SIZE_MESSAGE in repr(result)
    assert (detail.page, detail.page_size, len(detail.polls), detail.range_text) == (2, 25, 25, "26–50 of 60")

    event(detail, PrinterDetailState.set_page_size, "50")  # the next event of the same tab works
    assert (detail.page, detail.page_size, len(detail.polls)) == (1, 50, 50)
    event(detail, PrinterDetailState.go_to, 2)
    assert (detail.page, detail.page_count, detail.range_text) == (2, 2, "51–60 of 60")


@pytest.mark.parametrize(("value", "page"), [(-1, 1), (0, 1), ("3", 3), (3.0, 3), (1e20, 3), (10**30, 3), ("99", 3)])
def test_detail_page_number_is_clamped(detail, value: object, page: int) -> None:
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    assert event(detail, PrinterDetailState.go_to, value) is None
    assert detail.page == page and len(detail.polls) == (10 if page == 3 else 25)


@pytest.mark.parametrize("value", ["abc", "1e20", 2.5, None, [], ""], ids=repr)
def test_detail_page_number_not_a_number_is_refused(detail, value: object) -> None:
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    assert "is not a page number" in repr(event(detail, PrinterDetailState.go_to, value))
    assert detail.page == 2 and detail.polls[0].id


@pytest.mark.parametrize("value", [["abc"], "abc", "0", 10**30, "-7", ""], ids=repr)
def test_detail_chart_range_and_status_filter_refuse_what_they_do_not_offer(detail, value: object) -> None:
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    assert "Not a choice" in repr(event(detail, PrinterDetailState.set_chart_days, value))
    assert "Not a choice" in repr(event(detail, PrinterDetailState.set_status_filter, value))
    assert "Not a choice" in repr(event(detail, PrinterDetailState.set_chart_period, value))
    assert (detail.chart_days, detail.status_filter, detail.page, detail.chart_period) == ("30", "all", 2, "day")
    event(detail, PrinterDetailState.set_chart_days, "7")
    event(detail, PrinterDetailState.set_status_filter, "SUCCESS")
    assert (detail.chart_days, detail.status_filter, detail.polls_total) == ("7", "SUCCESS", 60)
    assert len(detail.usage_points) == 7
    event(detail, PrinterDetailState.set_chart_period, "month")
    assert (detail.chart_period, len(detail.usage_points)) == ("month", 12)


def test_detail_page_of_an_id_no_column_holds_is_not_found(signed_in: str) -> None:  # noqa: F811
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    state = tab(PrinterDetailState, signed_in, "/printers/99999999999999999999")
    event(state, PrinterDetailState.load)
    assert (state.printer_id, state.not_found, state.identity) == (0, "This address names no printer", {})


PAGED = [
    ("printer_app.state.inventory.printers", "PrintersState", "/printers"),
    ("printer_app.state.access.users", "UsersState", "/users"),
    ("printer_app.state.access.change_log", "ChangeLogState", "/changes"),
]


@pytest.mark.parametrize(("module", "name", "path"), PAGED, ids=[p[1] for p in PAGED])
def test_paged_lists_refuse_bad_sizes_and_clamp_pages(
    signed_in: str,  # noqa: F811
    session: Session,
    module: str,
    name: str,
    path: str,
) -> None:
    import importlib

    cls = getattr(importlib.import_module(module), name)
    for _ in range(30):
        make_printer(session)  # 30 printers and 30 "created" change-log rows
    session.commit()
    state = tab(cls, signed_in, path)
    event(state, cls.load)
    before = state.page_size
    for value in BAD_SIZES:
        assert SIZE_MESSAGE in repr(event(state, cls.set_page_size, value)), value
        assert (state.page_size, state.page) == (before, 1)
    assert "is not a page number" in repr(event(state, cls.go_to, "abc"))
    event(state, cls.set_page_size, "25")
    event(state, cls.go_to, 1e20)
    assert (state.page_size, state.page) == (25, state.page_count)
    event(state, cls.go_to, -5)
    assert state.page == 1 and state.rows


@pytest.mark.parametrize(
    ("module", "name", "path", "filter_name"),
    [
        ("printer_app.state.inventory.printers", "PrintersState", "/printers", "organization"),
        ("printer_app.state.inventory.printers", "PrintersState", "/printers", "model"),
        ("printer_app.state.access.change_log", "ChangeLogState", "/changes", "user"),
    ],
)
def test_list_filter_with_an_id_no_column_holds_is_ignored(
    signed_in: str,  # noqa: F811
    session: Session,
    module: str,
    name: str,
    path: str,
    filter_name: str,
) -> None:
    import importlib

    cls = getattr(importlib.import_module(module), name)
    make_printer(session)
    session.commit()
    state = tab(cls, signed_in, path)
    event(state, cls.load)
    everything = state.total
    event(state, cls.set_filter, filter_name, "99999999999999999999")
    assert state.total == everything > 0
    event(state, cls.set_filter, filter_name, "all")  # the tab goes on working
    assert state.total == everything


@pytest.mark.parametrize("value", [["a", "b"], {"x": 1}, 12, None, "x" * 201])
def test_a_forged_filter_or_search_value_is_refused_and_the_tab_goes_on(
    signed_in: str,  # noqa: F811
    session: Session,
    value: object,
) -> None:
    from printer_app.state.inventory.printers import PrintersState as P

    make_printer(session)
    session.commit()
    state = tab(P, signed_in, "/printers")
    event(state, P.load)
    everything = state.total
    assert "filter's choices" in repr(event(state, P.set_filter, "organization", value))
    assert "at most 200 characters" in repr(event(state, P.set_search, value))
    assert (state.organization, state.search) == ("all", "")
    event(state, P.set_search, "")  # the tab goes on working
    assert state.total == everything > 0
